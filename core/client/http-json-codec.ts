import type { AttributeBag } from '../attribute/bag.js';
import { toJsonValue, type JsonValue } from '../attribute/format.js';
import { ReferenceCondition, type AttributeReference } from '../attribute/referenced-attributes.js';
import { HeaderOperationKind } from '../config/snapshot.js';
import type { HeaderOperation, RouteDirective } from '../runtime/check-outcome.js';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS, rpcStatus, type RpcStatus } from '../status/rpc-status.js';
import {
  TransportError,
  type TransportCheckRequest,
  type TransportCheckResponse,
  type TransportPrecondition,
  type TransportQuotaResult,
} from './transport.js';

// The JSON bodies of Mixer's HTTP API (core/api/check-request.ts, check-response.ts): proto3
// JSON of CheckRequest/CheckResponse with attributes as a plain object and referenced
// attributes by name.

type JsonObject = { [key: string]: JsonValue };

/** A response that is not a CheckResponse: the server failed, as a gRPC parse failure would. */
class MalformedResponse extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function attributesJson(bag: AttributeBag): JsonObject {
  const json: JsonObject = {};
  for (const name of bag.names()) {
    const value = bag.get(name);
    if (value !== undefined) json[name] = toJsonValue(value);
  }
  return json;
}

export function checkRequestJson(request: TransportCheckRequest): JsonObject {
  const body: JsonObject = { attributes: attributesJson(request.attributes) };
  if (request.quotas.size > 0) {
    const quotas: JsonObject = {};
    for (const [name, quota] of request.quotas) quotas[name] = { amount: quota.amount, bestEffort: quota.bestEffort };
    body['quotas'] = quotas;
  }
  if (request.deduplicationId !== '') body['deduplicationId'] = request.deduplicationId;
  return body;
}

export function reportRequestJson(batch: readonly AttributeBag[]): JsonObject {
  return { attributes: batch.map(attributesJson) };
}

/** google.protobuf.Duration in proto3 JSON (`"1.5s"`) as milliseconds. */
export function parseDurationMs(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const match = typeof value === 'string' ? /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(value) : null;
  if (match === null) throw new MalformedResponse(`${field}: expected a duration such as "1.5s", got ${JSON.stringify(value)}`);
  const millis = Number(match[2]) * 1000 + Number((match[3] ?? '').padEnd(9, '0')) / 1e6;
  return match[1] === '-' ? -millis : millis;
}

function parseInteger(value: unknown, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const parsed = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed)) throw new MalformedResponse(`${field}: expected an integer, got ${JSON.stringify(value)}`);
  return parsed;
}

function parseStatus(value: unknown, field: string): RpcStatus {
  if (value === undefined || value === null) return OK_STATUS;
  if (!isObject(value)) throw new MalformedResponse(`${field}: expected a google.rpc.Status object`);
  const code = parseInteger(value['code'], `${field}.code`, RpcCode.OK);
  const message = value['message'] ?? '';
  if (typeof message !== 'string') throw new MalformedResponse(`${field}.message: expected a string`);
  return rpcStatus(code, message);
}

const CONDITIONS: Readonly<Record<string, ReferenceCondition>> = { ABSENCE: ReferenceCondition.ABSENCE, EXACT: ReferenceCondition.EXACT, REGEX: ReferenceCondition.REGEX };

function parseCondition(value: unknown): ReferenceCondition | undefined {
  if (typeof value === 'string') return CONDITIONS[value];
  if (value === 1 || value === 2 || value === 3) return value;
  return undefined;
}

/**
 * ReferencedAttributes by name. A match that cannot be decoded (a word index, which needs a
 * dictionary HTTP does not carry, or an unknown condition) makes the set invalid: the answer is
 * then not cached, but still used.
 */
function parseReferenced(value: unknown): { referenced: AttributeReference[]; valid: boolean } {
  if (value === undefined || value === null) return { referenced: [], valid: true };
  if (!isObject(value)) return { referenced: [], valid: false };
  const matches = value['attributeMatches'] ?? value['attribute_matches'] ?? [];
  if (!Array.isArray(matches)) return { referenced: [], valid: false };
  const referenced: AttributeReference[] = [];
  for (const match of matches) {
    if (!isObject(match) || typeof match['name'] !== 'string') return { referenced: [], valid: false };
    const condition = parseCondition(match['condition']);
    if (condition === undefined) return { referenced: [], valid: false };
    const mapKey = match['mapKey'] ?? match['map_key'];
    if (mapKey !== undefined && typeof mapKey !== 'string') return { referenced: [], valid: false };
    referenced.push(mapKey === undefined ? { name: match['name'], condition } : { name: match['name'], mapKey, condition });
  }
  return { referenced, valid: true };
}

