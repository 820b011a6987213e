import { conversionErrorMessage } from '../attribute-read-error.js';
import type { AttributeBag } from '../../attribute/bag.js';
import { Duration } from '../../attribute/duration.js';
import { IpAddress } from '../../attribute/ip-address.js';
import { StringMap } from '../../attribute/string-map.js';
import { Timestamp } from '../../attribute/timestamp.js';
import { ValueType, valueTypeName } from '../../attribute/value-type.js';
import type { AttributeNode } from './attribute-tree.js';
import { messageFieldDefault } from './messages.js';
import { messageDescriptor } from './messages.js';
import { toDyn } from './representation.js';
import { fail } from './runtime-error.js';
import { AttributeNodeValue, CelMap, CelMessage, DynUint } from './values.js';

/** Reads an attribute for one request. */
export type AttributeReader = (bag: AttributeBag) => unknown;

const EMPTY_BYTES = new Uint8Array(0);

/** Istio's defaultValue: what a missing attribute of each type reads as under CEL. */
export function zeroValue(type: ValueType): unknown {
  switch (type) {
    case ValueType.STRING:
    case ValueType.EMAIL_ADDRESS:
    case ValueType.URI:
    case ValueType.DNS_NAME:
      return '';
    case ValueType.INT64:
    case ValueType.DOUBLE:
      return 0;
    case ValueType.BOOL:
      return false;
    case ValueType.TIMESTAMP:
      return Timestamp.EPOCH;
    case ValueType.DURATION:
      return Duration.ZERO;
    case ValueType.STRING_MAP:
      return StringMap.EMPTY;
    case ValueType.IP_ADDRESS:
      return IpAddress.EMPTY;
    case ValueType.BYTES:
      return EMPTY_BYTES;
    default:
      return fail(`cannot provide defaults for ${valueTypeName(type)}`);
  }
}

function conversionError(type: ValueType, value: unknown): never {
  return fail(conversionErrorMessage(type, value));
}

/**
 * A reader for a leaf attribute: the bag's value (checked against the declared type), or the
 * type's zero value when the bag does not carry it. Each type gets its own closure so the hot
 * path is one bag lookup and one type test.
 */
export function attributeReader(node: AttributeNode): AttributeReader {
  const name = node.attributeName;
  const type = node.valueType!;
  switch (type) {
    case ValueType.STRING:
    case ValueType.EMAIL_ADDRESS:
    case ValueType.URI:
    case ValueType.DNS_NAME:
      return (bag) => {
        const value = bag.get(name);
        if (typeof value === 'string') return value;
        return value === undefined ? '' : conversionError(type, value);
      };
    case ValueType.INT64:
      return (bag) => {
        const value = bag.get(name);
        if (typeof value === 'number' ? Number.isInteger(value) : typeof value === 'bigint') return value;
        return value === undefined ? 0 : conversionError(type, value);
      };
    case ValueType.DOUBLE:
      return (bag) => {
        const value = bag.get(name);
        if (typeof value === 'number') return value;
        return value === undefined ? 0 : conversionError(type, value);
      };
    case ValueType.BOOL:
      return (bag) => {
        const value = bag.get(name);
        if (typeof value === 'boolean') return value;
        return value === undefined ? false : conversionError(type, value);
      };
    case ValueType.STRING_MAP:
      return (bag) => {
        const value = bag.get(name);
        if (value instanceof StringMap) return value;
        return value === undefined ? StringMap.EMPTY : conversionError(type, value);
      };
    default: {
      const zero = zeroValue(type);
      const expected = runtimeTest(type);
      return (bag) => {
        const value = bag.get(name);
        if (expected(value)) return value;
        return value === undefined ? zero : conversionError(type, value);
      };
    }
  }
}

function runtimeTest(type: ValueType): (value: unknown) => boolean {
  switch (type) {
    case ValueType.TIMESTAMP:
      return (value) => value instanceof Timestamp;
    case ValueType.DURATION:
      return (value) => value instanceof Duration;
    case ValueType.IP_ADDRESS:
      return (value) => value instanceof IpAddress;
    default:
      return (value) => value instanceof Uint8Array;
  }
}

/** Istio's IsSet on an attribute message: a leaf is present when the bag has it; inner nodes always are. */
export function attributePresence(node: AttributeNode): (bag: AttributeBag) => boolean {
  if (!node.isLeaf) return () => true;
  const name = node.attributeName;
  return (bag) => bag.get(name) !== undefined;
}

/** A map key read (`m[k]`, `m.k`): through the bag for attribute maps, so it is recorded. */
export function mapLookup(map: unknown, key: unknown, bag: AttributeBag): unknown {
  if (map instanceof StringMap) {
    if (typeof key !== 'string') return fail('index should be a string');
    const value = bag.lookupKey(map, key);
    return value === undefined ? fail(`no such key: '${key}'`) : value;
  }
  const value = (map as CelMap).get(key);
  return value === undefined ? fail(`no such key: '${keyText(key)}'`) : value;
}

/** `k in m` and `has(m.k)`. */
export function mapContains(map: unknown, key: unknown, bag: AttributeBag): boolean {
  if (map instanceof StringMap) {
    if (typeof key !== 'string') return fail('index should be a string');
    return bag.lookupKey(map, key) !== undefined;
  }
  return (map as CelMap).get(key) !== undefined;
}

function keyText(key: unknown): string {
  return key instanceof DynUint ? String(key.value) : String(key);
}

/** Field selection on a dyn value (`dyn(x).f`); the result is in dyn form. */
export function dynamicSelect(value: unknown, field: string, bag: AttributeBag): unknown {
  if (value instanceof AttributeNodeValue) {
    const child = value.node.children.get(field);
    if (child === undefined) return fail(`cannot evaluate select of '${field}' from ${value.node.typeName}`);
    if (!child.isLeaf) return new AttributeNodeValue(child, value.bag);
    const read = attributeReader(child)(value.bag);
    const box = toDyn(child.celType);
    return box === undefined ? read : box(read);
  }
  if (value instanceof StringMap || value instanceof CelMap) return mapLookup(value, field, bag);
  if (value instanceof CelMessage) {
    const descriptor = messageDescriptor(value.type.name);
    const fieldType = descriptor?.fields.get(field);
    if (descriptor === undefined || fieldType === undefined) return fail(`no such field '${field}'`);
    const read = value.fields.get(field) ?? messageFieldDefault(descriptor, field);
    const box = toDyn(fieldType);
    return box === undefined ? read : box(read);
  }
  return fail(`type does not support field selection: '${field}'`);
}

/** `has(x.f)` on a dyn value. */
export function dynamicPresence(value: unknown, field: string, bag: AttributeBag): boolean {
  if (value instanceof AttributeNodeValue) {
    const child = value.node.children.get(field);
    if (child === undefined) return fail(`cannot evaluate select of '${field}' from ${value.node.typeName}`);
    return attributePresence(child)(value.bag);
  }
  if (value instanceof StringMap || value instanceof CelMap) return mapContains(value, field, bag);
  if (value instanceof CelMessage) return messagePresence(value, field);
  return fail(`type does not support field selection: '${field}'`);
}

/** proto3 presence of a wrapper's scalar field: set when not the default. */
export function messagePresence(message: CelMessage, field: string): boolean {
  const value = message.fields.get(field);
  if (value === undefined) return false;
  const descriptor = messageDescriptor(message.type.name);
  if (descriptor === undefined) return true;
  const zero = messageFieldDefault(descriptor, field);
  return value instanceof Uint8Array ? value.length > 0 : value !== zero;
}
