import type { HandlerConfig } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { LogPump } from '../log-buffer/log-pump.js';
import { PumpMetrics } from '../log-buffer/pump-metrics.js';
import { BulkSink } from './bulk-sink.js';
import { createClient, type ClientOverrides } from './client.js';
import type { BulkDocument } from './documents.js';
import { ElasticsearchHandler } from './handler.js';
import { IndexNamer } from './index-name.js';
import type { ElasticsearchParams } from './params.js';

/**
 * Builds the handler from validated params. Nothing is sent at build time: an Elasticsearch
 * that is down does not fail the build, its documents wait in the buffer.
 */
export async function buildElasticsearchHandler(
  config: HandlerConfig<ElasticsearchParams>,
  env: AdapterEnvironment,
  overrides: ClientOverrides = {},
): Promise<ElasticsearchHandler> {
  const { params } = config;
  const logentry = IndexNamer.compile(params.indexPrefix, params.indexDateFormat);
  const tracespan = IndexNamer.compile(params.tracespanIndexPrefix, params.indexDateFormat);
  if ('error' in logentry || 'error' in tracespan) throw new TypeError('elasticsearch index names were not validated');
  const metrics = new PumpMetrics(env.metrics, 'elasticsearch');
  const pump = new LogPump<BulkDocument>(
    {
      adapter: 'elasticsearch',
      maxBufferedEntries: params.maxBufferedEntries,
      maxBatchEntries: params.maxBatchEntries,
      maxBatchBytes: params.maxBatchSizeBytes,
      pushIntervalMs: params.pushIntervalDuration.toMillis(),
      pushTimeoutMs: params.pushTimeoutDuration.toMillis(),
      backoff: { initialMs: params.initialBackoffDuration.toMillis(), maxMs: params.maxBackoffDuration.toMillis() },
    },
    new BulkSink(await createClient(params, overrides), { action: params.bulkAction, pipeline: params.pipeline }),
    env,
    metrics,
  );
  return new ElasticsearchHandler(pump, { logentry, tracespan }, env, () => metrics.totals);
}
