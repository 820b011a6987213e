import { ReferenceCondition, type ReferencedAttributes } from '../attribute/referenced-attributes.js';
import type { CheckOutcome, HeaderOperation, RouteDirective } from '../runtime/check-outcome.js';
import type { RpcStatus } from '../status/rpc-status.js';
import { durationJson } from './proto-json.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** google.rpc.Status in JSON (code always present, message when set). */
export function statusJson(status: RpcStatus): { [key: string]: Json } {
  return status.message === '' ? { code: status.code } : { code: status.code, message: status.message };
}

/** ReferencedAttributes in JSON, with names in plain text (no word dictionary over HTTP). */
export function referencedJson(referenced: ReferencedAttributes): { [key: string]: Json } {
  const matches: Json[] = referenced.entries().map((reference) => {
    const match: { [key: string]: Json } = { name: reference.name, condition: ReferenceCondition[reference.condition] };
    if (reference.mapKey !== undefined) match['mapKey'] = reference.mapKey;
    return match;
  });
  return { attributeMatches: matches };
}

function operationsJson(operations: readonly HeaderOperation[]): Json[] {
  return operations.map((operation) => ({ name: operation.name, value: operation.value, operation: operation.operation }));
}

function routeDirectiveJson(directive: RouteDirective): { [key: string]: Json } {
  const json: { [key: string]: Json } = {};
  if (directive.requestHeaderOperations.length > 0) json['requestHeaderOperations'] = operationsJson(directive.requestHeaderOperations);
  if (directive.responseHeaderOperations.length > 0) json['responseHeaderOperations'] = operationsJson(directive.responseHeaderOperations);
  if (directive.directResponseCode !== 0) json['directResponseCode'] = directive.directResponseCode;
  if (directive.directResponseBody !== '') json['directResponseBody'] = directive.directResponseBody;
  return json;
}

/**
 * The proto3 JSON form of istio.mixer.v1.CheckResponse: durations as `"60s"`, int64 amounts as
 * strings, enums by name, and referenced attributes by name.
 */
export function checkResponseJson(outcome: CheckOutcome): { [key: string]: Json } {
  const precondition: { [key: string]: Json } = {
    status: statusJson(outcome.status),
    validDuration: durationJson(outcome.validDurationMs),
    validUseCount: Math.min(outcome.validUseCount, 2_147_483_647),
    referencedAttributes: referencedJson(outcome.referenced),
  };
  if (outcome.routeDirective !== undefined) precondition['routeDirective'] = routeDirectiveJson(outcome.routeDirective);
  const response: { [key: string]: Json } = { precondition };
  if (outcome.quotas.size > 0) {
    const quotas: { [key: string]: Json } = {};
    for (const [name, quota] of outcome.quotas) {
      quotas[name] = {
        validDuration: durationJson(quota.validDurationMs),
        grantedAmount: String(quota.grantedAmount),
        referencedAttributes: referencedJson(quota.referenced),
        status: statusJson(quota.status),
      };
    }
    response['quotas'] = quotas;
  }
  return response;
}
