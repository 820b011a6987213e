import type { AttributeBag } from '../attribute/bag.js';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS, isOk, type RpcStatus } from '../status/rpc-status.js';
import { asTransportError, callWithTimeout, retryDelayMs } from './call-policy.js';
import { sleep, systemClock, type ClientClock } from './client-clock.js';
import { RateLimitedWarning, silentLogger, type ClientLogger } from './client-logger.js';
import { resolveClientOptions, type ResolvedClientOptions, type TunableClientOptions } from './client-options.js';
import { CheckCache, type PolicyResult } from './check-cache.js';
import { finalStatus, quotaStatusFor, type CheckDecision } from './check-decision.js';
import { DeduplicationIds } from './deduplication-ids.js';
import { snapshotBag, untracked } from './plain-bag.js';
import { QuotaCache, remoteQuotaPasses, type QuotaPlan } from './quota-cache.js';
import { ReportBatcher, type ReportBatcherStatistics } from './report-batcher.js';
import { TransportError, type MixerTransport, type TransportCheckRequest, type TransportCheckResponse, type TransportQuotaRequest } from './transport.js';

export interface MixerClientConfig extends TunableClientOptions {
  readonly transport: MixerTransport;
  /** Time and timers (default: the system clock); tests pass a ManualClock. */
  readonly clock?: ClientClock;
  /** Uniform [0, 1) draws for retry jitter (default Math.random). */
  readonly random?: () => number;
  /** The deduplication id base (default crypto.randomUUID). */
  readonly uuid?: () => string;
  readonly logger?: ClientLogger;
}

export interface CheckCallOptions {
  /** Aborting it ends the wait: the decision then comes from the fail policy with CANCELLED. */
  readonly signal?: AbortSignal;
  /** Overrides the fail policy's per-attempt timeout for this call. */
  readonly timeoutMs?: number;
}

/** Quota name → amount to allocate for this request. */
export type QuotaAmounts = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

export interface ClientStatistics {
  readonly checkCalls: number;
  readonly checkCacheHits: number;
  readonly checkCacheMisses: number;
  readonly quotaCalls: number;
  readonly quotaCacheHits: number;
  /** Check calls sent to Mixer, retries and background prefetches included. */
  readonly remoteCalls: number;
  /** Of which background quota prefetches (not awaited by anyone). */
  readonly prefetchCalls: number;
  readonly remoteFailures: number;
  readonly checkRetries: number;
  readonly prefetchesInFlight: number;
  readonly checkCacheEntries: number;
  readonly quotaCacheEntries: number;
  readonly report: ReportBatcherStatistics;
}

type CallOutcome = { readonly response: TransportCheckResponse; readonly error?: undefined } | { readonly response?: undefined; readonly error: TransportError };

const CLOSED = (): TransportError => new TransportError(RpcCode.CANCELLED, 'the Mixer client is closed');

/**
 * The Mixer client (istio/proxy `mixerclient`): Check through the check cache, the quota cache
 * with prefetch and the network fail policy; Report through a batcher. `check` never throws:
 * every failure becomes a decision. Usable by the sidecar proxy and by any Node service.
 */
export class MixerClient {
  private readonly options: ResolvedClientOptions;
  private readonly transport: MixerTransport;
  private readonly clock: ClientClock;
  private readonly random: () => number;
  private readonly logger: ClientLogger;
  private readonly checkCache: CheckCache;
  private readonly quotaCache: QuotaCache;
  private readonly batcher: ReportBatcher;
  private readonly ids: DeduplicationIds;
  private readonly failureLog: RateLimitedWarning;
  private readonly background = new Map<AbortController, Promise<void>>();
  private closed = false;
  private stats = { checkCalls: 0, checkCacheHits: 0, checkCacheMisses: 0, quotaCalls: 0, quotaCacheHits: 0, remoteCalls: 0, prefetchCalls: 0, remoteFailures: 0, checkRetries: 0 };

  constructor(config: MixerClientConfig) {
    this.options = resolveClientOptions(config);
    this.transport = config.transport;
    this.clock = config.clock ?? systemClock;
    this.random = config.random ?? Math.random;
    this.logger = config.logger ?? silentLogger;
    this.failureLog = new RateLimitedWarning(this.logger);
    this.checkCache = new CheckCache(this.options.checkCache, this.options.failPolicy.failOpen, this.logger);
    this.quotaCache = new QuotaCache(this.options.quotaCache, this.logger);
    this.ids = new DeduplicationIds(config.uuid);
    this.batcher = new ReportBatcher(
      (batch, signal, built) => this.transport.report(batch, signal, built),
      this.options.report,
      this.clock,
      this.random,
      this.logger,
      () => this.transport.startReportBatch?.(),
    );
  }

