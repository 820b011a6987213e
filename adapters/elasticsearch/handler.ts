import type { LogEntryInstance, TraceSpanInstance } from '../../templates/definitions.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { BufferedLogHandler } from '../log-buffer/buffered-log-handler.js';
import type { LogPump } from '../log-buffer/log-pump.js';
import type { PumpTotals } from '../log-buffer/pump-metrics.js';
import { bulkBytes } from './bulk-sink.js';
import { logEntryDocument, logEntryTime, traceSpanDocument, traceSpanTime, type BulkDocument } from './documents.js';
import type { IndexNamer } from './index-name.js';

/** Index namers per template. */
export interface IndexNamers {
  readonly logentry: IndexNamer;
  readonly tracespan: IndexNamer;
}

/**
 * Turns logentry and tracespan instances into documents for dated indices and hands them to
 * the LogPump, which batches them into bulk requests: the handle methods return at once, so
 * Report never waits on Elasticsearch.
 */
export class ElasticsearchHandler extends BufferedLogHandler<BulkDocument> implements HandlerFor<'logentry' | 'tracespan'> {
  constructor(
    pump: LogPump<BulkDocument>,
    private readonly indices: IndexNamers,
    private readonly env: AdapterEnvironment,
    totals: () => PumpTotals,
  ) {
    super(pump, totals);
  }

  handleLogEntry(instances: readonly LogEntryInstance[]): void {
    const now = this.env.now();
    this.pump.offer(
      instances.map((instance) => {
        const time = logEntryTime(instance, now);
        return sized({ index: this.indices.logentry.nameFor(time), source: logEntryDocument(instance, time) });
      }),
    );
  }

  handleTraceSpan(instances: readonly TraceSpanInstance[]): void {
    const now = this.env.now();
    this.pump.offer(
      instances.map((span) => {
        const time = traceSpanTime(span, now);
        return sized({ index: this.indices.tracespan.nameFor(time), source: traceSpanDocument(span, time) });
      }),
    );
  }
}

function sized(document: BulkDocument): { value: BulkDocument; bytes: number } {
  return { value: document, bytes: bulkBytes(document) };
}
