import type { ReferencedAttributes } from '../attribute/referenced-attributes.js';
import type { HeaderOperationKind } from '../config/snapshot.js';
import type { RpcStatus } from '../status/rpc-status.js';

/** A header operation to apply, with its value evaluated for this request. */
export interface HeaderOperation {
  readonly name: string;
  readonly value: string;
  readonly operation: HeaderOperationKind;
}

/** What the proxy should do besides allowing or denying (istio.mixer.v1.RouteDirective). */
export interface RouteDirective {
  readonly requestHeaderOperations: readonly HeaderOperation[];
  readonly responseHeaderOperations: readonly HeaderOperation[];
  /** Non-zero: answer with this HTTP status instead of forwarding. */
  readonly directResponseCode: number;
  readonly directResponseBody: string;
}

/** The answer for one requested quota. */
export interface QuotaOutcome {
  readonly status: RpcStatus;
  readonly grantedAmount: number;
  readonly validDurationMs: number;
  readonly referenced: ReferencedAttributes;
}

/** The whole answer to a Check: precondition, caching hints, what it read, route directive, quotas. */
export interface CheckOutcome {
  readonly status: RpcStatus;
  readonly validDurationMs: number;
  readonly validUseCount: number;
  readonly referenced: ReferencedAttributes;
  readonly routeDirective: RouteDirective | undefined;
  readonly quotas: ReadonlyMap<string, QuotaOutcome>;
}

/** A requested quota allocation. */
export interface QuotaRequest {
  readonly amount: number;
  readonly bestEffort: boolean;
}

/** Defaults Istio answers with when no check handler applies, and for ungoverned quotas. */
export const DEFAULT_VALID_DURATION_MS = 60_000;
export const DEFAULT_VALID_USE_COUNT = 10_000;