  /** The final decision for one request; never rejects. */
  async check(attributes: AttributeBag, quotas?: QuotaAmounts, options: CheckCallOptions = {}): Promise<CheckDecision> {
    this.stats.checkCalls++;
    const requested = quotaList(quotas);
    try {
      if (this.closed) return this.failed(CLOSED(), requested.length > 0);
      return await this.decide(untracked(attributes), requested, options);
    } catch (error) {
      // A bug in the client or a transport: the caller still gets a decision.
      this.logger.warn({ err: error }, 'unexpected failure in the Mixer client; applying the network fail policy');
      return this.failed(asTransportError(error), requested.length > 0);
    }
  }

  /**
   * The decision when the check cache alone can give it (no quotas asked, an answer cached),
   * without a promise: the proxy's warm path. Undefined otherwise: call `check`.
   */
  checkCached(attributes: AttributeBag): CheckDecision | undefined {
    if (this.closed) return undefined;
    const cached = this.checkCache.lookup(untracked(attributes), this.clock.now());
    if (cached === undefined) return undefined;
    this.stats.checkCalls++;
    this.stats.checkCacheHits++;
    return decision({ status: cached.status, policy: cached, checkCacheHit: true });
  }

  /** Queues one request's attributes for the next Report batch (copied now; never blocks). */
  report(attributes: AttributeBag): void {
    this.batcher.add(snapshotBag(attributes));
  }

  /**
   * Queues a bag the caller hands over, without copying it (as StringMap.adopt does): the caller
   * must not change the bag afterwards. The proxy builds a fresh attribute list per request, so
   * the copy `report` makes would be one more map per request for nothing.
   */
  adoptReport(attributes: AttributeBag): void {
    this.batcher.add(untracked(attributes));
  }

  /** Sends the Report batch being filled without waiting for its size or time limit. */
  flushReports(): void {
    this.batcher.flush();
  }

  /** Resolves when no report is waiting, queued or in flight and no prefetch is in flight. */
  async whenIdle(): Promise<void> {
    await Promise.all([this.batcher.whenIdle(), ...this.background.values()]);
  }

  statistics(): ClientStatistics {
    return {
      ...this.stats,
      prefetchesInFlight: this.background.size,
      checkCacheEntries: this.checkCache.size,
      quotaCacheEntries: this.quotaCache.size,
      report: this.batcher.statistics(),
    };
  }

  /** Flushes reports (one last attempt each), abandons background prefetches, closes the transport. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.background.keys()) controller.abort(CLOSED());
    await this.batcher.close();
    await Promise.all(this.background.values());
    await this.transport.close();
  }

  private async decide(bag: AttributeBag, quotas: readonly (readonly [string, number])[], options: CheckCallOptions): Promise<CheckDecision> {
    const now = this.clock.now();
    const cached = this.checkCache.lookup(bag, now);
    if (cached !== undefined) this.stats.checkCacheHits++;
    else this.stats.checkCacheMisses++;
    if (cached !== undefined && (!isOk(cached.status) || quotas.length === 0)) {
      return decision({ status: cached.status, policy: cached, checkCacheHit: true });
    }

    let plans: QuotaPlan[] = [];
    if (quotas.length > 0) {
      this.stats.quotaCalls++;
      plans = quotas.map(([name, amount]) => this.quotaCache.plan(bag, name, amount, cached !== undefined, now));
      if (cached !== undefined && plans.every((plan) => plan.kind === 'cached')) {
        // Check and quota both answered locally; a prefetch may still go out, unawaited.
        this.stats.quotaCacheHits++;
        const quotaStatus = quotaStatusFor(plans.filter((plan) => plan.kind === 'cached' && !plan.passed).map((plan) => plan.name));
        this.prefetchInBackground(bag, plans);
        return decision({ status: quotaStatus, policy: cached, checkCacheHit: true, quotaCacheHit: true, quotaStatus });
      }
    }

    const request: TransportCheckRequest = { attributes: bag, quotas: quotaRequests(plans), deduplicationId: this.ids.next() };
    const outcome = await this.call(request, options, false);
    const at = this.clock.now();
    const policy: PolicyResult | undefined = cached ?? (outcome.response === undefined ? undefined : this.checkCache.store(bag, outcome.response, at).result);
    let quotaStatus: RpcStatus | undefined;
    if (quotas.length > 0) {
      const rejected: string[] = [];
      for (const plan of plans) {
        const result = outcome.response?.quotas.get(plan.name);
        if (plan.kind === 'remote') {
          if (!remoteQuotaPasses(result)) rejected.push(plan.name);
        } else {
          plan.settle?.(result, at);
          if (!plan.passed) rejected.push(plan.name);
        }
      }
      quotaStatus = quotaStatusFor(rejected);
    }
    const status = finalStatus({
      transportError: outcome.error,
      failOpen: this.options.failPolicy.failOpen,
      quotaRequested: quotas.length > 0,
      policyStatus: policy?.status ?? OK_STATUS,
      quotaStatus: quotaStatus ?? OK_STATUS,
    });
    return decision({ status, policy, checkCacheHit: cached !== undefined, remoteCall: true, transportError: outcome.error, quotaStatus: outcome.error === undefined ? quotaStatus : undefined });
  }

  /** Sends the prefetches the pools asked for, best effort, without anyone waiting. */
  private prefetchInBackground(bag: AttributeBag, plans: readonly QuotaPlan[]): void {
    const prefetches = plans.filter((plan) => plan.kind === 'cached' && plan.prefetch !== undefined);
    if (prefetches.length === 0) return;
    const quotas = quotaRequests(prefetches);
    const controller = new AbortController();
    this.stats.prefetchCalls++;
    const task = this.call({ attributes: bag, quotas, deduplicationId: this.ids.next() }, { signal: controller.signal }, true)
      .then((outcome) => {
        const at = this.clock.now();
        for (const plan of prefetches) if (plan.kind === 'cached') plan.settle?.(outcome.response?.quotas.get(plan.name), at);
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'quota prefetch failed unexpectedly'))
      .finally(() => this.background.delete(controller));
    this.background.set(controller, task);
  }

