import { Duration } from './duration.js';
import { IpAddress } from './ip-address.js';
import { StringMap } from './string-map.js';
import { Timestamp } from './timestamp.js';
import type { AttributeValue } from './value.js';

/** A JSON value, as `mixer eval` and the HTTP API print attribute values. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Values a CEL expression may produce besides attribute values: `null`, lists, runtime objects
 * that print through `toJSON` (maps with non-string entries, type values, messages), and plain
 * records.
 */
export type ExpressionOnlyValue = null | readonly unknown[] | { toJSON(): unknown } | { readonly [key: string]: unknown };

/**
 * The JSON form of an attribute value: strings, numbers (INT64 beyond 2^53 as decimal text),
 * booleans, objects for string maps, RFC 3339 text for timestamps, Go-style text for durations
 * (`1.5s`), text for IP addresses and base64 for bytes. CEL-only values print as `null`,
 * arrays, and their `toJSON()` form.
 */
export function toJsonValue(value: AttributeValue | ExpressionOnlyValue): JsonValue {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value === null) return null;
  if (value instanceof StringMap) return value.toObject();
  if (value instanceof Timestamp || value instanceof Duration || value instanceof IpAddress) return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item as AttributeValue));
  const printable = value as { toJSON?: () => unknown };
  if (typeof printable.toJSON === 'function') return toJsonValue(printable.toJSON() as AttributeValue | ExpressionOnlyValue);
  const object: { [key: string]: JsonValue } = {};
  for (const [key, entry] of Object.entries(value)) object[key] = toJsonValue(entry as AttributeValue);
  return object;
}
