import type { ConnectionPool } from './connection-pool.js';
import type { BucketKeys } from './keys.js';
import type { Algorithm } from './params.js';
import { EXPIRED, readScriptReplies, type ScriptReply } from './scripts.js';

/** A dedup record lives at least this long, even when the answer it repeats expires sooner. */
export const DEDUP_MIN_TTL_MS = 1000;

/** Allocations for one bucket sent in one script run, at most. */
export const MAX_BATCH = 128;

/** The reply margin never exceeds this (ms), however long commandTimeout is. */
export const MAX_REPLY_MARGIN_MS = 50;

/**
 * How long before Mixer gives up on a batch its script must have started in Redis (ms): the
 * script's run and its reply's way back (including an fsync, with appendfsync always) fit in
 * this margin, else the reply comes too late and the units stay taken though nobody got them (a
 * late "applied" reply). A wider margin refuses more scripts that would have answered in time.
 */
export function replyMarginMs(commandTimeoutMs: number): number {
  return Math.min(MAX_REPLY_MARGIN_MS, commandTimeoutMs / 5);
}

/**
 * What became of a batch whose reply came after it was answered UNAVAILABLE: `refused` (the
 * script ran after its deadline and took nothing) or `applied` (it ran in time; its units stay
 * taken until the window ends, and a retry with the same deduplication id gets them).
 */
export type LateOutcome = 'refused' | 'applied';

export interface BatcherOptions {
  /** A batch Redis has not answered within this long is answered UNAVAILABLE. */
  readonly commandTimeoutMs: number;
  /** Mixer's clock for windows (the scripts' `now`). */
  readonly now: () => number;
  /** Called with the outcome and the number of allocations of every late reply. */
  readonly onLate: (outcome: LateOutcome, allocations: number) => void;
}

/** The bucket an allocation goes to, and the rules it is held to there. */
export interface BucketTarget {
  /** The bucket's hash tag (quota, dimensions, override): one batch per tag. */
  readonly tag: string;
  readonly keys: BucketKeys;
  readonly algorithm: Algorithm;
  readonly maxAmount: number;
  readonly windowMs: number;
  readonly bucketMs: number;
}

/** One allocation: `dedupKey` is set when the call carries a deduplication id. */
export interface AllocationItem {
  readonly amount: number;
  readonly bestEffort: boolean;
  readonly dedupKey: string | undefined;
}

/** Redis could not be asked, or did not answer (the allocation's outcome is unknown). */
export class RedisUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisUnavailableError';
  }
}

interface Pending {
  readonly target: BucketTarget;
  readonly items: AllocationItem[];
  readonly waiters: Array<{ resolve(reply: ScriptReply | undefined): void; reject(error: unknown): void }>;
  /** Sent and waiting for Redis: the timer that gives up on it. */
  timer: NodeJS.Timeout | undefined;
  /** Answered UNAVAILABLE after commandTimeout: a reply that still comes is only counted. */
  abandoned: boolean;
}

/**
 * Coalesces concurrent allocations: the allocations for one bucket that arrive during one turn
 * of the event loop (every Check that was ready when the loop polled) go to Redis as ONE script
 * run, answered in arrival order. Different buckets are separate runs, sent in the same turn
 * over the pool's connections (pipelined: nobody waits for another's reply). A batch is sent at
 * the latest in the check phase of the turn it was started in, so no allocation waits for a
 * timer; a bucket with MAX_BATCH waiting allocations is sent at once.
 *
 * A batch Redis has not answered within commandTimeout is answered UNAVAILABLE, and must then
 * take nothing: its bytes may already sit in Redis's socket (a stopped or overloaded Redis runs
 * them later) and cannot be called back. So each script carries a deadline in Redis's clock,
 * replyMarginMs before Mixer gives up, and refuses to run past it (scripts.ts); the pool's
 * RedisClock makes that deadline early rather than late. Giving up waits one more turn of the
 * event loop, so a reply that already arrived while the loop was busy is still read.
 */
