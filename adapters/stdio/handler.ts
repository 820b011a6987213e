import { Counter, type Registry } from 'prom-client';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { LogEntryInstance, MetricInstance } from '../../templates/definitions.js';
import type { InstanceValue } from '../../templates/template.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { DEFAULT_SEVERITY_LEVELS, LEVEL_RANK } from './levels.js';
import { formatConsoleLine, formatJsonLine, type LogRecord } from './line-format.js';
import type { LineSink } from './line-sink.js';
import type { Level, StdioParams } from './params.js';

const DROPPED_METRIC = 'mixer_adapter_stdio_dropped_lines_total';

/**
 * Writes logentry and metric instances as lines (JSON or console), one line per instance and
 * one sink write per batch. Lines below outputLevel are skipped; a batch the sink cannot take
 * (too much still unwritten) is dropped and counted.
 */
export class StdioHandler implements HandlerFor<'logentry' | 'metric'> {
  private readonly severityLevels: ReadonlyMap<string, Level>;
  private readonly minimumRank: number;
  private readonly format: (record: LogRecord) => string;
  private readonly dropped: Counter;

  constructor(
    private readonly params: StdioParams,
    private readonly sink: LineSink,
    private readonly env: AdapterEnvironment,
  ) {
    this.severityLevels = new Map(Object.entries({ ...DEFAULT_SEVERITY_LEVELS, ...params.severityLevels }));
    this.minimumRank = LEVEL_RANK[params.outputLevel];
    this.format = params.outputAsJson ? formatJsonLine : formatConsoleLine;
    this.dropped = droppedCounter(env.metrics);
  }

  handleLogEntry(instances: readonly LogEntryInstance[]): void {
    const now = this.env.now();
    this.emit(
      instances.map((instance) => ({
        level: this.severityLevels.get(instance.severity ?? '') ?? 'INFO',
        time: instance.timestamp ?? Timestamp.fromMillis(now),
        instance: instance.name,
        fields: sortedFields(instance.variables),
      })),
    );
  }

  handleMetric(instances: readonly MetricInstance[]): void {
    const time = Timestamp.fromMillis(this.env.now());
    this.emit(
      instances.map((instance) => ({
        level: this.params.metricLevel,
        time,
        instance: instance.name,
        fields: [['value', instance.value] as const, ...sortedFields(instance.dimensions)],
      })),
    );
  }

  /** Resolves once every line handed over so far is written (for tests and orderly shutdown). */
  flush(): Promise<void> {
    return this.sink.flush();
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  private emit(records: readonly LogRecord[]): void {
    let text = '';
    let lines = 0;
    for (const record of records) {
      if (LEVEL_RANK[record.level] < this.minimumRank) continue;
      text += this.format(record);
      lines++;
    }
    if (lines === 0) return;
    if (!this.sink.write(text)) {
      this.dropped.inc(lines);
      this.env.logger.warn({ lines }, 'stdio output is backed up; dropped a batch of lines');
    }
  }
}

/** Variables or dimensions in name order, unset ones left out. */
function sortedFields(values: Readonly<Record<string, InstanceValue>>): Array<readonly [string, InstanceValue]> {
  return Object.keys(values)
    .sort()
    .filter((name) => values[name] !== undefined)
    .map((name) => [name, values[name]] as const);
}

/** The drop counter in the handler's registry (Mixer labels it with the handler and adapter names). */
function droppedCounter(registry: Registry): Counter {
  const existing = registry.getSingleMetric(DROPPED_METRIC);
  if (existing instanceof Counter) return existing;
  return new Counter({
    name: DROPPED_METRIC,
    help: 'Log and metric lines the stdio adapter dropped because its output was backed up.',
    registers: [registry],
  });
}
