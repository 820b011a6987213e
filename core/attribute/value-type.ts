/**
 * The closed set of attribute value types of Istio's vocabulary
 * (istio.policy.v1beta1.ValueType). The numeric values are the wire enum values.
 */
export enum ValueType {
  VALUE_TYPE_UNSPECIFIED = 0,
  STRING = 1,
  INT64 = 2,
  DOUBLE = 3,
  BOOL = 4,
  TIMESTAMP = 5,
  IP_ADDRESS = 6,
  EMAIL_ADDRESS = 7,
  URI = 8,
  DNS_NAME = 9,
  DURATION = 10,
  STRING_MAP = 11,
  /** Not in Istio's 1.x enum; raw bytes travel as IP_ADDRESS there. Kept for adapters that need opaque bytes. */
  BYTES = 12,
}

const NAMES: ReadonlyMap<string, ValueType> = new Map(
  Object.entries(ValueType)
    .filter((entry): entry is [string, ValueType] => typeof entry[1] === 'number')
    .map(([name, value]) => [name, value]),
);

/** The enum name of a value type, as Istio prints it (`INT64`, `STRING_MAP`, ...). */
export function valueTypeName(type: ValueType): string {
  return ValueType[type] ?? `ValueType(${String(type)})`;
}

/** Parses an enum name (case-sensitive, as written in attribute manifests). */
export function parseValueType(name: string): ValueType | undefined {
  return NAMES.get(name);
}

/** Every declared (specified) value type name, for error messages. */
export function valueTypeNames(): string[] {
  return [...NAMES.keys()].filter((name) => name !== 'VALUE_TYPE_UNSPECIFIED');
}