  /** One logical Check: attempts with timeout, retried on transport errors with jittered backoff. */
  private async call(request: TransportCheckRequest, options: CheckCallOptions, background: boolean): Promise<CallOutcome> {
    const policy = this.options.failPolicy;
    const timeoutMs = options.timeoutMs ?? policy.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      this.stats.remoteCalls++;
      try {
        const response = await callWithTimeout(this.clock, timeoutMs, options.signal, (signal) => this.transport.check(request, signal));
        return { response };
      } catch (caught) {
        const error = asTransportError(caught);
        this.stats.remoteFailures++;
        this.failureLog.log({ code: RpcCode[error.rpcCode], error: error.message, attempt: attempt + 1, background }, 'Mixer Check failed');
        if (attempt >= policy.maxRetries || this.closed || options.signal?.aborted === true) return { error };
        this.stats.checkRetries++;
        try {
          await sleep(this.clock, retryDelayMs(attempt, policy.baseRetryMs, policy.maxRetryMs, this.random), options.signal);
        } catch {
          return { error: new TransportError(RpcCode.CANCELLED, 'the Mixer call was cancelled by the caller') };
        }
      }
    }
  }

  private failed(error: TransportError, quotaRequested: boolean): CheckDecision {
    const status = finalStatus({ transportError: error, failOpen: this.options.failPolicy.failOpen, quotaRequested, policyStatus: OK_STATUS, quotaStatus: OK_STATUS });
    return decision({ status, policy: undefined, transportError: error });
  }
}

function decision(parts: {
  status: RpcStatus;
  policy: PolicyResult | undefined;
  checkCacheHit?: boolean;
  quotaCacheHit?: boolean;
  remoteCall?: boolean;
  transportError?: TransportError | undefined;
  quotaStatus?: RpcStatus | undefined;
}): CheckDecision {
  return {
    status: parts.status,
    routeDirective: parts.policy?.routeDirective,
    checkCacheHit: parts.checkCacheHit ?? false,
    quotaCacheHit: parts.quotaCacheHit ?? false,
    remoteCall: parts.remoteCall ?? false,
    transportError: parts.transportError,
    policyStatus: parts.policy?.status,
    quotaStatus: parts.quotaStatus,
  };
}

function quotaList(quotas: QuotaAmounts | undefined): (readonly [string, number])[] {
  if (quotas === undefined) return [];
  return quotas instanceof Map ? [...(quotas as ReadonlyMap<string, number>)] : Object.entries(quotas);
}

/** What goes on the wire: exact amounts for remote quotas, best-effort prefetch amounts for pools. */
function quotaRequests(plans: readonly QuotaPlan[]): Map<string, TransportQuotaRequest> {
  const requests = new Map<string, TransportQuotaRequest>();
  for (const plan of plans) {
    if (plan.kind === 'remote') requests.set(plan.name, { amount: plan.amount, bestEffort: false });
    else if (plan.prefetch !== undefined) requests.set(plan.name, { amount: plan.prefetch.amount, bestEffort: true });
  }
  return requests;
}
