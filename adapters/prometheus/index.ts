import { defineAdapter, type AdapterModule } from '../sdk/define-adapter.js';
import { buildPrometheusHandler } from './build-handler.js';
import { MetricsListenerPool } from './listener-pool.js';
import { prometheusParams, type PrometheusParams } from './params.js';
import { validatePrometheus } from './validate.js';

/**
 * prometheus: publishes metric instances as Prometheus metrics on an HTTP endpoint
 * (`:42422/metrics` by default), Istio's `prometheus` adapter. Each adapter instance owns its
 * listeners (one per address, shared by the handlers serving there); `prometheus` is the one
 * Mixer compiles in, and tests make their own.
 */
export function createPrometheusAdapter(listeners: MetricsListenerPool = new MetricsListenerPool()): AdapterModule<PrometheusParams, 'metric'> {
  return defineAdapter({
    name: 'prometheus',
    description: 'Publishes prometheus metrics',
    supportedTemplates: ['metric'],
    params: prometheusParams,
    validate: (config) => validatePrometheus(config.params),
    build: (config, env) => buildPrometheusHandler(config, env, listeners),
  });
}

export const prometheus = createPrometheusAdapter();

export { PrometheusHandler } from './handler.js';
export { MetricsListenerPool } from './listener-pool.js';
export { MetricValuesError, MetricsListenError } from './errors.js';
