import type { AttributeBag } from '../attribute/bag.js';
import { RpcCode } from '../status/rpc-code.js';
import type { ResolvedPrefetchOptions } from './client-options.js';
import type { ClientLogger } from './client-logger.js';
import { QuotaPrefetch, type PrefetchCall } from './quota-prefetch.js';
import { ReferencedShape, ShapeSet } from './referenced-shape.js';
import { SignatureLru } from './signature-lru.js';
import type { TransportQuotaResult } from './transport.js';

/** How one requested quota is handled for one request. */
export type QuotaPlan =
  /** Ask Mixer for exactly the amount, not best effort, and wait for the answer. */
  | { readonly kind: 'remote'; readonly name: string; readonly amount: number }
  /** Decided from the prefetch pool; `prefetch`, when set, must go out (best effort) in the background. */
  | {
      readonly kind: 'cached';
      readonly name: string;
      readonly passed: boolean;
      readonly prefetch: PrefetchCall | undefined;
      /** Hands Mixer's answer to the prefetch (undefined: none arrived) and caches the pool. */
      readonly settle: ((result: TransportQuotaResult | undefined, now: number) => void) | undefined;
    };

/**
 * A quota asked for without the cache passes when no answer arrived (network failure: quota
 * fails open), when its status is UNAVAILABLE, or when anything was granted.
 */
export function remoteQuotaPasses(result: TransportQuotaResult | undefined): boolean {
  return result === undefined || result.status.code === RpcCode.UNAVAILABLE || result.grantedAmount > 0;
}

interface PerQuota {
  readonly shapes: ShapeSet;
  /** The pool used until a prefetch answer tells under which signature to cache it. */
  pending: QuotaPrefetch | undefined;
}

const MAX_SHAPES_PER_QUOTA = 100;

/**
 * The quota cache (istio/proxy `quota_cache.cc`): per quota name and referenced attributes of
 * the quota result, a prefetch pool. It is consulted only when the check cache hit: a token
 * taken locally cannot be given back if the remote precondition then denies.
 */
export class QuotaCache {
  private readonly quotas = new Map<string, PerQuota>();
  private readonly pools: SignatureLru<QuotaPrefetch>;

  constructor(
    private readonly options: { readonly maxEntries: number; readonly idleMs: number; readonly prefetch: ResolvedPrefetchOptions },
    private readonly logger: ClientLogger,
  ) {
    this.pools = new SignatureLru(options.maxEntries, options.idleMs);
  }

  get enabled(): boolean {
    return this.options.maxEntries > 0;
  }

  get size(): number {
    return this.pools.size;
  }

  /** Decides one quota of one request; `checkCacheHit` says whether the cache may be used at all. */
  plan(bag: AttributeBag, name: string, amount: number, checkCacheHit: boolean, now: number): QuotaPlan {
    if (!this.enabled || !checkCacheHit) return { kind: 'remote', name, amount };
    const quota = this.perQuota(name);
    for (const shape of quota.shapes) {
      const signature = shape.signature(bag, name);
      if (signature === undefined) continue;
      const pool = this.pools.get(signature, now);
      if (pool === undefined) continue;
      const decision = pool.check(amount, now);
      const call = decision.prefetch;
      return { kind: 'cached', name, passed: decision.passed, prefetch: call, settle: call && ((result, at) => call.complete(grantOf(result), at)) };
    }
    quota.pending ??= new QuotaPrefetch(this.options.prefetch, now);
    const pool = quota.pending;
    const decision = pool.check(amount, now);
    const call = decision.prefetch;
    const settle =
      call &&
      ((result: TransportQuotaResult | undefined, at: number): void => {
        if (result !== undefined) this.adopt(bag, name, pool, result, at);
        call.complete(grantOf(result), at);
      });
    return { kind: 'cached', name, passed: decision.passed, prefetch: call, settle };
  }

  clear(): void {
    this.pools.clear();
    this.quotas.clear();
  }

  private perQuota(name: string): PerQuota {
    let quota = this.quotas.get(name);
    if (quota === undefined) {
      quota = { shapes: new ShapeSet(MAX_SHAPES_PER_QUOTA), pending: undefined };
      this.quotas.set(name, quota);
    }
    return quota;
  }

  /** Caches a pending pool under the signature its first decodable, matching answer gives. */
  private adopt(bag: AttributeBag, name: string, pool: QuotaPrefetch, result: TransportQuotaResult, now: number): void {
    const quota = this.perQuota(name);
    if (quota.pending !== pool || !result.referencedValid) return;
    const shape = ReferencedShape.fromReferences(result.referenced);
    if (shape === undefined) return;
    const signature = shape.signature(bag, name);
    if (signature === undefined) {
      this.logger.debug({ quota: name, referenced: shape.toString() }, 'quota result references do not match the request; not cached');
      return;
    }
    // An existing entry is never overwritten.
    if (this.pools.get(signature, now) !== undefined) return;
    if (quota.shapes.intern(shape) === undefined) return;
    this.pools.set(signature, pool, now);
    quota.pending = undefined;
  }
}

function grantOf(result: TransportQuotaResult | undefined): { grantedAmount: number; validDurationMs: number | undefined } | undefined {
  return result === undefined ? undefined : { grantedAmount: result.grantedAmount, validDurationMs: result.validDurationMs };
}
