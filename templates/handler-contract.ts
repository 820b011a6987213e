import type { RpcStatus } from '../core/status/rpc-status.js';

/**
 * What an adapter's check handler answers: a status (OK allows, anything else denies) and how
 * long / how many times the answer may be reused by caches.
 */
export interface CheckResult {
  readonly status: RpcStatus;
  readonly validDurationMs: number;
  readonly validUseCount: number;
}

/** A quota allocation request as the runtime passes it to a quota handler. */
export interface QuotaArgs {
  /** The request's deduplication id plus the quota name: the same id means "already answered". */
  readonly deduplicationId: string;
  /** Units asked for; a negative amount releases an allocation quota. */
  readonly amount: number;
  /** When true, grant what is available (possibly less than asked) instead of all-or-nothing. */
  readonly bestEffort: boolean;
}

/** A quota handler's answer: `grantedAmount` 0 with an OK status means "exhausted". */
export interface QuotaResult {
  readonly status: RpcStatus;
  readonly grantedAmount: number;
  readonly validDurationMs: number;
}

/** Per-call information for check and quota handlers. */
export interface CallContext {
  /** The request's deduplication id (empty when the caller sent none). */
  readonly deduplicationId: string;
}
