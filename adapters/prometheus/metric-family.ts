import type { Metric } from 'prom-client';
import type { InstanceValue } from '../../templates/template.js';
import { formatBucketBound } from './buckets.js';
import { collectorFor } from './family-collector.js';
import { labelValue } from './label-value.js';
import type { MetricSpec } from './metric-spec.js';
import { sanitize } from './names.js';
import { SeriesIndex } from './series-index.js';

type Labels = Readonly<Record<string, string>>;

/**
 * One time series: its labels (frozen, in label order) and what was recorded in it. COUNTER and
 * GAUGE keep `value`; a DISTRIBUTION keeps the count in `value`, the `sum`, and one counter
 * per finite bucket (not cumulative; the +Inf bucket is the count).
 */
export interface Series {
  readonly labels: Labels;
  /** When it was last recorded (ms since the epoch), for metricsExpirationPolicy. */
  at: number;
  value: number;
  sum: number;
  readonly bucketCounts: Float64Array | undefined;
}

/**
 * A sample as prom-client's Registry writes it: `sharedLabels` are the series' labels (the
 * registry caches their text per object), `labels` the sample's own (`le` of a bucket).
 */
export interface ExportedSample {
  readonly metricName: string;
  readonly labels: Record<string, string>;
  readonly sharedLabels: Labels;
  readonly value: number;
}

/** Marks a position no label has, in the dimension-name cache. */
const NOT_A_LABEL = -1;

/**
 * The time series of one exported metric, kept by us rather than by prom-client: the request
 * path finds a series with one Map lookup on its label values and adds to plain numbers (no
 * label-object hashing or validation per value); prom-client only formats them at scrape time,
 * through `metric` (a collector registered in a handler's registry, reading this family).
 *
 * A rebuilt handler whose spec has the same definition takes the family over, so its values
 * survive config changes that do not touch it (Istio kept such collectors too); a changed
 * definition gets a new, empty family.
 */
export class MetricFamily {
  readonly metric: Metric<string>;
  private readonly series: SeriesIndex<Series>;
  private readonly labelCount: number;
  /** Label name → its position. */
  private readonly labelPositions: ReadonlyMap<string, number>;
  /** Dimension name as the instance spells it → label position (or NOT_A_LABEL), learnt as they come. */
  private readonly dimensionPositions = new Map<string, number>();
  /** DISTRIBUTION: the finite bucket bounds, and their `le` text. */
  private readonly bounds: readonly number[];
  private readonly boundTexts: readonly string[];

  constructor(readonly spec: MetricSpec) {
    this.labelCount = spec.labelNames.length;
    this.series = new SeriesIndex(this.labelCount);
    this.labelPositions = new Map(spec.labelNames.map((name, index) => [name, index]));
    this.bounds = spec.buckets ?? [];
    this.boundTexts = this.bounds.map(formatBucketBound);
    this.metric = collectorFor(this);
  }

  /** The number of series recorded and not expired. */
  get seriesCount(): number {
    return this.series.size;
  }

  /**
   * The series a value with these dimensions goes to (made on first use), or why there is none:
   * each dimension name (sanitised like the label names) must be one of the metric's labels,
   * and every label must have a dimension, as with client_golang's `With` (which panicked in
   * Istio; here it is an error for this value). Label values are Istio's adapter.Stringify.
   */
  seriesFor(dimensions: Readonly<Record<string, InstanceValue>>): Series | string {
    const values = new Array<string | undefined>(this.labelCount);
    let found = 0;
    for (const name in dimensions) {
      const position = this.positionOf(name);
      if (position === NOT_A_LABEL) return `dimension '${name}' is not a label of ${this.spec.fullName} (labels: ${this.spec.labelNames.join(', ')})`;
      if (values[position] === undefined) found++;
      values[position] = labelValue(dimensions[name]);
    }
    if (found !== this.labelCount) {
      const missing = this.spec.labelNames.filter((_, index) => values[index] === undefined);
      return `no dimension for label${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${this.spec.fullName}`;
    }
    // Every position is filled now.
    const filled = values as string[];
    return this.series.getOrCreate(filled, () => this.newSeries(filled));
  }

  /**
   * Adds (COUNTER), sets (GAUGE) or observes (DISTRIBUTION) `value` in `series`, noting the
   * time. Returns why the value was refused, or undefined: a COUNTER takes finite values >= 0,
   * a DISTRIBUTION finite values, a GAUGE any number.
   */
  record(value: number, series: Series, now: number): string | undefined {
    switch (this.spec.kind) {
      case 'COUNTER':
        if (!(value >= 0) || value === Number.POSITIVE_INFINITY) return `counter ${this.spec.fullName} cannot add ${value} (counters take finite values >= 0)`;
        series.value += value;
        break;
      case 'GAUGE':
        series.value = value;
        break;
      case 'DISTRIBUTION': {
        if (!Number.isFinite(value)) return `distribution ${this.spec.fullName} cannot observe ${value}`;
        const bucket = this.bucketOf(value);
        if (bucket < this.bounds.length) series.bucketCounts![bucket]!++;
        series.value++;
        series.sum += value;
        break;
      }
    }
    series.at = now;
    return undefined;
  }

  /** Drops every series last recorded at or before `cutoff` (ms since the epoch); returns how many. */
  expire(cutoff: number): number {
    return this.series.removeWhere((series) => series.at <= cutoff);
  }

  /** Every sample of every series, for the exposition: a DISTRIBUTION's as cumulative `_bucket`s, `_sum` and `_count`. */
  samples(): ExportedSample[] {
    const name = this.spec.fullName;
    const samples: ExportedSample[] = [];
    if (this.spec.kind !== 'DISTRIBUTION') {
      for (const series of this.series.values()) samples.push({ metricName: name, labels: {}, sharedLabels: series.labels, value: series.value });
      return samples;
    }
    const bucketName = `${name}_bucket`;
    for (const series of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += series.bucketCounts![i]!;
        samples.push({ metricName: bucketName, labels: { le: this.boundTexts[i]! }, sharedLabels: series.labels, value: cumulative });
      }
      samples.push({ metricName: bucketName, labels: { le: '+Inf' }, sharedLabels: series.labels, value: series.value });
      samples.push({ metricName: `${name}_sum`, labels: {}, sharedLabels: series.labels, value: series.sum });
      samples.push({ metricName: `${name}_count`, labels: {}, sharedLabels: series.labels, value: series.value });
    }
    return samples;
  }

  private positionOf(dimension: string): number {
    let position = this.dimensionPositions.get(dimension);
    if (position === undefined) {
      position = this.labelPositions.get(dimension) ?? this.labelPositions.get(sanitize(dimension)) ?? NOT_A_LABEL;
      // Dimension names come from instance config, so this stays small; a flood of strange names is not cached.
      if (this.dimensionPositions.size < 4 * this.labelCount + 16) this.dimensionPositions.set(dimension, position);
    }
    return position;
  }

  /** The first finite bucket whose bound is >= value (bounds are inclusive), or bounds.length (+Inf only). */
  private bucketOf(value: number): number {
    let low = 0;
    let high = this.bounds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (value <= this.bounds[middle]!) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  private newSeries(values: readonly string[]): Series {
    const labels: Record<string, string> = {};
    for (let i = 0; i < this.labelCount; i++) labels[this.spec.labelNames[i]!] = values[i]!;
    return {
      labels: Object.freeze(labels),
      at: 0,
      value: 0,
      sum: 0,
      bucketCounts: this.spec.kind === 'DISTRIBUTION' ? new Float64Array(this.bounds.length) : undefined,
    };
  }
}
