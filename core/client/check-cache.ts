import type { AttributeBag } from '../attribute/bag.js';
import type { RouteDirective } from '../runtime/check-outcome.js';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS, rpcStatus, type RpcStatus } from '../status/rpc-status.js';
import type { ClientLogger } from './client-logger.js';
import { ReferencedShape, ShapeSet } from './referenced-shape.js';
import { SignatureLru } from './signature-lru.js';
import type { TransportCheckResponse } from './transport.js';

/** A policy answer: from the cache or from Mixer, after the fail-open INTERNAL rule. */
export interface PolicyResult {
  readonly status: RpcStatus;
  readonly routeDirective: RouteDirective | undefined;
}

interface CheckEntry {
  status: RpcStatus;
  routeDirective: RouteDirective | undefined;
  /** Served while now <= expireAt. */
  expireAt: number;
  /** Hits left; negative means unlimited, 0 means never served. */
  useCount: number;
}

export const NO_PRECONDITION_STATUS: RpcStatus = rpcStatus(RpcCode.INVALID_ARGUMENT, "CheckResponse doesn't have PreconditionResult");

/** Why an answer was not stored; for the debug log and the tests. */
export type StoreOutcome = 'stored' | 'disabled' | 'no-precondition' | 'undecodable' | 'regex' | 'shape-mismatch' | 'too-many-shapes';

/**
 * The check cache (istio/proxy `check_cache.cc`): Check answers kept in an LRU under the
 * signature of the attributes Mixer said the answer depended on. Lookup tries every shape seen;
 * the first shape whose signature is in the LRU decides. Answers live until `valid_duration`
 * passes and for `valid_use_count` hits.
 */
export class CheckCache {
  private readonly shapes: ShapeSet;
  private readonly entries: SignatureLru<CheckEntry>;

  constructor(
    private readonly options: { readonly maxEntries: number; readonly maxShapes: number },
    private readonly failOpen: boolean,
    private readonly logger: ClientLogger,
  ) {
    this.shapes = new ShapeSet(options.maxShapes);
    this.entries = new SignatureLru(options.maxEntries);
  }

  get enabled(): boolean {
    return this.options.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached answer for `bag`, counting one use; undefined on a miss. */
  lookup(bag: AttributeBag, now: number): PolicyResult | undefined {
    if (!this.enabled) return undefined;
    for (const shape of this.shapes) {
      const signature = shape.signature(bag);
      if (signature === undefined) continue;
      const entry = this.entries.get(signature, now);
      if (entry === undefined) continue;
      if (now > entry.expireAt || entry.useCount === 0) {
        // As Istio: a spent entry found ends the search with a miss.
        this.entries.delete(signature);
        return undefined;
      }
      if (entry.useCount > 0) entry.useCount--;
      return { status: entry.status, routeDirective: entry.routeDirective };
    }
    return undefined;
  }

  /** The policy answer of a Check response, stored when it may be cached. */
  store(bag: AttributeBag, response: TransportCheckResponse, now: number): { result: PolicyResult; outcome: StoreOutcome } {
    const precondition = response.precondition;
    if (precondition === undefined) return { result: { status: NO_PRECONDITION_STATUS, routeDirective: undefined }, outcome: 'no-precondition' };
    const result: PolicyResult = { status: this.convert(precondition.status), routeDirective: precondition.routeDirective };
    if (!this.enabled) return { result, outcome: 'disabled' };
    if (!precondition.referencedValid) return { result, outcome: 'undecodable' };
    const parsed = ReferencedShape.fromReferences(precondition.referenced);
    if (parsed === undefined) return { result, outcome: 'regex' };
    const signature = parsed.signature(bag);
    if (signature === undefined) {
      this.logger.debug({ referenced: parsed.toString() }, 'Check response references do not match the request; not cached');
      return { result, outcome: 'shape-mismatch' };
    }
    if (this.shapes.intern(parsed) === undefined) return { result, outcome: 'too-many-shapes' };
    const entry: CheckEntry = {
      status: result.status,
      routeDirective: result.routeDirective,
      expireAt: precondition.validDurationMs === undefined ? Number.POSITIVE_INFINITY : now + precondition.validDurationMs,
      useCount: precondition.validUseCount,
    };
    this.entries.set(signature, entry, now);
    return { result, outcome: 'stored' };
  }

  /** INTERNAL inside a successful response counts as OK under fail-open (Istio ConvertRpcStatus). */
  convert(status: RpcStatus): RpcStatus {
    return status.code === RpcCode.INTERNAL && this.failOpen ? OK_STATUS : status;
  }

  clear(): void {
    this.entries.clear();
  }
}
