import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../../core/net/listener-limits.js';

/** Stops a scheduled task. */
export type Cancel = () => void;

/**
 * Where Mixer's own servers listen and the limits they keep. An adapter that opens a listener
 * of its own (the prometheus adapter's /metrics) listens on `host` unless its config names an
 * address, and keeps `limits`.
 */
export interface ListenerDefaults {
  /** The interface: `mixer server --host`, `mixer adapter serve --host` (127.0.0.1 by default). */
  readonly host: string;
  readonly limits: ListenerLimits;
}

/** Loopback with the default limits: the environment of a handler built outside a server. */
export const LOOPBACK_LISTENER: ListenerDefaults = Object.freeze({ host: '127.0.0.1', limits: DEFAULT_LISTENER_LIMITS });

/**
 * What Mixer gives an adapter's handler: a logger, a metrics registry for the adapter's own
 * metrics, a clock, scheduling whose timers are all cancelled when the handler closes (no
 * naked timers), and where listeners go. `signal` is aborted at close, for in-flight I/O.
 */
export interface AdapterEnvironment {
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly signal: AbortSignal;
  readonly listener: ListenerDefaults;
  /** Milliseconds since the epoch (a test clock in tests). */
  now(): number;
  /** Runs `task` once after `delayMs`. Errors are logged, never thrown into Mixer. */
  schedule(task: () => void | Promise<void>, delayMs: number): Cancel;
  /** Runs `task` every `intervalMs` until cancelled or the handler closes. */
  scheduleInterval(task: () => void | Promise<void>, intervalMs: number): Cancel;
}

/**
 * The environment Mixer builds for one handler. `close()` cancels every timer the handler
 * scheduled and aborts `signal`.
 */
export class ManagedEnvironment implements AdapterEnvironment {
  private readonly controller = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly logger: Logger,
    readonly metrics: Registry,
    private readonly clock: () => number = Date.now,
    readonly listener: ListenerDefaults = LOOPBACK_LISTENER,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  now(): number {
    return this.clock();
  }

  schedule(task: () => void | Promise<void>, delayMs: number): Cancel {
    if (this.controller.signal.aborted) return () => undefined;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.run(task);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  scheduleInterval(task: () => void | Promise<void>, intervalMs: number): Cancel {
    if (this.controller.signal.aborted) return () => undefined;
    const timer = setInterval(() => this.run(task), intervalMs);
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearInterval(timer);
      this.timers.delete(timer);
    };
  }

  /** The number of timers still scheduled (for tests and leak checks). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.controller.abort();
  }

  private run(task: () => void | Promise<void>): void {
    try {
      const result = task();
      if (result instanceof Promise) result.catch((error: unknown) => this.logger.error({ err: error }, 'scheduled adapter task failed'));
    } catch (error) {
      this.logger.error({ err: error }, 'scheduled adapter task failed');
    }
  }
}
