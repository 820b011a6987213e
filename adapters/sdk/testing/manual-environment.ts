import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { LOOPBACK_LISTENER, type AdapterEnvironment, type Cancel, type ListenerDefaults } from '../environment.js';

interface VirtualTimer {
  readonly id: number;
  due: number;
  readonly intervalMs: number | undefined;
  readonly task: () => void | Promise<void>;
}

export interface ManualEnvironmentOptions {
  /** The clock's start, in milliseconds since the epoch (default 2020-01-01T00:00:00Z). */
  readonly startMs?: number;
  readonly logger?: Logger;
  readonly metrics?: Registry;
  /** Where listeners go (default: loopback, the default limits). */
  readonly listener?: ListenerDefaults;
}

/**
 * An AdapterEnvironment for tests: a manual clock and virtual timers. Nothing runs until the
 * test calls `advance(ms)`, which moves the clock to each due timer in turn, runs it and awaits
 * what it returns (so a refresh that fetches over HTTP has finished when `advance` resolves).
 * Task failures are collected in `errors` instead of being logged.
 */
export class ManualEnvironment implements AdapterEnvironment {
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly listener: ListenerDefaults;
  /** Errors thrown or rejected by scheduled tasks, in order. */
  readonly errors: unknown[] = [];

  private readonly controller = new AbortController();
  private readonly timers = new Map<number, VirtualTimer>();
  private clock: number;
  private nextId = 1;

  constructor(options: ManualEnvironmentOptions = {}) {
    this.clock = options.startMs ?? Date.UTC(2020, 0, 1);
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.metrics = options.metrics ?? new Registry();
    this.listener = options.listener ?? LOOPBACK_LISTENER;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Timers still scheduled (one per interval, however often it ran). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  now(): number {
    return this.clock;
  }

  schedule(task: () => void | Promise<void>, delayMs: number): Cancel {
    return this.add(task, delayMs, undefined);
  }

  scheduleInterval(task: () => void | Promise<void>, intervalMs: number): Cancel {
    return this.add(task, intervalMs, Math.max(1, intervalMs));
  }

  /**
   * Moves the clock forward by `ms`, running every timer that falls due on the way, in due-time
   * order (ties in scheduling order), each with the clock set to its due time.
   */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError('cannot move the clock backwards');
    const target = this.clock + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.clock = next.due;
      if (next.intervalMs === undefined) this.timers.delete(next.id);
      else next.due += next.intervalMs;
      await this.run(next.task);
    }
    this.clock = target;
  }

  /** Cancels every timer and aborts `signal`, as Mixer does when the handler closes. */
  close(): void {
    this.timers.clear();
    this.controller.abort();
  }

  private add(task: () => void | Promise<void>, delayMs: number, intervalMs: number | undefined): Cancel {
    if (this.closed) return () => undefined;
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.clock + Math.max(0, delayMs), intervalMs, task });
    return () => {
      this.timers.delete(id);
    };
  }

  private nextDue(limit: number): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const timer of this.timers.values()) {
      if (timer.due <= limit && (best === undefined || timer.due < best.due)) best = timer;
    }
    return best;
  }

  private async run(task: () => void | Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.errors.push(error);
    }
  }
}
