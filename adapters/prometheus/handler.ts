import { Counter, type Registry } from 'prom-client';
import type { MetricInstance } from '../../templates/definitions.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { MetricValuesError, type RejectedValue, type RejectionReason } from './errors.js';
import type { MetricFamily } from './metric-family.js';
import { metricValue } from './metric-value.js';
import type { MetricsLease } from './shared-listener.js';

const REJECTED_METRIC = 'mixer_adapter_prometheus_rejected_values_total';

/**
 * Records metric instances in Prometheus metrics served on the handler's listener: COUNTER
 * adds the value, GAUGE sets it, DISTRIBUTION observes it, in the series named by the
 * instance's dimensions. A value that cannot be recorded (unknown instance, not numeric,
 * dimensions that do not match the labels) is counted and reported in a MetricValuesError
 * after the rest of the batch is recorded.
 */
export class PrometheusHandler implements HandlerFor<'metric'> {
  private readonly rejectedValues: Counter<'instance' | 'reason'>;

  constructor(
    /** Instance name → its family (instances with the same definition share one). */
    private readonly families: ReadonlyMap<string, MetricFamily>,
    /** This handler's own registry: the metrics it publishes. */
    readonly registry: Registry,
    private readonly lease: MetricsLease,
    private readonly env: AdapterEnvironment,
  ) {
    this.rejectedValues = rejectedCounter(env.metrics);
  }

  /** Where the metrics are served: `http://host:port/metrics`. */
  get url(): string {
    return this.lease.url;
  }

  get port(): number {
    return this.lease.port;
  }

  handleMetric(instances: readonly MetricInstance[]): void {
    const now = this.env.now();
    let rejected: RejectedValue[] | undefined;
    const reject = (instance: string, reason: RejectionReason, message: string): void => {
      (rejected ??= []).push({ instance, reason, message });
      this.rejectedValues.inc({ instance, reason });
    };
    for (const instance of instances) {
      const family = this.families.get(instance.name);
      if (family === undefined) {
        reject(instance.name, 'unknown_instance', `could not find metric info from adapter config for ${instance.name}`);
        continue;
      }
      const value = metricValue(instance.value);
      if (!value.ok) {
        reject(instance.name, 'value', `could not get value for metric ${instance.name}: ${value.reason}`);
        continue;
      }
      const series = family.seriesFor(instance.dimensions);
      if (typeof series === 'string') {
        reject(instance.name, 'labels', `could not get labels for metric ${instance.name}: ${series}`);
        continue;
      }
      const refused = family.record(value.value, series, now);
      if (refused !== undefined) reject(instance.name, 'record', `could not record metric ${instance.name}: ${refused}`);
    }
    if (rejected !== undefined) throw new MetricValuesError(rejected, instances.length);
  }

  /** Drops the series not recorded within `expiryMs` (metricsExpirationPolicy); returns how many. */
  expireSeries(expiryMs: number): number {
    const cutoff = this.env.now() - expiryMs;
    let removed = 0;
    for (const family of new Set(this.families.values())) removed += family.expire(cutoff);
    if (removed > 0) this.env.logger.debug({ removed }, 'expired prometheus series');
    return removed;
  }

  /** Stops publishing; the listener closes if no other handler uses it. */
  close(): Promise<void> {
    return this.lease.release();
  }
}

function rejectedCounter(registry: Registry): Counter<'instance' | 'reason'> {
  const existing = registry.getSingleMetric(REJECTED_METRIC);
  if (existing instanceof Counter) return existing;
  return new Counter({
    name: REJECTED_METRIC,
    help: 'Metric values the prometheus adapter could not record, by instance and reason (unknown_instance, value, labels, record).',
    labelNames: ['instance', 'reason'],
    registers: [registry],
  });
}