export class AllocationBatcher {
  private pending = new Map<string, Pending>();
  private scheduled = false;
  private readonly scriptBudgetMs: number;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly options: BatcherOptions,
  ) {
    this.scriptBudgetMs = options.commandTimeoutMs - replyMarginMs(options.commandTimeoutMs);
  }

  /** The bucket's answer for `item` (undefined: Redis replied with something unreadable); rejects with RedisUnavailableError. */
  allocate(target: BucketTarget, item: AllocationItem): Promise<ScriptReply | undefined> {
    return new Promise((resolve, reject) => {
      let batch = this.pending.get(target.tag);
      if (batch === undefined) {
        batch = { target, items: [], waiters: [], timer: undefined, abandoned: false };
        this.pending.set(target.tag, batch);
      }
      batch.items.push(item);
      batch.waiters.push({ resolve, reject });
      if (batch.items.length >= MAX_BATCH) {
        this.pending.delete(target.tag);
        this.send(batch);
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Sends everything waiting now. */
  flush(): void {
    this.scheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const batch of batches.values()) this.send(batch);
  }

  private send(batch: Pending): void {
    const client = this.pool.pick();
    if (client === undefined) {
      this.fail(batch, new RedisUnavailableError('no connection to Redis is ready'));
      return;
    }
    const deadline = this.pool.redisDeadline(this.scriptBudgetMs);
    if (deadline === undefined) {
      this.fail(batch, new RedisUnavailableError("Redis's clock has not been read yet"));
      return;
    }
    const { target, items } = batch;
    const keys = [target.keys.state, target.keys.index, ...items.map((item) => item.dedupKey ?? target.keys.state)];
    const argv: Array<string | number> = [target.maxAmount, target.windowMs, target.bucketMs, Math.floor(this.options.now()), DEDUP_MIN_TTL_MS, deadline];
    for (const item of items) argv.push(item.amount, item.bestEffort ? 1 : 0, item.dedupKey === undefined ? 0 : 1);
    const reply =
      target.algorithm === 'FIXED_WINDOW'
        ? client.redisquotaFixedWindow(keys.length, ...keys, ...argv)
        : client.redisquotaRollingWindow(keys.length, ...keys, ...argv);
    batch.timer = setTimeout(() => setImmediate(() => this.abandon(batch)), this.options.commandTimeoutMs);
    reply.then(
      (value) => this.answer(batch, value),
      (error: unknown) => {
        if (this.stopWaiting(batch)) this.fail(batch, new RedisUnavailableError(error instanceof Error ? error.message : String(error), { cause: error }));
      },
    );
  }

  private answer(batch: Pending, value: unknown): void {
    const replies = readScriptReplies(value, batch.items.length);
    if (!this.stopWaiting(batch)) {
      if (batch.abandoned) this.options.onLate(replies === EXPIRED ? 'refused' : 'applied', batch.items.length);
      return;
    }
    if (replies === EXPIRED) {
      this.pool.readClock();
      this.fail(batch, new RedisUnavailableError('Redis ran the allocation after its deadline (it took nothing)'));
      return;
    }
    batch.waiters.forEach((waiter, index) => waiter.resolve(replies?.[index]));
  }

  /** commandTimeout has passed and no reply was read: UNAVAILABLE; a later reply is only counted. */
  private abandon(batch: Pending): void {
    if (!this.stopWaiting(batch)) return;
    batch.abandoned = true;
    this.fail(batch, new RedisUnavailableError(`Redis did not answer within commandTimeout (${this.options.commandTimeoutMs} ms)`));
  }

  /** True for the first of reply, failure and timeout to end the wait; the others only look. */
  private stopWaiting(batch: Pending): boolean {
    if (batch.timer === undefined) return false;
    clearTimeout(batch.timer);
    batch.timer = undefined;
    return true;
  }

  private fail(batch: Pending, error: RedisUnavailableError): void {
    for (const waiter of batch.waiters) waiter.reject(error);
  }
}
