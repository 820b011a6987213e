import { Registry } from 'prom-client';
import type { HandlerConfig, InstanceConfig } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { BuildAbandonedError } from './errors.js';
import { PrometheusHandler } from './handler.js';
import type { MetricsListenerPool } from './listener-pool.js';
import { MetricFamily } from './metric-family.js';
import { metricSpec, type MetricSpec } from './metric-spec.js';
import { sanitize } from './names.js';
import type { PrometheusParams } from './params.js';

const MILLIS_PER_NANO = 1e-6;

/**
 * Builds a handler: leases the listener for its address (Mixer's own host unless `address`
 * names one), makes (or takes over) a family per
 * metric, publishes its own registry there, and schedules the expiry check if a
 * metricsExpirationPolicy is set. The lease is released again if anything fails.
 */
export async function buildPrometheusHandler(
  config: HandlerConfig<PrometheusParams>,
  env: AdapterEnvironment,
  listeners: MetricsListenerPool,
): Promise<PrometheusHandler> {
  const { params } = config;
  const specs = params.metrics.map(metricSpec);
  const host = params.address === '' ? env.listener.host : params.address;
  const lease = await listeners.acquire({ host, port: params.port }, config.name, env.logger, env.listener.limits);
  try {
    const registry = new Registry();
    const families = new Map<string, MetricFamily>();
    const byDefinition = new Map<string, MetricFamily>();
    let reused = 0;
    for (const spec of specs) {
      let family = byDefinition.get(spec.definition);
      if (family === undefined) {
        const previous = lease.reusableFamily(spec.definition);
        if (previous !== undefined) reused++;
        family = previous ?? new MetricFamily(spec);
        byDefinition.set(spec.definition, family);
        registry.registerMetric(family.metric);
      }
      families.set(spec.instanceName, family);
    }
    warnAboutRouting(config.instances, specs, env);
    if (env.signal.aborted) throw new BuildAbandonedError(config.name);
    const hidden = lease.publish(registry, [...byDefinition.values()]);
    if (hidden.length > 0) {
      env.logger.warn({ metrics: hidden }, 'another prometheus handler on this port defines these metrics differently; this handler\'s definitions are served');
    }
    const handler = new PrometheusHandler(families, registry, lease, env);
    scheduleExpiry(params, handler, env);
    env.logger.info({ url: lease.url, metrics: specs.length, reused }, 'serving prometheus metrics');
    return handler;
  } catch (error) {
    await lease.release();
    throw error;
  }
}

function scheduleExpiry(params: PrometheusParams, handler: PrometheusHandler, env: AdapterEnvironment): void {
  const policy = params.metricsExpirationPolicy;
  const expiry = policy?.metricsExpiryDuration;
  if (policy === undefined || expiry === undefined || expiry.nanos <= 0n) return;
  const expiryMs = Number(expiry.nanos) * MILLIS_PER_NANO;
  const interval = policy.expiryCheckIntervalDuration;
  const intervalMs = interval !== undefined && interval.nanos > 0n ? Number(interval.nanos) * MILLIS_PER_NANO : expiryMs / 2;
  env.scheduleInterval(() => {
    handler.expireSeries(expiryMs);
  }, Math.max(1, intervalMs));
}

/**
 * Istio only found out at report time when an instance had no metric or its dimensions did not
 * match the labels. The config is still accepted (as in Istio); the mismatch is logged once here.
 */
function warnAboutRouting(instances: readonly InstanceConfig[], specs: readonly MetricSpec[], env: AdapterEnvironment): void {
  const byInstance = new Map(specs.map((spec) => [spec.instanceName, spec]));
  for (const instance of instances) {
    const spec = byInstance.get(instance.name);
    if (spec === undefined) {
      env.logger.warn({ instance: instance.name }, 'instance is routed to this prometheus handler but has no metric in its params; its values will be rejected');
      continue;
    }
    const dimensions = instance.types['dimensions'];
    if (dimensions === undefined || typeof dimensions !== 'object') continue;
    const declared = Object.keys(dimensions).map(sanitize).sort();
    const labels = [...spec.labelNames].sort();
    if (declared.join('\u0000') !== labels.join('\u0000')) {
      env.logger.warn({ instance: instance.name, metric: spec.fullName, dimensions: declared, labels }, 'the instance\'s dimensions do not match the metric\'s labels; its values will be rejected');
    }
  }
}
