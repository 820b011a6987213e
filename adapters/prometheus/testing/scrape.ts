// Test helpers: fetch a /metrics endpoint and read the Prometheus text format back.

/** One sample line: `name{labels} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition: the samples, and the HELP and TYPE of each metric family. */
export interface Exposition {
  readonly samples: readonly Sample[];
  readonly help: ReadonlyMap<string, string>;
  readonly types: ReadonlyMap<string, string>;
}

/** GETs `url` and parses the body; rejects on a non-200 answer. */
export async function scrape(url: string): Promise<Exposition> {
  const response = await fetch(url);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text}`);
  return parseExposition(text);
}

/** Parses the Prometheus text format (0.0.4). Throws on a line it cannot read. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment !== null) {
      (comment[1] === 'HELP' ? help : types).set(comment[2]!, comment[3] ?? '');
      continue;
    }
    if (line.startsWith('#')) continue;
    samples.push(parseSample(line));
  }
  return { samples, help, types };
}

/** The samples named `name` whose labels include every entry of `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
  return exposition.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

/** The value of the one sample named `name` with these labels; throws unless exactly one matches. */
export function valueOf(exposition: Exposition, name: string, labels: Readonly<Record<string, string>> = {}): number {
  const found = samplesOf(exposition, name, labels);
  if (found.length !== 1) throw new Error(`expected one ${name}${JSON.stringify(labels)} sample, found ${found.length}`);
  return found[0]!.value;
}

function parseSample(line: string): Sample {
  const nameEnd = line.search(/[{ ]/);
  if (nameEnd <= 0) throw new Error(`cannot parse sample line: ${line}`);
  const name = line.slice(0, nameEnd);
  const labels: Record<string, string> = {};
  let position = nameEnd;
  if (line[position] === '{') {
    position++;
    while (line[position] !== '}') {
      const equals = line.indexOf('="', position);
      if (equals < 0) throw new Error(`cannot parse labels: ${line}`);
      const label = line.slice(position, equals);
      position = equals + 2;
      let value = '';
      while (line[position] !== '"') {
        if (position >= line.length) throw new Error(`unterminated label value: ${line}`);
        if (line[position] === '\\') {
          const escaped = line[position + 1];
          value += escaped === 'n' ? '\n' : (escaped ?? '');
          position += 2;
        } else value += line[position++];
      }
      labels[label] = value;
      position++;
      if (line[position] === ',') position++;
    }
    position++;
  }
  const valueText = line.slice(position).trim().split(' ')[0] ?? '';
  const value = valueText === '+Inf' ? Number.POSITIVE_INFINITY : valueText === '-Inf' ? Number.NEGATIVE_INFINITY : Number(valueText);
  if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`cannot parse sample value: ${line}`);
  return { name, labels, value };
}
