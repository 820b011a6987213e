import { Duration } from '../../attribute/duration.js';
import { IpAddress } from '../../attribute/ip-address.js';
import { StringMap } from '../../attribute/string-map.js';
import { Timestamp } from '../../attribute/timestamp.js';
import { fail } from './runtime-error.js';
import { type CelType, formatType, IP_ADDRESS_MESSAGE, isStringWrapper, sameType } from './types.js';
import { AttributeNodeValue, CelMap, CelMessage, CelTypeValue, DynDouble, DynUint, DynWrapper } from './values.js';

/** A value conversion between two representations; `undefined` stands for "no change". */
export type Converter = ((value: unknown) => unknown) | undefined;

function isDynLike(type: CelType): boolean {
  return type.kind === 'dyn' || type.kind === 'error' || type.kind === 'param';
}

/** The conversion for a value of static type `from` used where `to` is expected. */
export function converter(from: CelType, to: CelType): Converter {
  if (sameType(from, to)) return undefined;
  if (isDynLike(to)) return isDynLike(from) ? undefined : toDyn(from);
  if (isDynLike(from)) return fromDyn(to);
  if (from.kind === 'list' && to.kind === 'list') {
    const element = converter(from.elem, to.elem);
    return element === undefined ? undefined : (value) => (value as unknown[]).map(element);
  }
  if (from.kind === 'map' && to.kind === 'map') {
    const entry = converter(from.value, to.value);
    return entry === undefined ? undefined : (value) => (value instanceof CelMap ? value.mapValues(entry) : value);
  }
  return undefined;
}

/** Boxes a value of static type `type` into dyn form. */
export function toDyn(type: CelType): Converter {
  switch (type.kind) {
    case 'double':
      return (value) => new DynDouble(value as number);
    case 'uint':
      return (value) => new DynUint(value as number | bigint);
    case 'message':
      return isStringWrapper(type) ? (value) => new DynWrapper(type, value as string) : undefined;
    case 'list': {
      const element = toDyn(type.elem);
      return element === undefined ? undefined : (value) => (value as unknown[]).map(element);
    }
    case 'map': {
      const entry = toDyn(type.value);
      return entry === undefined ? undefined : (value) => (value instanceof CelMap ? value.mapValues(entry) : value);
    }
    default:
      return undefined;
  }
}

/** Unboxes a dyn value to the plain form of `type`, failing when it is of another type. */
export function fromDyn(type: CelType): Converter {
  if (isDynLike(type)) return undefined;
  const check = (value: unknown): unknown => {
    if (!matchesType(value, type)) fail(`no such overload: value of type ${runtimeTypeName(value)} where ${formatType(type)} is expected`);
    return value;
  };
  switch (type.kind) {
    case 'double':
    case 'uint':
      return (value) => (check(value) as DynDouble | DynUint).value;
    case 'message':
      return isStringWrapper(type) ? (value) => (check(value) as DynWrapper).value : check;
    case 'list': {
      const element = fromDyn(type.elem);
      return element === undefined ? check : (value) => (check(value) as unknown[]).map(element);
    }
    case 'map': {
      const entry = fromDyn(type.value);
      return entry === undefined ? check : (value) => (check(value) instanceof CelMap ? (value as CelMap).mapValues(entry) : value);
    }
    default:
      return check;
  }
}

/** Whether a dyn-form value has the CEL type `type` (the element types of containers are not inspected). */
export function matchesType(value: unknown, type: CelType): boolean {
  switch (type.kind) {
    case 'int':
      return typeof value === 'number' || typeof value === 'bigint';
    case 'uint':
      return value instanceof DynUint;
    case 'double':
      return value instanceof DynDouble;
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'bytes':
      return value instanceof Uint8Array;
    case 'null':
      return value === null;
    case 'timestamp':
      return value instanceof Timestamp;
    case 'duration':
      return value instanceof Duration;
    case 'list':
      return Array.isArray(value);
    case 'map':
      return value instanceof CelMap || value instanceof StringMap;
    case 'type':
      return value instanceof CelTypeValue;
    case 'message':
      if (type === IP_ADDRESS_MESSAGE) return value instanceof IpAddress;
      if (isStringWrapper(type)) return value instanceof DynWrapper && value.type === type;
      if (value instanceof AttributeNodeValue) return value.node.typeName === type.name;
      return value instanceof CelMessage && value.type === type;
    default:
      return true;
  }
}

/** The CEL type name of a dyn-form value (what `type(x)` returns). */
export function runtimeTypeName(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'int';
  if (typeof value === 'boolean') return 'bool';
  if (value === null) return 'null_type';
  if (value instanceof DynDouble) return 'double';
  if (value instanceof DynUint) return 'uint';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Timestamp) return 'google.protobuf.Timestamp';
  if (value instanceof Duration) return 'google.protobuf.Duration';
  if (Array.isArray(value)) return 'list';
  if (value instanceof CelMap || value instanceof StringMap) return 'map';
  if (value instanceof CelTypeValue) return 'type';
  if (value instanceof IpAddress) return IP_ADDRESS_MESSAGE.name;
  if (value instanceof DynWrapper) return value.type.name;
  if (value instanceof AttributeNodeValue) return value.node.typeName;
  if (value instanceof CelMessage) return value.type.name;
  return 'unknown';
}
