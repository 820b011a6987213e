import type { AttributeBag } from '../../attribute/bag.js';
import type { Int64 } from '../../attribute/value.js';
import type { AttributeNode } from './attribute-tree.js';
import { fail } from './runtime-error.js';
import type { MessageType } from './types.js';

/**
 * Runtime values beyond the attribute values (see value.ts for those: strings, Int64, numbers,
 * booleans, Timestamp, Duration, IpAddress, StringMap, Uint8Array).
 *
 * Representation rule: a value whose static type is known uses the plain form of that type —
 * an int and a double are both JS numbers, a uint is an Int64-like number or bigint, an Istio
 * e-mail / URI / DNS name is a string. Where the static type is `dyn` (or a type parameter),
 * values that would be ambiguous are boxed: DynDouble, DynUint, DynWrapper. The compiler
 * inserts the boxing and unboxing where static types change (see representation.ts).
 */
export class DynDouble {
  constructor(readonly value: number) {}
}

export class DynUint {
  constructor(readonly value: Int64) {}
}

/** An Istio e-mail address, URI or DNS name in a dyn position. */
export class DynWrapper {
  constructor(
    readonly type: MessageType,
    readonly value: string,
  ) {}
}

/** A CEL type value (`type(x)`, `int`, `string`): interned, so types compare with `===`. */
export class CelTypeValue {
  private static readonly interned = new Map<string, CelTypeValue>();

  private constructor(readonly name: string) {}

  static of(name: string): CelTypeValue {
    let value = CelTypeValue.interned.get(name);
    if (value === undefined) {
      value = new CelTypeValue(name);
      CelTypeValue.interned.set(name, value);
    }
    return value;
  }

  toString(): string {
    return this.name;
  }

  toJSON(): string {
    return this.name;
  }
}

/** An attribute-tree message (`context`, `request`) materialized as a value. */
export class AttributeNodeValue {
  constructor(
    readonly node: AttributeNode,
    readonly bag: AttributeBag,
  ) {}
}

/** A constructed protobuf message (the well-known wrappers): field name → value. */
export class CelMessage {
  constructor(
    readonly type: MessageType,
    readonly fields: ReadonlyMap<string, unknown>,
  ) {}

  toJSON(): Record<string, unknown> {
    return Object.fromEntries(this.fields);
  }
}

/** The primitive a map key is stored under (uint keys live in their own table). */
type KeySlot = string | boolean | number | bigint;

/**
 * A map built by a CEL expression (a map literal or a conversion); attribute maps stay
 * StringMap. Keys are kept in dyn form (a uint key is a DynUint); values in the plain form of
 * the map's static value type.
 */
export class CelMap {
  static readonly EMPTY = new CelMap([]);

  private readonly values = new Map<KeySlot, unknown>();
  private readonly uintValues = new Map<KeySlot, unknown>();
  private readonly keyList: unknown[] = [];

  /** Entries with keys in dyn form; a repeated key is an evaluation error. */
  constructor(entries: Iterable<readonly [unknown, unknown]>) {
    for (const [key, value] of entries) {
      const uint = key instanceof DynUint;
      const table = uint ? this.uintValues : this.values;
      const slot = uint ? key.value : keySlot(key);
      if (table.has(slot)) fail(`Failed with repeated key: ${String(uint ? key.value : slot)}`);
      table.set(slot, value);
      this.keyList.push(key);
    }
  }

  get size(): number {
    return this.keyList.length;
  }

  /** Keys in dyn form, in insertion order. */
  keys(): readonly unknown[] {
    return this.keyList;
  }

  /** Lookup by a key in dyn form. */
  get(key: unknown): unknown {
    if (typeof key === 'string') return this.values.get(key);
    if (key instanceof DynUint) return this.uintValues.get(key.value);
    if (key instanceof DynDouble) {
      // Numeric keys compare across numeric types.
      const value = key.value;
      if (!Number.isInteger(value)) return undefined;
      return this.values.get(value) ?? (value >= 0 ? this.uintValues.get(value) : undefined);
    }
    if (typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean') return this.values.get(key);
    return fail(`unsupported key type`);
  }

  /** Lookup by a uint key in plain form. */
  getUint(key: Int64): unknown {
    return this.uintValues.get(key);
  }

  has(key: unknown): boolean {
    return this.get(key) !== undefined;
  }

  /** A map with the same keys and converted values. */
  mapValues(convert: (value: unknown) => unknown): CelMap {
    return new CelMap(this.keyList.map((key) => [key, convert(this.get(key))] as const));
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.keyList) out[String(key instanceof DynUint ? key.value : key)] = this.get(key);
    return out;
  }
}

function keySlot(key: unknown): KeySlot {
  if (typeof key === 'string' || typeof key === 'boolean' || typeof key === 'number' || typeof key === 'bigint') return key;
  return fail('unsupported key type');
}
