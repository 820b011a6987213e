import { MixerError } from '../errors/mixer-error.js';

/** A client option out of range; `field` is its path (`quotaCache.prefetch.minPrefetch`). */
export class ClientOptionsError extends MixerError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super('MIXER_ERR_CLIENT_OPTIONS', `${field}: ${reason}`);
  }
}

/** Istio's NetworkFailPolicy plus the per-call timeout Envoy puts on each Mixer call. */
export interface NetworkFailPolicyOptions {
  /** Allow the request when Mixer cannot be reached (default true, as CheckOptions). */
  readonly failOpen?: boolean;
  /** Check retries after a transport error (default 0). */
  readonly maxRetries?: number;
  /** Retry delay floor (default 80 ms). */
  readonly baseRetryMs?: number;
  /** Retry delay ceiling (default 1000 ms). */
  readonly maxRetryMs?: number;
  /** Each Check attempt's timeout (default 5000 ms, Envoy's). */
  readonly timeoutMs?: number;
}

export interface CheckCacheOptions {
  /** LRU size (default 10 000); 0 disables the check cache (and with it the quota cache). */
  readonly maxEntries?: number;
  /** Distinct referenced-attribute shapes kept (default 1000); past it, new shapes are not cached. */
  readonly maxShapes?: number;
}

/** The prefetch pool's tuning (istio/proxy `src/istio/prefetch`). */
export interface QuotaPrefetchOptions {
  /** Window over which recent demand is counted (default 1000 ms). */
  readonly predictWindowMs?: number;
  /** Slots the window is counted in (default 20). */
  readonly windowSlots?: number;
  /** Smallest amount prefetched (default 10). */
  readonly minPrefetch?: number;
  /** In CLOSE mode, no prefetch within this long of the last one (default 500 ms). */
  readonly closeWaitMs?: number;
  /** Lifetime of optimistic grants and of grants without valid_duration (default 60 000 ms). */
  readonly maxExpirationMs?: number;
}

export interface QuotaCacheOptions {
  /** LRU size (default 10 000); 0 disables the quota cache. */
  readonly maxEntries?: number;
  /** Entries unused this long are removed (default 600 000 ms). */
  readonly idleMs?: number;
  readonly prefetch?: QuotaPrefetchOptions;
}

export interface ReportBatchOptions {
  /** Entries per batch (default 100); 0 sends every report on its own. */
  readonly maxBatchEntries?: number;
  /** A batch goes out at most this long after its first entry (default 1000 ms). */
  readonly maxBatchTimeMs?: number;
  /** Reports held at most (batching, queued, retrying); past it the oldest are dropped (default 10 000). */
  readonly maxBufferedEntries?: number;
  /** Resends of a batch after a retryable failure (default 10). */
  readonly maxRetries?: number;
  /** Backoff floor between resends (default 100 ms). */
  readonly baseRetryMs?: number;
  /** Backoff ceiling (default 2000 ms). */
  readonly maxRetryMs?: number;
  /** Batches sent concurrently (default 4). */
  readonly maxInFlight?: number;
  /** Each Report call's timeout (default 5000 ms). */
  readonly timeoutMs?: number;
}

export interface ResolvedFailPolicy {
  readonly failOpen: boolean;
  readonly maxRetries: number;
  readonly baseRetryMs: number;
  readonly maxRetryMs: number;
  readonly timeoutMs: number;
}

export interface ResolvedPrefetchOptions {
  readonly predictWindowMs: number;
  readonly windowSlots: number;
  readonly minPrefetch: number;
  readonly closeWaitMs: number;
  readonly maxExpirationMs: number;
}

export interface ResolvedClientOptions {
  readonly failPolicy: ResolvedFailPolicy;
  readonly checkCache: { readonly maxEntries: number; readonly maxShapes: number };
  readonly quotaCache: { readonly maxEntries: number; readonly idleMs: number; readonly prefetch: ResolvedPrefetchOptions };
  readonly report: Required<ReportBatchOptions>;
}

export const DEFAULT_FAIL_POLICY: ResolvedFailPolicy = Object.freeze({ failOpen: true, maxRetries: 0, baseRetryMs: 80, maxRetryMs: 1000, timeoutMs: 5000 });

export const DEFAULT_PREFETCH: ResolvedPrefetchOptions = Object.freeze({
  predictWindowMs: 1000,
  windowSlots: 20,
  minPrefetch: 10,
  closeWaitMs: 500,
  maxExpirationMs: 60_000,
});

export const DEFAULT_REPORT: Required<ReportBatchOptions> = Object.freeze({
  maxBatchEntries: 100,
  maxBatchTimeMs: 1000,
  maxBufferedEntries: 10_000,
  maxRetries: 10,
  baseRetryMs: 100,
  maxRetryMs: 2000,
  maxInFlight: 4,
  timeoutMs: 5000,
});

type Check = (value: number) => string | undefined;
const nonNegative: Check = (value) => (Number.isFinite(value) && value >= 0 ? undefined : 'expected a finite number >= 0');
const nonNegativeInteger: Check = (value) => (Number.isSafeInteger(value) && value >= 0 ? undefined : 'expected an integer >= 0');
const positiveInteger: Check = (value) => (Number.isSafeInteger(value) && value > 0 ? undefined : 'expected an integer > 0');
const positive: Check = (value) => (Number.isFinite(value) && value > 0 ? undefined : 'expected a finite number > 0');