function stringField(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new MalformedResponse(`${field}: expected a string`);
  return value;
}

const OPERATIONS: readonly HeaderOperationKind[] = [HeaderOperationKind.REPLACE, HeaderOperationKind.REMOVE, HeaderOperationKind.APPEND];

function parseOperations(value: unknown, field: string): HeaderOperation[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MalformedResponse(`${field}: expected an array`);
  return value.map((item, index) => {
    if (!isObject(item)) throw new MalformedResponse(`${field}[${index}]: expected an object`);
    const raw = item['operation'] ?? HeaderOperationKind.REPLACE;
    const operation = typeof raw === 'number' ? OPERATIONS[raw] : OPERATIONS.find((kind) => kind === raw);
    if (operation === undefined) throw new MalformedResponse(`${field}[${index}].operation: unknown operation ${JSON.stringify(raw)}`);
    return { name: stringField(item['name'], `${field}[${index}].name`), value: stringField(item['value'], `${field}[${index}].value`), operation };
  });
}

function parseRouteDirective(value: unknown): RouteDirective | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new MalformedResponse('precondition.routeDirective: expected an object');
  return {
    requestHeaderOperations: parseOperations(value['requestHeaderOperations'], 'routeDirective.requestHeaderOperations'),
    responseHeaderOperations: parseOperations(value['responseHeaderOperations'], 'routeDirective.responseHeaderOperations'),
    directResponseCode: parseInteger(value['directResponseCode'], 'routeDirective.directResponseCode', 0),
    directResponseBody: stringField(value['directResponseBody'], 'routeDirective.directResponseBody'),
  };
}

function parsePrecondition(value: unknown): TransportPrecondition | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new MalformedResponse('precondition: expected an object');
  const { referenced, valid } = parseReferenced(value['referencedAttributes'] ?? value['referenced_attributes']);
  return {
    status: parseStatus(value['status'], 'precondition.status'),
    validDurationMs: parseDurationMs(value['validDuration'] ?? value['valid_duration'], 'precondition.validDuration'),
    validUseCount: parseInteger(value['validUseCount'] ?? value['valid_use_count'], 'precondition.validUseCount', 0),
    referenced,
    referencedValid: valid,
    routeDirective: parseRouteDirective(value['routeDirective'] ?? value['route_directive']),
  };
}

function parseQuotaResult(name: string, value: unknown): TransportQuotaResult {
  if (!isObject(value)) throw new MalformedResponse(`quotas.${name}: expected an object`);
  const { referenced, valid } = parseReferenced(value['referencedAttributes'] ?? value['referenced_attributes']);
  return {
    status: parseStatus(value['status'], `quotas.${name}.status`),
    grantedAmount: parseInteger(value['grantedAmount'] ?? value['granted_amount'], `quotas.${name}.grantedAmount`, 0),
    validDurationMs: parseDurationMs(value['validDuration'] ?? value['valid_duration'], `quotas.${name}.validDuration`),
    referenced,
    referencedValid: valid,
  };
}

/** Decodes a CheckResponse body; a body that is not one is an INTERNAL TransportError. */
export function parseCheckResponse(body: unknown): TransportCheckResponse {
  try {
    if (!isObject(body)) throw new MalformedResponse('expected a JSON object');
    const quotas = new Map<string, TransportQuotaResult>();
    const rawQuotas = body['quotas'];
    if (rawQuotas !== undefined && rawQuotas !== null) {
      if (!isObject(rawQuotas)) throw new MalformedResponse('quotas: expected an object');
      for (const [name, result] of Object.entries(rawQuotas)) quotas.set(name, parseQuotaResult(name, result));
    }
    return { precondition: parsePrecondition(body['precondition']), quotas };
  } catch (error) {
    if (error instanceof MalformedResponse) throw new TransportError(RpcCode.INTERNAL, `malformed CheckResponse from Mixer: ${error.message}`);
    throw error;
  }
}
