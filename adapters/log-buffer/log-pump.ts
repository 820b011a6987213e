import type { AdapterEnvironment, Cancel } from '../sdk/environment.js';
import { ExponentialBackoff, type BackoffPolicy } from './backoff.js';
import type { BatchSink, SendOutcome } from './batch-sink.js';
import { BoundedQueue, type Sized } from './bounded-queue.js';
import type { PumpMetrics } from './pump-metrics.js';

/** How long close() waits for deliveries at most (less when the push timeout is shorter). */
export const CLOSE_GRACE_MS = 5000;

/** How a LogPump buffers and batches (already validated params). */
export interface LogPumpOptions {
  /** The adapter's name, for log lines. */
  readonly adapter: string;
  /** Entries buffered at most; beyond that the oldest are dropped. */
  readonly maxBufferedEntries: number;
  /** A batch holds at most this many entries (Infinity: no limit). */
  readonly maxBatchEntries: number;
  /** A batch holds at most this many bytes (one oversized entry still goes alone). */
  readonly maxBatchBytes: number;
  /** Buffered entries are sent at least this often. */
  readonly pushIntervalMs: number;
  /** One delivery attempt is abandoned (and retried) after this long. */
  readonly pushTimeoutMs: number;
  readonly backoff: BackoffPolicy;
}

/**
 * The bounded buffer between Mixer's Report path and a log endpoint. `offer` only appends to
 * memory and returns: Report never waits on the network. Entries go out in batches every push
 * interval, or as soon as a full batch is waiting, one delivery at a time. A failed delivery
 * puts the undelivered entries back at the front and waits with exponential backoff; when the
 * buffer is full the oldest entries are dropped, counted, and summarised in one log line per
 * push interval (never one line per entry).
 */
export class LogPump<T> {
  private readonly queue: BoundedQueue<T>;
  private readonly backoff: ExponentialBackoff;
  private readonly cancelInterval: Cancel;
  private cancelRetry: Cancel | undefined;
  private retryDue: number | undefined;
  private inFlight: Promise<void> | undefined;
  private flushAgain = false;
  private droppedSinceLog = 0;
  private dropWarned = false;
  private closing = false;
  private shutdown: Promise<void> | undefined;
  /** Aborted when close() has waited long enough: deliveries in flight give up. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly options: LogPumpOptions,
    private readonly sink: BatchSink<Sized<T>>,
    private readonly env: AdapterEnvironment,
    private readonly metrics: PumpMetrics,
  ) {
    this.queue = new BoundedQueue(options.maxBufferedEntries);
    this.backoff = new ExponentialBackoff(options.backoff);
    this.cancelInterval = env.scheduleInterval(() => this.onInterval(), options.pushIntervalMs);
  }

  /** Entries waiting to be sent. */
  get buffered(): number {
    return this.queue.length;
  }

  /** True while deliveries fail and the next attempt waits for its backoff. */
  get backingOff(): boolean {
    return this.retryDue !== undefined;
  }

  /** Buffers entries (with their sizes) without waiting; starts a delivery when a full batch is waiting. */
  offer(entries: ReadonlyArray<Sized<T>>): void {
    if (entries.length === 0) return;
    if (this.closing) {
      this.metrics.dropped('closed', entries.length);
      return;
    }
    const dropped = this.queue.pushBack(entries);
    this.noteDropped(dropped);
    this.metrics.buffered(this.queue.length);
    if (this.queue.length >= this.options.maxBatchEntries || this.queue.bytes >= this.options.maxBatchBytes) void this.flush();
  }

  /**
   * Sends what is buffered, batch after batch, unless a backoff is pending. Resolves when this
   * round of deliveries is over (tests and close use it); never rejects.
   */
  flush(): Promise<void> {
    if (this.inFlight !== undefined) {
      this.flushAgain = true;
      return this.inFlight;
    }
    const round = this.drain().finally(() => {
      this.inFlight = undefined;
      if (this.flushAgain && !this.closing) {
        this.flushAgain = false;
        void this.flush();
      }
    });
    this.inFlight = round;
    return round;
  }

  /**
   * Stops the timers, makes a last delivery attempt (unless the endpoint is failing), then
   * counts what is left as dropped and closes the sink. Waits at most min(push timeout, 5s)
   * for deliveries: an endpoint that does not answer cannot hold up a config change.
   */
  close(): Promise<void> {
    this.shutdown ??= this.stop();
    return this.shutdown;
  }

