import type { CheckResult } from '../../templates/handler-contract.js';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS, type RpcStatus } from '../status/rpc-status.js';
import { DEFAULT_VALID_DURATION_MS, DEFAULT_VALID_USE_COUNT } from './check-outcome.js';

/** One handler's answer, attributed. */
export interface AttributedCheckResult {
  readonly handlerName: string;
  readonly result: CheckResult;
}

export interface CombinedCheck {
  readonly status: RpcStatus;
  readonly validDurationMs: number;
  readonly validUseCount: number;
}

/**
 * Combines check answers as Istio's dispatcher does: the first non-OK status (in dispatch
 * order) gives the code, and the message lists every non-OK answer as `handler:message`,
 * comma-separated; the validity is the smallest duration and use count of all answers. With
 * no answer at all: OK for 1 minute and 10000 uses.
 */
export function combineCheckResults(results: readonly AttributedCheckResult[]): CombinedCheck {
  if (results.length === 0) return { status: OK_STATUS, validDurationMs: DEFAULT_VALID_DURATION_MS, validUseCount: DEFAULT_VALID_USE_COUNT };
  let first: RpcStatus | undefined;
  let messages: string[] | undefined;
  let validDurationMs = Number.POSITIVE_INFINITY;
  let validUseCount = Number.POSITIVE_INFINITY;
  for (const { handlerName, result } of results) {
    if (result.validDurationMs < validDurationMs) validDurationMs = result.validDurationMs;
    if (result.validUseCount < validUseCount) validUseCount = result.validUseCount;
    if (result.status.code !== RpcCode.OK) {
      first ??= result.status;
      (messages ??= []).push(`${handlerName}:${result.status.message}`);
    }
  }
  const status: RpcStatus =
    first === undefined
      ? OK_STATUS
      : { code: first.code, message: messages!.join(', '), ...(first.directResponse === undefined ? {} : { directResponse: first.directResponse }) };
  return { status, validDurationMs, validUseCount };
}
