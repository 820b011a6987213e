import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import type { AttributeValue } from '../attribute/value.js';

// The canonical text of attribute values for cache signatures: a type tag, then the value in a
// form that is equal exactly when the values are equal, with every string length-prefixed so
// that no concatenation of parts can read as another. Timestamps and durations contribute
// seconds and nanos, IP addresses their bytes, maps their entries (sorted when the whole map is
// referenced), as in istio/proxy `referenced.cc`.

/** `5:hello`: a string that cannot run into its neighbours. */
export function lengthPrefixed(text: string): string {
  return `${text.length}:${text}`;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical text of one attribute value. */
export function encodeValue(value: AttributeValue): string {
  switch (typeof value) {
    case 'string':
      return `s${lengthPrefixed(value)}`;
    case 'number':
      // INT64 and DOUBLE share the JS number; Object.is tells -0 from 0 like the bytes would.
      return Object.is(value, -0) ? 'n-0;' : `n${String(value)};`;
    case 'bigint':
      return `n${value.toString()};`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    default:
      break;
  }
  if (value instanceof Timestamp) return `t${value.seconds}.${value.nanos};`;
  if (value instanceof Duration) return `d${value.seconds}.${value.subsecondNanos};`;
  if (value instanceof IpAddress) return `i${hex(value.bytes)};`;
  if (value instanceof StringMap) {
    const entries = [...value.entries].sort(([a], [b]) => compareStrings(a, b));
    let text = `m${entries.length};`;
    for (const [key, entry] of entries) text += lengthPrefixed(key) + lengthPrefixed(entry);
    return text;
  }
  return `y${hex(value)};`;
}
