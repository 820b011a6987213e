import { Duration } from '../../attribute/duration.js';
import { IpAddress } from '../../attribute/ip-address.js';
import { StringMap } from '../../attribute/string-map.js';
import { Timestamp } from '../../attribute/timestamp.js';
import { dnsNameEquals } from '../functions/dns-name.js';
import { emailEquals } from '../functions/email.js';
import { uriEquals } from '../functions/uri.js';
import { fail } from './runtime-error.js';
import { type CelType, DNS_NAME_MESSAGE, EMAIL_MESSAGE, IP_ADDRESS_MESSAGE, URI_MESSAGE } from './types.js';
import { AttributeNodeValue, CelMap, CelMessage, DynDouble, DynUint, DynWrapper } from './values.js';

export type Equality = (a: unknown, b: unknown) => boolean;

const identity: Equality = (a, b) => a === b;

/** CEL equality for two values of static type `type` (plain form). */
export function equalityFor(type: CelType): Equality {
  switch (type.kind) {
    case 'int':
    case 'uint':
    case 'double':
    case 'string':
    case 'bool':
    case 'null':
    case 'type':
      return identity;
    case 'bytes':
      return (a, b) => bytesEqual(a as Uint8Array, b as Uint8Array);
    case 'timestamp':
      return (a, b) => (a as Timestamp).equals(b as Timestamp);
    case 'duration':
      return (a, b) => (a as Duration).equals(b as Duration);
    case 'list': {
      const element = equalityFor(type.elem);
      return (a, b) => listsEqual(a as unknown[], b as unknown[], element);
    }
    case 'map': {
      const value = equalityFor(type.value);
      return (a, b) => mapsEqual(a, b, value);
    }
    case 'message':
      // A message-typed operand may be the null literal.
      if (type === IP_ADDRESS_MESSAGE) return nullSafe((a, b) => (a as IpAddress).equals(b as IpAddress));
      if (type === EMAIL_MESSAGE) return nullSafe((a, b) => emailEquals(a as string, b as string));
      if (type === URI_MESSAGE) return nullSafe((a, b) => uriEquals(a as string, b as string));
      if (type === DNS_NAME_MESSAGE) return nullSafe((a, b) => dnsNameEquals(a as string, b as string));
      return dynEquals;
    default:
      return dynEquals;
  }
}

function nullSafe(equality: Equality): Equality {
  return (a, b) => (a === null || b === null ? a === b : equality(a, b));
}

/** CEL equality of two dyn-form values; numbers compare across int, uint and double. */
export function dynEquals(a: unknown, b: unknown): boolean {
  const left = numericValue(a);
  if (left !== undefined) {
    const right = numericValue(b);
    return right !== undefined && !(left < right) && !(left > right) && !Number.isNaN(left) && !Number.isNaN(right);
  }
  if (typeof a === 'string' || typeof a === 'boolean' || a === null) return a === b;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && bytesEqual(a, b);
  if (a instanceof Timestamp) return b instanceof Timestamp && a.equals(b);
  if (a instanceof Duration) return b instanceof Duration && a.equals(b);
  if (a instanceof IpAddress) return b instanceof IpAddress && a.equals(b);
  if (a instanceof DynWrapper) return b instanceof DynWrapper && a.type === b.type && equalityFor(a.type)(a.value, b.value);
  if (Array.isArray(a)) return Array.isArray(b) && listsEqual(a, b, dynEquals);
  if (a instanceof CelMap || a instanceof StringMap) return mapsEqual(a, b, dynEquals);
  if (a instanceof AttributeNodeValue) return fail('attribute message does not support equality');
  if (a instanceof CelMessage) {
    if (!(b instanceof CelMessage) || a.type !== b.type || a.fields.size !== b.fields.size) return false;
    for (const [name, value] of a.fields) if (!b.fields.has(name) || !dynEquals(value, b.fields.get(name))) return false;
    return true;
  }
  return a === b;
}

/** A number (or bigint) for the numeric dyn forms, else undefined. */
function numericValue(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof DynDouble || value instanceof DynUint) return value.value;
  return undefined;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

function listsEqual(a: readonly unknown[], b: readonly unknown[], element: Equality): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (!element(a[index], b[index])) return false;
  return true;
}

function mapsEqual(a: unknown, b: unknown, value: Equality): boolean {
  if (a instanceof StringMap || b instanceof StringMap) return fail('stringmap does not support equality');
  if (!(a instanceof CelMap) || !(b instanceof CelMap)) return false;
  if (a.size !== b.size) return false;
  for (const key of a.keys()) {
    const other = b.get(key);
    if (other === undefined || !value(a.get(key), other)) return false;
  }
  return true;
}
