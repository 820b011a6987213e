import type { Registry } from 'prom-client';

// Counters and histograms for the per-request path. prom-client hashes the label set on every
// observe, even through a child; these keep one cell per label set, created once, so counting
// is an array write. They register on a prom-client Registry as ordinary metrics: prom-client
// asks them for their values at scrape time (text and JSON exposition, aggregation).

type Labels = Readonly<Record<string, string>>;

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

interface MetricObject {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

/** One label set's count. */
export class CounterCell {
  value = 0;

  constructor(readonly labels: Labels) {}

  inc(amount = 1): void {
    this.value += amount;
  }
}

/** One label set's histogram: cumulative at export, per-bucket while counting. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]!) index++;
    this.counts[index]! += 1;
    this.sum += value;
    this.count++;
  }
}

abstract class HotMetric<Cell extends { readonly labels: Labels }> {
  private readonly cells = new Map<string, Cell>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The cell for `labels` (every label name must be given); keep it and count on it. */
  cell(labels: Labels = {}): Cell {
    const key = this.labelNames.map((label) => labels[label] ?? '').join('\u0000');
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = this.create(labels);
      this.cells.set(key, cell);
    }
    return cell;
  }

  protected allCells(): Iterable<Cell> {
    return this.cells.values();
  }

  protected abstract create(labels: Labels): Cell;

  /** Registers this metric on `registry` (prom-client reads it through `get`). */
  registerOn(registry: Registry): this {
    registry.registerMetric(this as never);
    return this;
  }

  abstract get(): Promise<MetricObject>;

  reset(): void {
    this.cells.clear();
  }
}

export class HotCounter extends HotMetric<CounterCell> {
  readonly type = 'counter';
  readonly aggregator = 'sum';

  protected create(labels: Labels): CounterCell {
    return new CounterCell(labels);
  }

  get(): Promise<MetricObject> {
    const values = [...this.allCells()].map((cell) => ({ value: cell.value, labels: { ...cell.labels } }));
    return Promise.resolve({ name: this.name, help: this.help, type: 'counter', values, aggregator: 'sum' });
  }
}

export class HotHistogram extends HotMetric<HistogramCell> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  protected create(labels: Labels): HistogramCell {
    return new HistogramCell(labels, this.bounds);
  }

  get(): Promise<MetricObject> {
    const values: MetricValue[] = [];
    for (const cell of this.allCells()) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += cell.counts[index]!;
        values.push({ value: cumulative, labels: { ...cell.labels, le: bound }, metricName: `${this.name}_bucket` });
      });
      values.push({ value: cell.count, labels: { ...cell.labels, le: '+Inf' }, metricName: `${this.name}_bucket` });
      values.push({ value: cell.sum, labels: { ...cell.labels }, metricName: `${this.name}_sum` });
      values.push({ value: cell.count, labels: { ...cell.labels }, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' });
  }
}
