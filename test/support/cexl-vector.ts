import { convertJsonValue } from '../../core/attribute/convert.js';
import { DictBag } from '../../core/attribute/dict-bag.js';
import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import { normalizeInt64, type AttributeValue } from '../../core/attribute/value.js';
import { parseValueType, ValueType } from '../../core/attribute/value-type.js';

/** One case of conformance/cexl-vectors.json (encoding described in spec/mixer-config.md). */
export interface CexlVector {
  readonly id: number;
  readonly name: string;
  readonly expr: string;
  readonly type?: string;
  readonly manifest: string;
  readonly attrTypes: Readonly<Record<string, string>>;
  readonly input: Readonly<Record<string, unknown>>;
  readonly result?: unknown;
  readonly compileErr?: string;
  readonly evalErr?: string;
  readonly cel?: { readonly result?: unknown; readonly evalErr?: string };
  readonly referenced?: readonly string[];
  readonly referencedCel?: readonly string[];
  readonly externFunctions?: readonly { name: string; instance: boolean; target?: string; args?: string[]; returns: string }[];
}

export type Manifests = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * The vector's input as a bag. Each value is converted to the type its attribute is declared
 * with; a value that does not convert (some inputs are deliberately mistyped) goes in raw, as
 * Istio's fake bag held whatever Go value the test gave.
 */
export function vectorBag(vector: CexlVector, manifest: Readonly<Record<string, string>>): DictBag {
  const values: [string, AttributeValue][] = [];
  for (const [name, raw] of Object.entries(vector.input)) {
    const typeName = vector.attrTypes[name] ?? manifest[name];
    const type = typeName === undefined ? undefined : parseValueType(typeName);
    let value: AttributeValue;
    try {
      value = type === undefined ? (raw as AttributeValue) : convertJsonValue(name, type, raw);
    } catch {
      value = raw as AttributeValue;
    }
    values.push([name, value]);
  }
  return new DictBag(values);
}

/** Decodes an expected result of the given type from the vector encoding. */
export function expectedValue(type: ValueType, encoded: unknown): AttributeValue {
  switch (type) {
    case ValueType.INT64:
      return normalizeInt64(BigInt(encoded as number | string));
    case ValueType.TIMESTAMP:
      return Timestamp.parse(encoded as string);
    case ValueType.DURATION:
      return Duration.parse(encoded as string);
    case ValueType.IP_ADDRESS:
      return encoded === '' ? IpAddress.EMPTY : IpAddress.parse(encoded as string);
    case ValueType.STRING_MAP:
      return StringMap.fromObject(encoded as Record<string, string>);
    default:
      return encoded as AttributeValue;
  }
}

/** Semantic equality of two values of one type, for comparing results with expectations. */
export function sameValue(a: AttributeValue, b: AttributeValue): boolean {
  if (a instanceof Timestamp && b instanceof Timestamp) return a.equals(b);
  if (a instanceof Duration && b instanceof Duration) return a.equals(b);
  if (a instanceof IpAddress && b instanceof IpAddress) return a.equals(b);
  if (a instanceof StringMap && b instanceof StringMap) {
    return JSON.stringify(a.toObject()) === JSON.stringify(b.toObject());
  }
  return a === b;
}
