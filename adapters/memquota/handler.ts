import { RpcCode } from '../../core/status/rpc-code.js';
import { OK_STATUS, rpcStatus } from '../../core/status/rpc-status.js';
import type { QuotaInstance } from '../../templates/definitions.js';
import type { CallContext, QuotaArgs, QuotaResult } from '../../templates/handler-contract.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { DedupCache } from './dedup-cache.js';
import { quotaKey } from './dimensions.js';
import { selectLimit, type Limit, type QuotaLimits } from './limits.js';
import { MILLIS_PER_TICK, RollingWindow } from './rolling-window.js';

const NOTHING: QuotaResult = Object.freeze({ status: OK_STATUS, grantedAmount: 0, validDurationMs: 0 });

/**
 * In-memory quotas (Istio's memquota). Allocation quotas (validDuration 0) are counters:
 * all-or-nothing unless best effort, released by negative amounts. Rate limits are rolling
 * windows of 100 ms ticks. A deduplication id seen within the dedup window gets the same answer
 * again. The status is always OK; an exhausted quota grants 0.
 *
 * Memory: counters are deleted when fully released, windows when nothing in them is allocated
 * any more, dedup ids after one to two dedup windows; the reaper runs every dedup window through
 * the environment's scheduler.
 */
export class MemQuotaHandler implements HandlerFor<'quota'> {
  private readonly counters = new Map<string, number>();
  private readonly windows = new Map<string, RollingWindow>();
  private readonly dedup: DedupCache;

  constructor(
    private readonly limits: ReadonlyMap<string, QuotaLimits>,
    dedupWindowMs: number,
    private readonly env: AdapterEnvironment,
  ) {
    this.dedup = new DedupCache(dedupWindowMs, env.now());
    env.scheduleInterval(() => this.reap(), dedupWindowMs);
  }

  /** Live state, for tests and debugging. */
  get stats(): { counters: number; windows: number; dedupIds: number } {
    return { counters: this.counters.size, windows: this.windows.size, dedupIds: this.dedup.size };
  }

  handleQuota(instance: QuotaInstance, args: QuotaArgs, context: CallContext): QuotaResult {
    const quota = this.limits.get(instance.name);
    if (quota === undefined) {
      return { status: rpcStatus(RpcCode.INTERNAL, `did not find limit defined for quota ${instance.name}`), grantedAmount: 0, validDurationMs: 0 };
    }
    if (args.amount === 0) return NOTHING;
    const limit = selectLimit(quota, instance.dimensions);
    const now = this.env.now();
    const dedupId = context.deduplicationId === '' || args.deduplicationId === '' ? undefined : `${instance.name}\u0000${args.deduplicationId}`;
    if (dedupId !== undefined) {
      const previous = this.dedup.get(dedupId, now);
      if (previous !== undefined) {
        this.env.logger.debug({ dedupId: args.deduplicationId, amount: previous.grantedAmount }, 'quota operation satisfied through deduplication');
        const validDurationMs = previous.expiresAtMs === undefined ? 0 : Math.max(0, previous.expiresAtMs - now);
        return { status: OK_STATUS, grantedAmount: previous.grantedAmount, validDurationMs };
      }
    }
    const key = quotaKey(instance.name, instance.dimensions);
    const tick = Math.floor(now / MILLIS_PER_TICK);
    const result =
      args.amount > 0 ? this.allocate(key, limit, args.amount, args.bestEffort, tick) : this.release(key, limit, -args.amount, tick);
    if (dedupId !== undefined) {
      const expiresAtMs = limit.ticks > 0 && args.amount > 0 ? now + limit.validDurationMs : undefined;
      this.dedup.set(dedupId, { grantedAmount: result.grantedAmount, expiresAtMs }, now);
    }
    return result;
  }

  private allocate(key: string, limit: Limit, amount: number, bestEffort: boolean, tick: number): QuotaResult {
    if (limit.ticks === 0) {
      const inUse = this.counters.get(key) ?? 0;
      let granted = amount;
      if (granted > limit.maxAmount - inUse) {
        if (!bestEffort) return NOTHING;
        granted = Math.max(0, limit.maxAmount - inUse);
      }
      if (granted > 0) this.counters.set(key, inUse + granted);
      return { status: OK_STATUS, grantedAmount: granted, validDurationMs: 0 };
    }
    let window = this.windows.get(key);
    if (window === undefined) {
      window = new RollingWindow(limit.maxAmount, limit.ticks);
      this.windows.set(key, window);
    }
    let granted = amount;
    if (!window.alloc(granted, tick)) {
      if (!bestEffort) granted = 0;
      else {
        granted = window.available;
        window.alloc(granted, tick);
      }
    }
    if (window.available === limit.maxAmount) this.windows.delete(key);
    return { status: OK_STATUS, grantedAmount: granted, validDurationMs: limit.validDurationMs };
  }

  private release(key: string, limit: Limit, amount: number, tick: number): QuotaResult {
    if (limit.ticks === 0) {
      const inUse = this.counters.get(key) ?? 0;
      if (amount >= inUse) {
        this.counters.delete(key);
        return { status: OK_STATUS, grantedAmount: inUse, validDurationMs: 0 };
      }
      this.counters.set(key, inUse - amount);
      return { status: OK_STATUS, grantedAmount: amount, validDurationMs: 0 };
    }
    // Releasing rate-limit units is inherently racy (they may go back to the wrong window), as in Istio.
    const window = this.windows.get(key);
    if (window === undefined) return NOTHING;
    const released = window.release(amount, tick);
    if (window.available === limit.maxAmount) this.windows.delete(key);
    return { status: OK_STATUS, grantedAmount: released, validDurationMs: 0 };
  }

  private reap(): void {
    const now = this.env.now();
    this.dedup.reap(now);
    const tick = Math.floor(now / MILLIS_PER_TICK);
    for (const [key, window] of this.windows) if (window.isIdleAt(tick)) this.windows.delete(key);
  }
}
