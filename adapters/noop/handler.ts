import type { HandlerFor } from '../sdk/adapter-info.js';
import { OK_STATUS } from '../../core/status/rpc-status.js';
import type { CheckResult, QuotaArgs, QuotaResult } from '../../templates/handler-contract.js';

export type NoopTemplates =
  | 'authorization' | 'checknothing' | 'reportnothing' | 'listentry' | 'logentry'
  | 'metric' | 'quota' | 'tracespan' | 'apikey' | 'edge';

/** Istio's noop answers: valid for 1e9 seconds and 1e9 uses. */
export const NOOP_VALID_DURATION_MS = 1e9 * 1000;
export const NOOP_VALID_USE_COUNT = 1e9;

const ALLOW: CheckResult = Object.freeze({ status: OK_STATUS, validDurationMs: NOOP_VALID_DURATION_MS, validUseCount: NOOP_VALID_USE_COUNT });

/** Allows every check, grants every quota request in full, ignores every report. */
export function buildNoopHandler(): HandlerFor<NoopTemplates> {
  const ignore = (): void => undefined;
  return {
    handleAuthorization: () => ALLOW,
    handleCheckNothing: () => ALLOW,
    handleListEntry: () => ALLOW,
    handleApiKey: () => ALLOW,
    handleQuota: (_instance, args: QuotaArgs): QuotaResult => ({
      status: OK_STATUS,
      grantedAmount: args.amount,
      validDurationMs: NOOP_VALID_DURATION_MS,
    }),
    handleReportNothing: ignore,
    handleLogEntry: ignore,
    handleMetric: ignore,
    handleTraceSpan: ignore,
    handleEdge: ignore,
  };
}
