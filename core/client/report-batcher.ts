import type { AttributeBag } from '../attribute/bag.js';
import { RpcCode } from '../status/rpc-code.js';
import type { ClientClock, TimerHandle } from './client-clock.js';
import { RateLimitedWarning, type ClientLogger } from './client-logger.js';
import type { ReportBatchOptions } from './client-options.js';
import { callWithTimeout, retryDelayMs } from './call-policy.js';
import type { ReportBatchBuilder, TransportError } from './transport.js';

/** Sends one batch (with its builder when it has one holding all its entries); rejects with TransportError. */
export type SendReports = (batch: readonly AttributeBag[], signal: AbortSignal, built: ReportBatchBuilder | undefined) => Promise<void>;

export interface ReportBatcherStatistics {
  /** Reports handed to the batcher. */
  readonly reports: number;
  /** Batches Mixer accepted. */
  readonly batchesSent: number;
  /** Report calls that failed (each attempt counts). */
  readonly batchFailures: number;
  /** Batches resent after a failure. */
  readonly retries: number;
  /** Reports dropped: over the buffer cap, out of retries, not retryable, or after close. */
  readonly dropped: number;
  /** Reports held now: batching, queued, retrying or in flight. */
  readonly buffered: number;
}

/** Failures worth sending again: Mixer away, slow or shedding load (not a rejected request). */
const RETRYABLE = new Set<RpcCode>([RpcCode.UNAVAILABLE, RpcCode.DEADLINE_EXCEEDED, RpcCode.RESOURCE_EXHAUSTED, RpcCode.ABORTED]);

/** Dropped reports are logged at warn at once, then at most this often, with the counts since. */
const DROP_WARNING_INTERVAL_MS = 10_000;

/** Why reports were dropped (the `reason` of the warning). */
type DropReason = 'buffer full' | 'out of retries' | 'not retryable' | 'client closed';

interface Batch {
  readonly sequence: number;
  entries: AttributeBag[];
  /** Failed sends that may have reached Mixer (the ones that count against maxRetries). */
  attempts: number;
  /** The entries serialized as they came; dropped when entries are dropped. */
  built: ReportBatchBuilder | undefined;
}

/**
 * Report batching (§4.4): a batch goes out when it reaches `maxBatchEntries` or
 * `maxBatchTimeMs` after its first entry (a one-shot timer), and on close.
 *
 * The delivery guarantee: a batch leaves the buffer only when Mixer acknowledged it (answered
 * OK: its handlers have taken it) or when it is dropped, and every drop is counted
 * (`statistics().dropped`) and logged at warn (at once, then at most every 10 s with the
 * counts since). Unlike Istio, which dropped a failed batch, a batch that fails with a
 * retryable status (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED) is kept and
 * resent. Sending pauses with exponential backoff (`baseRetryMs` doubling up to `maxRetryMs`,
 * jittered), then one batch at a time probes Mixer until one gets through. A send that never
 * reached Mixer (no connection: Mixer is down or restarting) costs the batch nothing, so a
 * Mixer that is away for a while loses nothing; a send that may have reached it (the
 * connection lost after sending, a timeout, an error status) is one of the batch's
 * `maxRetries`, after which it is dropped, so a batch that keeps failing (or keeps killing
 * Mixer) cannot block the rest forever. A batch whose answer was lost may reach Mixer twice:
 * delivery is at least once. Memory is bounded: past `maxBufferedEntries` the oldest waiting
 * reports are dropped. Other failures (a rejected request) are dropped at once, and on close
 * everything left is sent once more without a backoff; what fails then is dropped.
 */
export class ReportBatcher {
  private current: AttributeBag[] = [];
  private currentBuilt: ReportBatchBuilder | undefined;
  private batchTimer: TimerHandle | undefined;
  private readonly queue: Batch[] = [];
  private nextSequence = 0;
  private inFlight = 0;
  private inFlightEntries = 0;
  private queuedEntries = 0;
  private pauseTimer: TimerHandle | undefined;
  private consecutiveFailures = 0;
  /** After a failure one batch at a time probes Mixer, until one gets through. */
  private probing = false;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private readonly failureLog: RateLimitedWarning;
  private lastDropWarning: number | undefined;
  private droppedSinceWarning = 0;
  private stats = { reports: 0, batchesSent: 0, batchFailures: 0, retries: 0, dropped: 0 };

  constructor(
    private readonly send: SendReports,
    private readonly options: Required<ReportBatchOptions>,
    private readonly clock: ClientClock,
    private readonly random: () => number,
    private readonly logger: ClientLogger,
    private readonly startBatch: () => ReportBatchBuilder | undefined = () => undefined,
  ) {
    this.failureLog = new RateLimitedWarning(logger);
  }

  statistics(): ReportBatcherStatistics {
    return { ...this.stats, buffered: this.buffered };
  }

  private get buffered(): number {
    return this.current.length + this.queuedEntries + this.inFlightEntries;
  }

  add(entry: AttributeBag): void {
    this.stats.reports++;
    if (this.closing) {
      this.drop(1, 'client closed');
      return;
    }
    if (this.current.length === 0) this.currentBuilt = this.startBatch();
    this.current.push(entry);
    try {
      this.currentBuilt?.add(entry);
    } catch {
      // The batch is encoded at send time instead, where a failure is reported like any other.
      this.currentBuilt = undefined;
    }
    this.enforceCap();
    if (this.current.length >= this.options.maxBatchEntries) this.flush();
    else if (this.current.length === 1) this.batchTimer = this.clock.setTimer(this.options.maxBatchTimeMs, () => this.flush());
  }

