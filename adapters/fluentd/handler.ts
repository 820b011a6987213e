import type { LogEntryInstance } from '../../templates/definitions.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { BufferedLogHandler } from '../log-buffer/buffered-log-handler.js';
import type { LogPump } from '../log-buffer/log-pump.js';
import type { PumpTotals } from '../log-buffer/pump-metrics.js';
import { estimateEventBytes, toFluentEvent, type FluentEvent } from './fluent-event.js';

/**
 * Turns logentry instances into Fluentd events and hands them to the LogPump, which buffers
 * and delivers them: handleLogEntry returns at once, so Report never waits on Fluentd.
 */
export class FluentdHandler extends BufferedLogHandler<FluentEvent> implements HandlerFor<'logentry'> {
  constructor(
    pump: LogPump<FluentEvent>,
    private readonly integerDuration: boolean,
    private readonly env: AdapterEnvironment,
    totals: () => PumpTotals,
  ) {
    super(pump, totals);
  }

  handleLogEntry(instances: readonly LogEntryInstance[]): void {
    const now = this.env.now();
    this.pump.offer(
      instances.map((instance) => {
        const event = toFluentEvent(instance, this.integerDuration, now);
        return { value: event, bytes: estimateEventBytes(event) };
      }),
    );
  }
}
