import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import { ValueType } from '../attribute/value-type.js';

/** How Istio's interpreter named a value type in conversion and "not yet implemented" errors. */
export function interpreterTypeName(type: ValueType): string {
  switch (type) {
    case ValueType.STRING:
    case ValueType.EMAIL_ADDRESS:
    case ValueType.URI:
    case ValueType.DNS_NAME:
      return 'string';
    case ValueType.INT64:
      return 'integer';
    case ValueType.DOUBLE:
      return 'double';
    case ValueType.BOOL:
      return 'bool';
    case ValueType.DURATION:
      return 'duration';
    default:
      return 'interface';
  }
}

/** Go's %v of a mistyped bag value. */
export function printGoValue(value: unknown): string {
  if (value instanceof StringMap) return `map[${[...value.entries].sort().map(([key, entry]) => `${key}:${entry}`).join(' ')}]`;
  if (value instanceof Uint8Array) return `[${value.join(' ')}]`;
  if (value instanceof Timestamp || value instanceof Duration || value instanceof IpAddress) return value.toString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return Object.prototype.toString.call(value);
}

/** The message for a bag value that does not have the representation its declared type promises. */
export function conversionErrorMessage(type: ValueType, value: unknown): string {
  return `error converting value to ${interpreterTypeName(type)}: '${printGoValue(value)}'`;
}