  private async stop(): Promise<void> {
    this.cancelInterval();
    this.cancelRetry?.();
    const graceMs = Math.min(this.options.pushTimeoutMs, CLOSE_GRACE_MS);
    const cancelGrace = this.env.schedule(() => this.stopping.abort(new Error(`handler closing: gave up after ${graceMs}ms`)), graceMs);
    await this.settled();
    if (this.retryDue === undefined && !this.stopping.signal.aborted) {
      await this.flush();
      await this.settled();
    }
    cancelGrace();
    this.cancelRetry?.();
    this.closing = true;
    this.logDrops();
    const left = this.queue.drain().length;
    if (left > 0) {
      this.metrics.dropped('closed', left);
      this.env.logger.warn({ adapter: this.options.adapter, entries: left }, 'log adapter closed with undelivered entries; dropped them');
    }
    this.metrics.buffered(0);
    await this.sink.close();
  }

  /** Resolves once no delivery is in flight (tests step a manual clock, then wait for this). */
  async settled(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  /** Timer tasks start a delivery and return: a hanging endpoint must not hold the scheduler. */
  private onInterval(): void {
    this.logDrops();
    this.dropWarned = false;
    void this.flush();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.retryDue === undefined && !this.stopping.signal.aborted) {
      const batch = this.queue.takeBatch(this.options.maxBatchEntries, this.options.maxBatchBytes);
      this.metrics.buffered(this.queue.length);
      const outcome = await this.deliver(batch);
      const retry = outcome.retry;
      this.metrics.sent(batch.length - retry.length - outcome.rejected);
      if (outcome.rejected > 0) {
        this.metrics.dropped('rejected', outcome.rejected);
        this.env.logger.warn(
          { adapter: this.options.adapter, entries: outcome.rejected, err: outcome.error },
          'log endpoint rejected entries; dropped them',
        );
      }
      if (retry.length === 0) {
        if (this.backoff.consecutiveFailures > 0) {
          this.env.logger.info({ adapter: this.options.adapter, failedAttempts: this.backoff.consecutiveFailures }, 'log endpoint accepts entries again');
        }
        this.backoff.reset();
        continue;
      }
      this.metrics.retried(retry.length);
      this.noteDropped(this.queue.pushFront(retry));
      this.metrics.buffered(this.queue.length);
      if (this.stopping.signal.aborted) return;
      this.scheduleRetry(outcome.error);
    }
  }

  private scheduleRetry(error: Error | undefined): void {
    const delayMs = this.backoff.nextDelayMs();
    this.env.logger.warn(
      { adapter: this.options.adapter, err: error, attempt: this.backoff.consecutiveFailures, retryInMs: delayMs, buffered: this.queue.length },
      'log delivery failed; retrying with backoff',
    );
    this.retryDue = this.env.now() + delayMs;
    this.cancelRetry = this.env.schedule(() => {
      this.retryDue = undefined;
      this.cancelRetry = undefined;
      void this.flush();
    }, delayMs);
  }

  /** One delivery, bounded by the push timeout and the handler's lifetime. */
  private async deliver(batch: ReadonlyArray<Sized<T>>): Promise<SendOutcome<Sized<T>>> {
    const timeout = new AbortController();
    const cancelTimeout = this.env.schedule(() => timeout.abort(new Error(`no answer within ${this.options.pushTimeoutMs}ms`)), this.options.pushTimeoutMs);
    const signal = AbortSignal.any([timeout.signal, this.env.signal, this.stopping.signal]);
    try {
      // The sink should settle on abort itself; the race keeps a sink that does not from holding the pump.
      return await Promise.race([this.sink.send(batch, signal), abandoned(signal, batch)]);
    } catch (error) {
      // Sinks report failures in the outcome; a throw is a bug, so retry rather than lose entries.
      return { retry: batch, rejected: 0, error: error instanceof Error ? error : new Error(String(error)) };
    } finally {
      cancelTimeout();
    }
  }

  /** Counts drops; the first drop of a push interval is logged at once, the rest at the interval's end. */
  private noteDropped(count: number): void {
    if (count === 0) return;
    this.metrics.dropped('buffer_full', count);
    this.droppedSinceLog += count;
    if (!this.dropWarned) {
      this.dropWarned = true;
      this.logDrops();
    }
  }

  private logDrops(): void {
    if (this.droppedSinceLog === 0) return;
    this.env.logger.warn(
      { adapter: this.options.adapter, dropped: this.droppedSinceLog, capacity: this.options.maxBufferedEntries },
      'log buffer full; dropped the oldest entries',
    );
    this.droppedSinceLog = 0;
  }
}

/** Settles with "retry everything" once `signal` aborts. */
function abandoned<T>(signal: AbortSignal, batch: readonly T[]): Promise<SendOutcome<T>> {
  return new Promise((resolve) => {
    const settle = (): void => {
      const reason: unknown = signal.reason;
      resolve({ retry: batch, rejected: 0, error: reason instanceof Error ? reason : new Error('delivery abandoned') });
    };
    if (signal.aborted) settle();
    else signal.addEventListener('abort', settle, { once: true });
  });
}
