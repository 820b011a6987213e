import { RpcCode } from '../../core/status/rpc-code.js';
import { OK_STATUS, rpcStatus, type RpcStatus } from '../../core/status/rpc-status.js';
import type { QuotaInstance } from '../../templates/definitions.js';
import type { CallContext, QuotaArgs, QuotaResult } from '../../templates/handler-contract.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import type { AllocationMetrics } from './allocation-metrics.js';
import type { ConnectionPool } from './connection-pool.js';
import { AllocationBatcher, type BucketTarget } from './allocation-batcher.js';
import { bucketKeys, bucketTag, dedupKey } from './keys.js';
import { selectLimit, type QuotaLimits } from './limits.js';
import type { FailPolicy } from './params.js';
import type { ScriptReply } from './scripts.js';

/** Istio's answers. */
const EXHAUSTED: RpcStatus = Object.freeze(rpcStatus(RpcCode.RESOURCE_EXHAUSTED, 'redisquota: Resource exhausted'));
const UNAVAILABLE_STATUS: RpcStatus = Object.freeze(rpcStatus(RpcCode.UNAVAILABLE, 'redisquota: Service Unavailable'));
const UNAVAILABLE: QuotaResult = Object.freeze({ status: UNAVAILABLE_STATUS, grantedAmount: 0, validDurationMs: 0 });
const INTERNAL: QuotaResult = Object.freeze({
  status: Object.freeze(rpcStatus(RpcCode.INTERNAL, 'redisquota: Internal Error')),
  grantedAmount: 0,
  validDurationMs: 0,
});
const NOTHING: QuotaResult = Object.freeze({ status: OK_STATUS, grantedAmount: 0, validDurationMs: 0 });

/** How long a FAIL_OPEN grant made without Redis stays valid, so callers come back soon. */
export const FAIL_OPEN_VALID_MS = 1000;

/** How often (at most) a failing allocation is logged. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

/**
 * Redis-backed rate limits (Istio's redisquota). Allocations run as atomic scripts on the
 * bucket's keys (FIXED_WINDOW or ROLLING_WINDOW), so several Mixer processes sharing a Redis
 * never grant more than the limit; deduplication ids are kept in Redis beside the bucket.
 * Concurrent allocations for one bucket share one script run (AllocationBatcher), and runs for
 * different buckets pipeline on the pool's connections.
 *
 * Answers: a grant is OK with the time left in the window as `validDurationMs`; nothing granted
 * is RESOURCE_EXHAUSTED; Redis unreachable, timing out or failing is UNAVAILABLE at once
 * (never queued), granting nothing (FAIL_CLOSE) or the amount asked for (FAIL_OPEN); a reply of
 * the wrong shape is INTERNAL. A negative amount releases units. An allocation answered
 * UNAVAILABLE after commandTimeout takes nothing later: its script carries a deadline in Redis's
 * clock and refuses to run past it (AllocationBatcher).
 */
export class RedisQuotaHandler implements HandlerFor<'quota'> {
  private lastFailureLog = Number.NEGATIVE_INFINITY;
  private readonly batcher: AllocationBatcher;

  constructor(
    private readonly limits: ReadonlyMap<string, QuotaLimits>,
    private readonly pool: ConnectionPool,
    private readonly env: AdapterEnvironment,
    private readonly metrics: AllocationMetrics,
    private readonly failPolicy: FailPolicy,
  ) {
    this.batcher = new AllocationBatcher(pool, {
      commandTimeoutMs: pool.commandTimeoutMs,
      now: () => env.now(),
      onLate: (outcome, allocations) => metrics.countLate(outcome, allocations),
    });
  }

  handleQuota(instance: QuotaInstance, args: QuotaArgs, _context: CallContext): QuotaResult | Promise<QuotaResult> {
    const quota = this.limits.get(instance.name);
    if (quota === undefined) {
      return { status: rpcStatus(RpcCode.INTERNAL, `did not find limit defined for quota ${instance.name}`), grantedAmount: 0, validDurationMs: 0 };
    }
    if (args.amount === 0 || !Number.isSafeInteger(args.amount)) return NOTHING;
    const limit = selectLimit(quota, instance.dimensions);
    const tag = bucketTag(instance.name, instance.dimensions, limit.keySuffix);
    const target: BucketTarget = {
      tag,
      keys: bucketKeys(tag, quota.algorithm),
      algorithm: quota.algorithm,
      maxAmount: limit.maxAmount,
      windowMs: quota.windowMs,
      bucketMs: quota.bucketMs,
    };
    const item = { amount: args.amount, bestEffort: args.bestEffort, dedupKey: args.deduplicationId === '' ? undefined : dedupKey(tag, args.deduplicationId) };
    return this.batcher.allocate(target, item).then(
      (reply) => this.answer(reply, args.amount),
      (error: unknown) => this.unavailable(error instanceof Error ? error.message : String(error), args.amount),
    );
  }

  /** Connections to Redis ready for commands (for tests and the readiness gauge). */
  get readyConnections(): number {
    return this.pool.readyCount;
  }

  async close(): Promise<void> {
    this.batcher.flush();
    await this.pool.close();
  }

  private answer(reply: ScriptReply | undefined, amount: number): QuotaResult {
    if (reply === undefined) {
      this.metrics.count('error');
      this.logFailure('redisquota: unexpected reply from the allocation script', 'not a list of {granted, valid ms, deduplicated}');
      return INTERNAL;
    }
    const granted = Math.max(0, reply.granted);
    if (amount < 0) {
      this.metrics.count(reply.deduplicated ? 'deduplicated' : 'released');
      return { status: OK_STATUS, grantedAmount: granted, validDurationMs: 0 };
    }
    this.metrics.count(reply.deduplicated ? 'deduplicated' : granted > 0 ? 'granted' : 'exhausted');
    return { status: granted > 0 ? OK_STATUS : EXHAUSTED, grantedAmount: granted, validDurationMs: Math.max(0, reply.validMs) };
  }

  private unavailable(reason: string, amount: number): QuotaResult {
    this.metrics.count('unavailable');
    this.logFailure(`redisquota: allocation failed; answering UNAVAILABLE (${this.failPolicy})`, reason);
    if (this.failPolicy === 'FAIL_CLOSE' || amount < 0) return UNAVAILABLE;
    return { status: UNAVAILABLE_STATUS, grantedAmount: amount, validDurationMs: FAIL_OPEN_VALID_MS };
  }

  /** Logs at most once per interval, so an outage cannot flood the log. */
  private logFailure(message: string, reason: string): void {
    const now = this.env.now();
    if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLog = now;
    this.env.logger.warn({ reason }, message);
  }
}
