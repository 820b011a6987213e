import { Duration } from './duration.js';
import { IpAddress } from './ip-address.js';
import { StringMap } from './string-map.js';
import { Timestamp } from './timestamp.js';
import type { AttributeValue } from './value.js';

/** A JSON value, as `mixer eval` and the HTTP API print attribute values. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The JSON form of an attribute value: strings, numbers (INT64 beyond 2^53 as decimal text),
 * booleans, objects for string maps, RFC 3339 text for timestamps, Go-style text for durations
 * (`1.5s`), text for IP addresses and base64 for bytes.
 */
export function toJsonValue(value: AttributeValue): JsonValue {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof StringMap) return value.toObject();
  if (value instanceof Timestamp || value instanceof Duration || value instanceof IpAddress) return value.toString();
  return Buffer.from(value).toString('base64');
}
