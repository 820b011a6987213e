import type { HandlerConfig } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { LogPump } from '../log-buffer/log-pump.js';
import { PumpMetrics } from '../log-buffer/pump-metrics.js';
import { parseHostPort } from './address.js';
import type { FluentEvent } from './fluent-event.js';
import { ForwardClient } from './forward-client.js';
import { FluentdHandler } from './handler.js';
import type { FluentdParams } from './params.js';

/** Builds the handler from validated params. Connecting is lazy: a Fluentd that is down does not fail the build. */
export function buildFluentdHandler(config: HandlerConfig<FluentdParams>, env: AdapterEnvironment): FluentdHandler {
  const { params } = config;
  const endpoint = parseHostPort(params.address);
  if ('error' in endpoint) throw new TypeError(`fluentd address was not validated: ${endpoint.error}`);
  const pushTimeoutMs = params.pushTimeoutDuration.toMillis();
  const client = new ForwardClient(
    {
      endpoint,
      eventMode: params.eventMode,
      requireAckResponse: params.requireAckResponse,
      subSecondPrecision: params.subSecondPrecision,
      ackTimeoutMs: pushTimeoutMs,
      maxBatchBytes: params.maxBatchSizeBytes,
    },
    env.logger,
  );
  const metrics = new PumpMetrics(env.metrics, 'fluentd');
  const pump = new LogPump<FluentEvent>(
    {
      adapter: 'fluentd',
      maxBufferedEntries: params.instanceBufferSize,
      maxBatchEntries: Number.POSITIVE_INFINITY,
      maxBatchBytes: params.maxBatchSizeBytes,
      pushIntervalMs: params.pushIntervalDuration.toMillis(),
      pushTimeoutMs,
      backoff: { initialMs: params.initialBackoffDuration.toMillis(), maxMs: params.maxBackoffDuration.toMillis() },
    },
    client,
    env,
    metrics,
  );
  return new FluentdHandler(pump, params.integerDuration, env, () => metrics.totals);
}
