import type { LogPump } from './log-pump.js';
import type { PumpTotals } from './pump-metrics.js';

/**
 * What every handler that delivers through a LogPump shares: its counters, its backlog, and
 * flushing and closing the pump. Subclasses turn instances into entries and `offer` them.
 */
export abstract class BufferedLogHandler<Entry> {
  constructor(
    protected readonly pump: LogPump<Entry>,
    private readonly totals: () => PumpTotals,
  ) {}

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
