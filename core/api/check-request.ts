import type { AttributeBag } from '../attribute/bag.js';
import { InvalidAttributesError, requestBagFromJson } from '../attribute/convert.js';
import type { AttributeManifest } from '../attribute/manifest.js';
import type { QuotaRequest } from '../runtime/check-outcome.js';
import { BadRequestError } from './bad-request-error.js';

/** A Check as the HTTP/JSON API receives it, parsed and typed. */
export interface ParsedCheckRequest {
  readonly bag: AttributeBag;
  readonly quotas: ReadonlyMap<string, QuotaRequest>;
  readonly deduplicationId: string;
}

const CHECK_FIELDS = new Set(['attributes', 'quotas', 'deduplicationId', 'deduplication_id', 'globalWordCount', 'global_word_count']);
const NO_QUOTAS: ReadonlyMap<string, QuotaRequest> = new Map();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses the JSON form of istio.mixer.v1.CheckRequest with attributes as a plain object:
 * `{"attributes": {...}, "quotas": {"name": {"amount": 1, "bestEffort": false}}, "deduplicationId": "..."}`.
 * Field names may be lowerCamelCase or snake_case, as proto3 JSON allows.
 */
export function parseCheckRequest(body: unknown, manifest: AttributeManifest): ParsedCheckRequest {
  if (!isObject(body)) throw new BadRequestError('the body must be a JSON object: {"attributes": {...}, "quotas": {...}}');
  for (const key of Object.keys(body)) {
    if (!CHECK_FIELDS.has(key)) throw new BadRequestError(`unknown field '${key}' in CheckRequest (expected attributes, quotas, deduplicationId)`);
  }
  return {
    bag: parseAttributes(body['attributes'], 'attributes', manifest),
    quotas: parseQuotas(body['quotas']),
    deduplicationId: parseString(body['deduplicationId'] ?? body['deduplication_id'], 'deduplicationId'),
  };
}

/** Parses `{"attributes": [ {...}, {...} ]}`, the JSON form of a ReportRequest. */
export function parseReportRequest(body: unknown, manifest: AttributeManifest): AttributeBag[] {
  if (!isObject(body)) throw new BadRequestError('the body must be a JSON object: {"attributes": [{...}, ...]}');
  for (const key of Object.keys(body)) {
    if (key !== 'attributes') throw new BadRequestError(`unknown field '${key}' in ReportRequest (expected attributes)`);
  }
  const entries = body['attributes'];
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new BadRequestError('attributes: expected an array of attribute objects, one per reported request');
  return entries.map((entry, index) => parseAttributes(entry, `attributes[${index}]`, manifest));
}

function parseAttributes(value: unknown, field: string, manifest: AttributeManifest): AttributeBag {
  if (value === undefined) return requestBagFromJson({}, manifest);
  if (!isObject(value)) throw new BadRequestError(`${field}: expected an object of attribute name to value`);
  try {
    return requestBagFromJson(value, manifest);
  } catch (error) {
    if (error instanceof InvalidAttributesError) throw new BadRequestError(`${field}: ${error.problems.join('; ')}`);
    throw error;
  }
}

function parseQuotas(value: unknown): ReadonlyMap<string, QuotaRequest> {
  if (value === undefined) return NO_QUOTAS;
  if (!isObject(value)) throw new BadRequestError('quotas: expected an object of quota name to {"amount": n, "bestEffort": bool}');
  const quotas = new Map<string, QuotaRequest>();
  for (const [name, params] of Object.entries(value)) {
    if (!isObject(params)) throw new BadRequestError(`quotas.${name}: expected {"amount": n, "bestEffort": bool}`);
    for (const key of Object.keys(params)) {
      if (!['amount', 'bestEffort', 'best_effort'].includes(key)) throw new BadRequestError(`quotas.${name}: unknown field '${key}'`);
    }
    const rawAmount = params['amount'] ?? 0;
    const amount = typeof rawAmount === 'string' && /^-?\d+$/.test(rawAmount) ? Number(rawAmount) : rawAmount;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) {
      throw new BadRequestError(`quotas.${name}.amount: expected an integer, got ${JSON.stringify(rawAmount)}`);
    }
    const bestEffort = params['bestEffort'] ?? params['best_effort'] ?? false;
    if (typeof bestEffort !== 'boolean') throw new BadRequestError(`quotas.${name}.bestEffort: expected true or false, got ${JSON.stringify(bestEffort)}`);
    quotas.set(name, { amount, bestEffort });
  }
  return quotas;
}

function parseString(value: unknown, field: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new BadRequestError(`${field}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}
