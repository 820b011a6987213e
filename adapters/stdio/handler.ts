import { Counter, type Registry } from 'prom-client';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { LogEntryInstance, MetricInstance } from '../../templates/definitions.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { DEFAULT_SEVERITY_LEVELS, LEVEL_RANK } from './levels.js';
import { LineFormatter } from './line-format.js';
import type { LineSink } from './line-sink.js';
import type { Level, StdioParams } from './params.js';

const DROPPED_METRIC = 'mixer_adapter_stdio_dropped_lines_total';

/**
 * Writes logentry and metric instances as lines (JSON or console), one line per instance and
 * one sink write per batch. Lines below outputLevel are skipped; a batch the sink cannot take
 * (too much still unwritten) is dropped and counted.
 *
 * `handleLogEntry` and `handleMetric` resolve only once their lines are written to the OS, and
 * Mixer answers a Report only after its handlers have returned: an acknowledged report is never
 * lost to a killed Mixer holding its lines in memory. A failed write rejects (a handler failure,
 * counted by the dispatcher) and its lines count as dropped.
 */
export class StdioHandler implements HandlerFor<'logentry' | 'metric'> {
  private readonly severityLevels: ReadonlyMap<string, Level>;
  private readonly minimumRank: number;
  private readonly formatter: LineFormatter;
  private readonly dropped: Counter;

  constructor(
    private readonly params: StdioParams,
    private readonly sink: LineSink,
    private readonly env: AdapterEnvironment,
  ) {
    this.severityLevels = new Map(Object.entries({ ...DEFAULT_SEVERITY_LEVELS, ...params.severityLevels }));
    this.minimumRank = LEVEL_RANK[params.outputLevel];
    this.formatter = new LineFormatter(params.outputAsJson);
    this.dropped = droppedCounter(env.metrics);
  }

  handleLogEntry(instances: readonly LogEntryInstance[]): Promise<void> | undefined {
    let now: Timestamp | undefined;
    let text = '';
    let lines = 0;
    for (const instance of instances) {
      const level = this.severityLevels.get(instance.severity ?? '') ?? 'INFO';
      if (LEVEL_RANK[level] < this.minimumRank) continue;
      const time = instance.timestamp ?? (now ??= Timestamp.fromMillis(this.env.now()));
      text += this.formatter.line(level, time, instance.name, undefined, instance.variables);
      lines++;
    }
    return this.write(text, lines);
  }

  handleMetric(instances: readonly MetricInstance[]): Promise<void> | undefined {
    const level = this.params.metricLevel;
    if (instances.length === 0 || LEVEL_RANK[level] < this.minimumRank) return undefined;
    const time = Timestamp.fromMillis(this.env.now());
    let text = '';
    for (const instance of instances) {
      text += this.formatter.line(level, time, instance.name, { name: 'value', value: instance.value }, instance.dimensions);
    }
    return this.write(text, instances.length);
  }

  /** Resolves once every line handed over so far is written (for tests and orderly shutdown). */
  flush(): Promise<void> {
    return this.sink.flush();
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  /** One sink write per batch, settling once it is written; a batch the sink cannot take is dropped and counted. */
  private write(text: string, lines: number): Promise<void> | undefined {
    if (lines === 0) return undefined;
    const written = this.sink.write(text);
    if (written === false) {
      this.dropped.inc(lines);
      this.env.logger.warn({ lines }, 'stdio output is backed up; dropped a batch of lines');
      return undefined;
    }
    return written.catch((error: unknown) => {
      this.dropped.inc(lines);
      throw error;
    });
  }
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
