import { Counter, Gauge, Histogram, type Metric } from 'prom-client';
import type { ExportedSample, MetricFamily } from './metric-family.js';

// prom-client collectors that hold no series of their own: they read a MetricFamily's when a
// registry writes them out. prom-client's Registry asks a metric for `getForPromString()` when
// it has one (samples whose series labels are `sharedLabels`, whose text the registry caches per
// labels object), else for `get()` (each sample's labels complete); both are answered here.

/** What a registry writes for one metric. */
interface PromStringData {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator: string;
  readonly values: readonly ExportedSample[];
}

function promStringData(family: MetricFamily, type: string): PromStringData {
  return { name: family.spec.fullName, help: family.spec.help, type, aggregator: 'sum', values: family.samples() };
}

/** The samples with each one's labels complete (series labels first), as `get()` answers. */
function completeSamples(family: MetricFamily): { metricName: string; labels: Record<string, string>; value: number }[] {
  return family.samples().map((sample) => ({ metricName: sample.metricName, labels: { ...sample.sharedLabels, ...sample.labels }, value: sample.value }));
}

function options(family: MetricFamily): { name: string; help: string; labelNames: string[]; registers: [] } {
  return { name: family.spec.fullName, help: family.spec.help, labelNames: [...family.spec.labelNames], registers: [] };
}

class FamilyCounter extends Counter<string> {
  constructor(private readonly family: MetricFamily) {
    super(options(family));
  }

  getForPromString(): PromStringData {
    return promStringData(this.family, 'counter');
  }

  override async get(): ReturnType<Counter<string>['get']> {
    return { ...(await super.get()), values: completeSamples(this.family) };
  }
}

class FamilyGauge extends Gauge<string> {
  constructor(private readonly family: MetricFamily) {
    super(options(family));
  }

  getForPromString(): PromStringData {
    return promStringData(this.family, 'gauge');
  }

  override async get(): ReturnType<Gauge<string>['get']> {
    return { ...(await super.get()), values: completeSamples(this.family) };
  }
}

class FamilyHistogram extends Histogram<string> {
  constructor(private readonly family: MetricFamily) {
    super({ ...options(family), buckets: [...(family.spec.buckets ?? [])] });
  }

  getForPromString(): PromStringData {
    return promStringData(this.family, 'histogram');
  }

  // get() is prom-client's: getForPromString() with each sample's labels completed.
}

/** The collector that publishes `family` in a registry (registered in none yet). */
export function collectorFor(family: MetricFamily): Metric<string> {
  switch (family.spec.kind) {
    case 'COUNTER':
      return new FamilyCounter(family);
    case 'GAUGE':
      return new FamilyGauge(family);
    case 'DISTRIBUTION':
      return new FamilyHistogram(family);
  }
}