/** Every problem is collected before throwing, each with its field path. */
class Collector {
  readonly problems: ClientOptionsError[] = [];

  pick(field: string, value: number | undefined, fallback: number, check: Check): number {
    if (value === undefined) return fallback;
    const problem = check(value);
    if (problem !== undefined) this.problems.push(new ClientOptionsError(field, `${problem}, got ${String(value)}`));
    return value;
  }
}

/** Several options out of range at once. */
export class InvalidClientOptionsError extends MixerError {
  constructor(readonly problems: readonly ClientOptionsError[]) {
    super('MIXER_ERR_CLIENT_OPTIONS', problems.map((problem) => problem.message).join('; '));
  }
}

export interface TunableClientOptions {
  readonly failPolicy?: NetworkFailPolicyOptions;
  readonly checkCache?: CheckCacheOptions;
  readonly quotaCache?: QuotaCacheOptions;
  readonly report?: ReportBatchOptions;
}

/** Applies the defaults and validates: the result is frozen and trusted by the rest of the client. */
export function resolveClientOptions(options: TunableClientOptions = {}): ResolvedClientOptions {
  const c = new Collector();
  const fail = options.failPolicy ?? {};
  const failPolicy: ResolvedFailPolicy = Object.freeze({
    failOpen: fail.failOpen ?? DEFAULT_FAIL_POLICY.failOpen,
    maxRetries: c.pick('failPolicy.maxRetries', fail.maxRetries, DEFAULT_FAIL_POLICY.maxRetries, nonNegativeInteger),
    baseRetryMs: c.pick('failPolicy.baseRetryMs', fail.baseRetryMs, DEFAULT_FAIL_POLICY.baseRetryMs, nonNegative),
    maxRetryMs: c.pick('failPolicy.maxRetryMs', fail.maxRetryMs, DEFAULT_FAIL_POLICY.maxRetryMs, nonNegative),
    timeoutMs: c.pick('failPolicy.timeoutMs', fail.timeoutMs, DEFAULT_FAIL_POLICY.timeoutMs, positive),
  });
  const check = options.checkCache ?? {};
  const checkCache = Object.freeze({
    maxEntries: c.pick('checkCache.maxEntries', check.maxEntries, 10_000, nonNegativeInteger),
    maxShapes: c.pick('checkCache.maxShapes', check.maxShapes, 1000, positiveInteger),
  });
  const quota = options.quotaCache ?? {};
  const pre = quota.prefetch ?? {};
  const prefetch: ResolvedPrefetchOptions = Object.freeze({
    predictWindowMs: c.pick('quotaCache.prefetch.predictWindowMs', pre.predictWindowMs, DEFAULT_PREFETCH.predictWindowMs, positive),
    windowSlots: c.pick('quotaCache.prefetch.windowSlots', pre.windowSlots, DEFAULT_PREFETCH.windowSlots, positiveInteger),
    minPrefetch: c.pick('quotaCache.prefetch.minPrefetch', pre.minPrefetch, DEFAULT_PREFETCH.minPrefetch, positiveInteger),
    closeWaitMs: c.pick('quotaCache.prefetch.closeWaitMs', pre.closeWaitMs, DEFAULT_PREFETCH.closeWaitMs, nonNegative),
    maxExpirationMs: c.pick('quotaCache.prefetch.maxExpirationMs', pre.maxExpirationMs, DEFAULT_PREFETCH.maxExpirationMs, positive),
  });
  const quotaCache = Object.freeze({
    maxEntries: c.pick('quotaCache.maxEntries', quota.maxEntries, 10_000, nonNegativeInteger),
    idleMs: c.pick('quotaCache.idleMs', quota.idleMs, 600_000, positive),
    prefetch,
  });
  const r = options.report ?? {};
  const report: Required<ReportBatchOptions> = Object.freeze({
    maxBatchEntries: c.pick('report.maxBatchEntries', r.maxBatchEntries, DEFAULT_REPORT.maxBatchEntries, nonNegativeInteger),
    maxBatchTimeMs: c.pick('report.maxBatchTimeMs', r.maxBatchTimeMs, DEFAULT_REPORT.maxBatchTimeMs, nonNegative),
    maxBufferedEntries: c.pick('report.maxBufferedEntries', r.maxBufferedEntries, DEFAULT_REPORT.maxBufferedEntries, positiveInteger),
    maxRetries: c.pick('report.maxRetries', r.maxRetries, DEFAULT_REPORT.maxRetries, nonNegativeInteger),
    baseRetryMs: c.pick('report.baseRetryMs', r.baseRetryMs, DEFAULT_REPORT.baseRetryMs, nonNegative),
    maxRetryMs: c.pick('report.maxRetryMs', r.maxRetryMs, DEFAULT_REPORT.maxRetryMs, nonNegative),
    maxInFlight: c.pick('report.maxInFlight', r.maxInFlight, DEFAULT_REPORT.maxInFlight, positiveInteger),
    timeoutMs: c.pick('report.timeoutMs', r.timeoutMs, DEFAULT_REPORT.timeoutMs, positive),
  });
  if (c.problems.length === 1) throw c.problems[0]!;
  if (c.problems.length > 1) throw new InvalidClientOptionsError(c.problems);
  return Object.freeze({ failPolicy, checkCache, quotaCache, report });
}
