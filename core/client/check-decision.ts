import type { AttributeValue } from '../attribute/value.js';
import type { RouteDirective } from '../runtime/check-outcome.js';
import { RpcCode, httpStatusForRpcCode } from '../status/rpc-code.js';
import { OK_STATUS, isOk, rpcStatus, type RpcStatus } from '../status/rpc-status.js';
import type { TransportError } from './transport.js';

/** What the caller of `MixerClient.check` gets: the final decision, never an exception. */
export interface CheckDecision {
  /** The final status (§4.1 step 5): OK allows, anything else denies. */
  readonly status: RpcStatus;
  /** Header operations or a direct response for the proxy (from the cached or fresh precondition). */
  readonly routeDirective: RouteDirective | undefined;
  readonly checkCacheHit: boolean;
  readonly quotaCacheHit: boolean;
  /** True when the caller waited for a Check call to Mixer (background prefetches do not count). */
  readonly remoteCall: boolean;
  /** The failure the network fail policy turned into `status`; undefined when Mixer answered or was not asked. */
  readonly transportError: TransportError | undefined;
  /** The precondition's status (after the fail-open INTERNAL rule), when there was one. */
  readonly policyStatus: RpcStatus | undefined;
  /** The quotas' combined status, when quotas were asked for and decided. */
  readonly quotaStatus: RpcStatus | undefined;
}

/** RESOURCE_EXHAUSTED naming the quotas that were not granted, or OK when none. */
export function quotaStatusFor(rejected: readonly string[]): RpcStatus {
  return rejected.length === 0 ? OK_STATUS : rpcStatus(RpcCode.RESOURCE_EXHAUSTED, `Quota is exhausted for: ${rejected.join(',')}`);
}

/**
 * The final status, in Istio's order: a transport failure gives OK under fail-open and the
 * transport status otherwise; with no quota asked, the precondition; a precondition that is not
 * OK; otherwise the quota status.
 */
export function finalStatus(input: {
  readonly transportError: TransportError | undefined;
  readonly failOpen: boolean;
  readonly quotaRequested: boolean;
  readonly policyStatus: RpcStatus;
  readonly quotaStatus: RpcStatus;
}): RpcStatus {
  if (input.transportError !== undefined) return input.failOpen ? OK_STATUS : rpcStatus(input.transportError.rpcCode, input.transportError.message);
  if (!input.quotaRequested) return input.policyStatus;
  if (!isOk(input.policyStatus)) return input.policyStatus;
  return input.quotaStatus;
}

/**
 * The attributes a proxy adds to the request's Report (§4.1 step 6): `check.cache_hit`,
 * `quota.cache_hit`, and `check.error_code`/`check.error_message` when the decision denies.
 */
export function decisionReportAttributes(decision: CheckDecision): [string, AttributeValue][] {
  const attributes: [string, AttributeValue][] = [
    ['check.cache_hit', decision.checkCacheHit],
    ['quota.cache_hit', decision.quotaCacheHit],
  ];
  if (!isOk(decision.status)) {
    attributes.push(['check.error_code', decision.status.code]);
    attributes.push(['check.error_message', decision.status.message]);
  }
  return attributes;
}

/** The HTTP status a proxy answers with: a direct response code first, else Envoy's rpc → HTTP map. */
export function decisionHttpStatus(decision: CheckDecision): number {
  const direct = decision.routeDirective?.directResponseCode ?? 0;
  return direct !== 0 ? direct : httpStatusForRpcCode(decision.status.code);
}
