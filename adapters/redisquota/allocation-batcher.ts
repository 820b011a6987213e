import type { ConnectionPool } from './connection-pool.js';
import type { BucketKeys } from './keys.js';
import type { Algorithm } from './params.js';
import { readScriptReplies, type ScriptReply } from './scripts.js';

/** A dedup record lives at least this long, even when the answer it repeats expires sooner. */
export const DEDUP_MIN_TTL_MS = 1000;

/** Allocations for one bucket sent in one script run, at most. */
export const MAX_BATCH = 128;

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
}

/**
 * Coalesces concurrent allocations: the allocations for one bucket that arrive during one turn
 * of the event loop (every Check that was ready when the loop polled) go to Redis as ONE script
 * run, answered in arrival order. Different buckets are separate runs, sent in the same turn
 * over the pool's connections (pipelined: nobody waits for another's reply). A batch is sent at
 * the latest in the check phase of the turn it was started in, so no allocation waits for a
 * timer; a bucket with MAX_BATCH waiting allocations is sent at once.
 */
export class AllocationBatcher {
  private pending = new Map<string, Pending>();
  private scheduled = false;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly now: () => number,
  ) {}

  /** The bucket's answer for `item` (undefined: Redis replied with something unreadable); rejects with RedisUnavailableError. */
  allocate(target: BucketTarget, item: AllocationItem): Promise<ScriptReply | undefined> {
    return new Promise((resolve, reject) => {
      let batch = this.pending.get(target.tag);
      if (batch === undefined) {
        batch = { target, items: [], waiters: [] };
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
    const { target, items } = batch;
    const keys = [target.keys.state, target.keys.index, ...items.map((item) => item.dedupKey ?? target.keys.state)];
    const argv: Array<string | number> = [target.maxAmount, target.windowMs, target.bucketMs, Math.floor(this.now()), DEDUP_MIN_TTL_MS];
    for (const item of items) argv.push(item.amount, item.bestEffort ? 1 : 0, item.dedupKey === undefined ? 0 : 1);
    const reply =
      target.algorithm === 'FIXED_WINDOW'
        ? client.redisquotaFixedWindow(keys.length, ...keys, ...argv)
        : client.redisquotaRollingWindow(keys.length, ...keys, ...argv);
    reply.then(
      (value) => {
        const replies = readScriptReplies(value, items.length);
        batch.waiters.forEach((waiter, index) => waiter.resolve(replies?.[index]));
      },
      (error: unknown) => this.fail(batch, new RedisUnavailableError(error instanceof Error ? error.message : String(error), { cause: error })),
    );
  }

  private fail(batch: Pending, error: RedisUnavailableError): void {
    for (const waiter of batch.waiters) waiter.reject(error);
  }
}
