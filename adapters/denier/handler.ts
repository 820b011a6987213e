import type { HandlerFor } from '../sdk/adapter-info.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import { OK_STATUS, type DirectHttpResponse, type RpcStatus } from '../../core/status/rpc-status.js';
import type { CheckResult, QuotaResult } from '../../templates/handler-contract.js';
import { DIRECT_HTTP_RESPONSE_TYPE, type DenierParams } from './params.js';

export type DenierTemplates = 'checknothing' | 'listentry' | 'quota';

/** The configured status: FAILED_PRECONDITION unless a code is given; a DirectHttpResponse detail is kept. */
export function configuredStatus(params: DenierParams): RpcStatus {
  const code = params.status.code === undefined ? RpcCode.FAILED_PRECONDITION : RpcCode[params.status.code];
  const detail = params.status.details.find((entry) => entry['@type'] === DIRECT_HTTP_RESPONSE_TYPE);
  if (detail === undefined) return Object.freeze({ code, message: params.status.message });
  const directResponse: DirectHttpResponse = Object.freeze({
    code: detail.code ?? 0,
    body: detail.body ?? '',
    headers: Object.freeze({ ...(detail.headers ?? {}) }),
  });
  return Object.freeze({ code, message: params.status.message, directResponse });
}

/** Every check answers the configured status with the configured caching hints; quota grants nothing. */
export function buildDenierHandler(params: DenierParams): HandlerFor<DenierTemplates> {
  const result: CheckResult = Object.freeze({
    status: configuredStatus(params),
    validDurationMs: params.validDuration.toMillis(),
    validUseCount: params.validUseCount,
  });
  const quota: QuotaResult = Object.freeze({ status: OK_STATUS, grantedAmount: 0, validDurationMs: 0 });
  return {
    handleCheckNothing: () => result,
    handleListEntry: () => result,
    handleQuota: () => quota,
  };
}
