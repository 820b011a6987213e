import { Duration, StringMap, type InstanceValue, type MetricInstance } from '../../adapters/sdk/index.js';

/** One row of the summary: a metric instance and one combination of its dimension values. */
export interface SummaryRow {
  readonly instance: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** How many metric instances were reported. */
  readonly count: number;
  /** The sum of their numeric values (durations in milliseconds; other values count 0). */
  readonly sum: number;
}

/** Counts and sums reported metrics in memory, per instance and dimension values. */
export class MetricSummary {
  private readonly rows = new Map<string, { instance: string; dimensions: Record<string, string>; count: number; sum: number }>();

  add(metric: MetricInstance): void {
    const dimensions: Record<string, string> = {};
    for (const name of Object.keys(metric.dimensions).sort()) dimensions[name] = text(metric.dimensions[name]);
    const key = JSON.stringify([metric.name, dimensions]);
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { instance: metric.name, dimensions, count: 0, sum: 0 };
      this.rows.set(key, row);
    }
    row.count++;
    row.sum += numeric(metric.value);
  }

  /** A snapshot, sorted by instance then dimensions. */
  rowsSnapshot(): SummaryRow[] {
    return [...this.rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, row]) => ({ ...row, dimensions: { ...row.dimensions } }));
  }

  clear(): void {
    this.rows.clear();
  }
}

function numeric(value: InstanceValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Duration) return value.toMillis();
  return 0;
}

function text(value: InstanceValue): string {
  if (value === undefined) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof StringMap) return JSON.stringify(value.toObject());
  return value.toString();
}
