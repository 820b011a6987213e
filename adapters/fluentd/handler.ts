import type { LogEntryInstance } from '../../templates/definitions.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import type { LogPump } from '../log-buffer/log-pump.js';
import type { PumpTotals } from '../log-buffer/pump-metrics.js';
import { estimateEventBytes, toFluentEvent, type FluentEvent } from './fluent-event.js';

/**
 * Turns logentry instances into Fluentd events and hands them to the LogPump, which buffers
 * and delivers them: handleLogEntry returns at once, so Report never waits on Fluentd.
 */
export class FluentdHandler implements HandlerFor<'logentry'> {
  constructor(
    private readonly pump: LogPump<FluentEvent>,
    private readonly integerDuration: boolean,
    private readonly env: AdapterEnvironment,
    private readonly totals: () => PumpTotals,
  ) {}

  handleLogEntry(instances: readonly LogEntryInstance[]): void {
    const now = this.env.now();
    this.pump.offer(
      instances.map((instance) => {
        const event = toFluentEvent(instance, this.integerDuration, now);
        return { value: event, bytes: estimateEventBytes(event) };
      }),
    );
  }

  /** Entries sent, retried and dropped so far (the same numbers as the handler's metrics). */
  get stats(): PumpTotals {
    return this.totals();
  }

  /** Entries waiting to be delivered. */
  get buffered(): number {
    return this.pump.buffered;
  }

  /** Sends what is buffered now; resolves when that delivery round is over (tests, shutdown). */
  flush(): Promise<void> {
    return this.pump.flush();
  }

  close(): Promise<void> {
    return this.pump.close();
  }
}
