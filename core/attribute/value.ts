import { Duration } from './duration.js';
import { IpAddress } from './ip-address.js';
import { StringMap } from './string-map.js';
import { Timestamp } from './timestamp.js';
import { ValueType } from './value-type.js';

/**
 * INT64 values are JS numbers while they fit in the safe-integer range and bigints beyond it,
 * never both for the same value, so `===` is exact equality and `<` compares exactly.
 */
export type Int64 = number | bigint;

/**
 * The runtime representation of every attribute value type:
 * STRING, EMAIL_ADDRESS, URI, DNS_NAME → string; INT64 → Int64; DOUBLE → number;
 * BOOL → boolean; TIMESTAMP → Timestamp; DURATION → Duration; IP_ADDRESS → IpAddress;
 * STRING_MAP → StringMap; BYTES → Uint8Array.
 */
export type AttributeValue = string | Int64 | boolean | Timestamp | Duration | IpAddress | StringMap | Uint8Array;

const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;

/** Brings an integer to the canonical Int64 form (number when safe, else bigint). */
export function normalizeInt64(value: bigint): Int64 {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

export function isInt64InRange(value: bigint): boolean {
  return value >= MIN_INT64 && value <= MAX_INT64;
}

/** Wraps to 64-bit two's complement like Go's int64 arithmetic, then normalizes. */
export function wrapInt64(value: bigint): Int64 {
  return normalizeInt64(BigInt.asIntN(64, value));
}

export function isInt64(value: unknown): value is Int64 {
  return (typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint';
}

/** True when `value` has the runtime representation of `type`. */
export function hasRuntimeType(value: unknown, type: ValueType): value is AttributeValue {
  switch (type) {
    case ValueType.STRING:
    case ValueType.EMAIL_ADDRESS:
    case ValueType.URI:
    case ValueType.DNS_NAME:
      return typeof value === 'string';
    case ValueType.INT64:
      return isInt64(value);
    case ValueType.DOUBLE:
      return typeof value === 'number';
    case ValueType.BOOL:
      return typeof value === 'boolean';
    case ValueType.TIMESTAMP:
      return value instanceof Timestamp;
    case ValueType.DURATION:
      return value instanceof Duration;
    case ValueType.IP_ADDRESS:
      return value instanceof IpAddress;
    case ValueType.STRING_MAP:
      return value instanceof StringMap;
    case ValueType.BYTES:
      return value instanceof Uint8Array;
    default:
      return false;
  }
}

/**
 * The value type a runtime value most naturally has. Strings are STRING and numbers are INT64
 * when integral, DOUBLE otherwise: the representation alone cannot tell URI from STRING.
 */
export function inferValueType(value: AttributeValue): ValueType {
  if (typeof value === 'string') return ValueType.STRING;
  if (typeof value === 'boolean') return ValueType.BOOL;
  if (typeof value === 'bigint') return ValueType.INT64;
  if (typeof value === 'number') return Number.isInteger(value) ? ValueType.INT64 : ValueType.DOUBLE;
  if (value instanceof Timestamp) return ValueType.TIMESTAMP;
  if (value instanceof Duration) return ValueType.DURATION;
  if (value instanceof IpAddress) return ValueType.IP_ADDRESS;
  if (value instanceof StringMap) return ValueType.STRING_MAP;
  return ValueType.BYTES;
}
