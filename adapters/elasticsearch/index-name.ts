import type { Timestamp } from '../../core/attribute/timestamp.js';

const TOKENS = /YYYY|MM|DD|HH/g;
/** Characters Elasticsearch refuses in index names. */
const FORBIDDEN = /[\\/*?"<>| ,#:A-Z]/;
const MAX_INDEX_BYTES = 255;

/**
 * Index names for entries: a prefix and the entry's UTC date in a small pattern language
 * (`YYYY`, `MM`, `DD`, `HH`; anything else is literal), e.g. `istio-logs-` + `YYYY.MM.DD` →
 * `istio-logs-2019.05.06`. Compiled once; the name is cached per UTC hour.
 */
export class IndexNamer {
  private cachedHour = Number.NaN;
  private cachedName = '';

  private constructor(
    private readonly prefix: string,
    private readonly dateFormat: string,
  ) {}

  /** Compiles prefix + format, or says why the names would not be valid Elasticsearch index names. */
  static compile(prefix: string, dateFormat: string): IndexNamer | { readonly error: string } {
    const namer = new IndexNamer(prefix, dateFormat);
    const sample = namer.format(2019, 12, 31, 23);
    const problem = indexNameProblem(sample);
    return problem === undefined ? namer : { error: `makes index names like ${JSON.stringify(sample)}, which ${problem}` };
  }

  nameFor(time: Timestamp): string {
    const hour = Math.floor(time.seconds / 3600);
    if (hour !== this.cachedHour) {
      const date = new Date(hour * 3_600_000);
      this.cachedName = this.format(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours());
      this.cachedHour = hour;
    }
    return this.cachedName;
  }

  private format(year: number, month: number, day: number, hour: number): string {
    const parts: Record<string, string> = {
      YYYY: String(year).padStart(4, '0'),
      MM: String(month).padStart(2, '0'),
      DD: String(day).padStart(2, '0'),
      HH: String(hour).padStart(2, '0'),
    };
    return this.prefix + this.dateFormat.replace(TOKENS, (token) => parts[token] ?? token);
  }
}

/** Why Elasticsearch would refuse `name` as an index name, or undefined. */
export function indexNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return 'is . or ..';
  if (/^[-_+]/.test(name)) return 'starts with -, _ or +';
  const forbidden = FORBIDDEN.exec(name);
  if (forbidden !== null) return `contains ${JSON.stringify(forbidden[0])} (index names are lowercase, without \\ / * ? " < > | space , # :)`;
  if (Buffer.byteLength(name) > MAX_INDEX_BYTES) return `is longer than ${MAX_INDEX_BYTES} bytes`;
  return undefined;
}
