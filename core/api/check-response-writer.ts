import { type ReferenceCondition, type ReferencedAttributes } from '../attribute/referenced-attributes.js';
import type { CheckOutcome, HeaderOperation } from '../runtime/check-outcome.js';
import type { RpcStatus } from '../status/rpc-status.js';
import { durationJson } from './proto-json.js';

// The hot path's CheckResponse serializer: writes the proto3 JSON text directly, the same
// document `checkResponseJson` builds as objects, without building them (measured about a
// third cheaper per request than objects plus a schema serializer).

const quote = JSON.stringify;

function statusText(status: RpcStatus): string {
  return status.message === '' ? `{"code":${status.code}}` : `{"code":${status.code},"message":${quote(status.message)}}`;
}

/**
 * The JSON of one attribute match. Requests reference the same few dozen attributes over and
 * over, so the text is kept (bounded: the cache starts over past 10 000 entries).
 */
const MATCH_TEXT = new Map<string, string>();
const CONDITION_NAMES = ['CONDITION_UNSPECIFIED', 'ABSENCE', 'EXACT', 'REGEX'] as const;

function matchText(name: string, mapKey: string | undefined, condition: ReferenceCondition): string {
  const key = mapKey === undefined ? `${condition}${name}` : `${condition}${name}\u0000${mapKey}`;
  let text = MATCH_TEXT.get(key);
  if (text === undefined) {
    text = `{"name":${quote(name)},"condition":"${CONDITION_NAMES[condition]}"${mapKey === undefined ? '' : `,"mapKey":${quote(mapKey)}`}}`;
    if (MATCH_TEXT.size >= 10_000) MATCH_TEXT.clear();
    MATCH_TEXT.set(key, text);
  }
  return text;
}

function referencedText(referenced: ReferencedAttributes): string {
  let text = '{"attributeMatches":[';
  let first = true;
  referenced.forEach((name, mapKey, condition) => {
    text += first ? matchText(name, mapKey, condition) : `,${matchText(name, mapKey, condition)}`;
    first = false;
  });
  return `${text}]}`;
}

function operationsText(operations: readonly HeaderOperation[]): string {
  return `[${operations.map((operation) => `{"name":${quote(operation.name)},"value":${quote(operation.value)},"operation":"${operation.operation}"}`).join(',')}]`;
}

/** The CheckResponse for `outcome` as JSON text. */
export function writeCheckResponse(outcome: CheckOutcome): string {
  let text = `{"precondition":{"status":${statusText(outcome.status)},"validDuration":"${durationJson(outcome.validDurationMs)}","validUseCount":${Math.min(outcome.validUseCount, 2_147_483_647)},"referencedAttributes":${referencedText(outcome.referenced)}`;
  const directive = outcome.routeDirective;
  if (directive !== undefined) {
    const fields: string[] = [];
    if (directive.requestHeaderOperations.length > 0) fields.push(`"requestHeaderOperations":${operationsText(directive.requestHeaderOperations)}`);
    if (directive.responseHeaderOperations.length > 0) fields.push(`"responseHeaderOperations":${operationsText(directive.responseHeaderOperations)}`);
    if (directive.directResponseCode !== 0) fields.push(`"directResponseCode":${directive.directResponseCode}`);
    if (directive.directResponseBody !== '') fields.push(`"directResponseBody":${quote(directive.directResponseBody)}`);
    text += `,"routeDirective":{${fields.join(',')}}`;
  }
  text += '}';
  if (outcome.quotas.size > 0) {
    const quotas: string[] = [];
    for (const [name, quota] of outcome.quotas) {
      quotas.push(
        `${quote(name)}:{"validDuration":"${durationJson(quota.validDurationMs)}","grantedAmount":"${quota.grantedAmount}","referencedAttributes":${referencedText(quota.referenced)},"status":${statusText(quota.status)}}`,
      );
    }
    text += `,"quotas":{${quotas.join(',')}}`;
  }
  return `${text}}`;
}