  /** Sends the batch being filled now. */
  flush(): void {
    this.batchTimer?.cancel();
    this.batchTimer = undefined;
    if (this.current.length === 0) return;
    this.enqueue({ sequence: this.nextSequence++, entries: this.current, attempts: 0, built: this.currentBuilt });
    this.current = [];
    this.currentBuilt = undefined;
    this.pump();
  }

  /** Resolves when nothing is queued or in flight (a retry pause counts as queued). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Flushes, then sends everything queued once more without waiting out a backoff; failures are dropped now. */
  async close(): Promise<void> {
    this.closing = true;
    this.flush();
    this.pauseTimer?.cancel();
    this.pauseTimer = undefined;
    this.pump();
    await this.whenIdle();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0 && this.current.length === 0;
  }

  /** Queues in sequence order, so a batch put back after a failure goes out before newer ones. */
  private enqueue(batch: Batch): void {
    let index = this.queue.length;
    while (index > 0 && this.queue[index - 1]!.sequence > batch.sequence) index--;
    this.queue.splice(index, 0, batch);
    this.queuedEntries += batch.entries.length;
  }

  private enforceCap(): void {
    let excess = this.buffered - this.options.maxBufferedEntries;
    while (excess > 0 && this.queue.length > 0) {
      const oldest = this.queue[0]!;
      const dropped = Math.min(excess, oldest.entries.length);
      oldest.entries = oldest.entries.slice(dropped);
      oldest.built = undefined;
      this.queuedEntries -= dropped;
      this.drop(dropped, 'buffer full');
      excess -= dropped;
      if (oldest.entries.length === 0) this.queue.shift();
    }
    if (excess > 0) {
      const dropped = Math.min(excess, this.current.length);
      this.current = this.current.slice(dropped);
      this.currentBuilt = undefined;
      this.drop(dropped, 'buffer full');
    }
  }

  private pump(): void {
    const limit = this.probing && !this.closing ? 1 : this.options.maxInFlight;
    while (this.pauseTimer === undefined && this.inFlight < limit && this.queue.length > 0) {
      const batch = this.queue.shift()!;
      this.queuedEntries -= batch.entries.length;
      this.dispatch(batch);
    }
    this.notifyIfIdle();
  }

  private dispatch(batch: Batch): void {
    const size = batch.entries.length;
    this.inFlight++;
    this.inFlightEntries += size;
    // No longer in flight before a failed batch is queued again: counted twice, it would push
    // its own entries over the buffer cap.
    const landed = (): void => {
      this.inFlight--;
      this.inFlightEntries -= size;
    };
    callWithTimeout(this.clock, this.options.timeoutMs, undefined, (signal) => this.send(batch.entries, signal, batch.built))
      .then(
        () => {
          landed();
          this.stats.batchesSent++;
          this.consecutiveFailures = 0;
          this.probing = false;
        },
        (error: TransportError) => {
          landed();
          this.failed(batch, error);
        },
      )
      .finally(() => this.pump())
      .catch(() => undefined);
  }

  private failed(batch: Batch, error: TransportError): void {
    this.stats.batchFailures++;
    // An unsent batch never reached Mixer: resending it cannot count twice, and Mixer's
    // absence is not the batch's fault, so it spends none of the batch's retries.
    const spendsRetry = !error.unsent;
    const outOfRetries = spendsRetry && batch.attempts >= this.options.maxRetries;
    const reason: DropReason | undefined = this.closing ? 'client closed' : !RETRYABLE.has(error.rpcCode) ? 'not retryable' : outOfRetries ? 'out of retries' : undefined;
    this.failureLog.log(
      { code: RpcCode[error.rpcCode], error: error.message, unsent: error.unsent, entries: batch.entries.length, attempts: batch.attempts + (spendsRetry ? 1 : 0), dropping: reason !== undefined },
      'Mixer Report failed',
    );
    if (reason !== undefined) {
      this.drop(batch.entries.length, reason);
      return;
    }
    if (spendsRetry) batch.attempts++;
    this.stats.retries++;
    this.probing = true;
    this.enqueue(batch);
    this.enforceCap();
    if (this.pauseTimer === undefined) {
      const delay = retryDelayMs(this.consecutiveFailures++, this.options.baseRetryMs, this.options.maxRetryMs, this.random);
      this.logger.debug({ delayMs: delay }, 'Report sending paused after a failure');
      this.pauseTimer = this.clock.setTimer(delay, () => {
        this.pauseTimer = undefined;
        this.pump();
      });
    }
  }

  /** Counts dropped reports and says so: at once, then at most every DROP_WARNING_INTERVAL_MS (no log call per report). */
  private drop(entries: number, reason: DropReason): void {
    this.stats.dropped += entries;
    this.droppedSinceWarning += entries;
    const now = this.clock.now();
    if (this.lastDropWarning !== undefined && now - this.lastDropWarning < DROP_WARNING_INTERVAL_MS) return;
    this.lastDropWarning = now;
    this.logger.warn({ reason, entries, droppedSinceLastWarning: this.droppedSinceWarning, droppedTotal: this.stats.dropped }, 'Mixer reports dropped');
    this.droppedSinceWarning = 0;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle() || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
