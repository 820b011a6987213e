import { StringMap } from '../../attribute/string-map.js';
import type { AttributeValue } from '../../attribute/value.js';
import { fail } from './runtime-error.js';
import { type CelType, containsDyn } from './types.js';
import { AttributeNodeValue, CelMap, DynDouble, DynUint, DynWrapper } from './values.js';

/**
 * What `evaluate` returns for a CEL value (Istio's recoverValue): attribute values as they
 * are; a string-to-string map built by the expression as a StringMap; dyn values unboxed. Lists,
 * other maps, type values, null, uints and wrapper messages come back as the CEL runtime values
 * (typed VALUE_TYPE_UNSPECIFIED). An attribute message (`context`) cannot be a result.
 */
export function resultConverter(type: CelType): ((value: unknown) => AttributeValue) | undefined {
  if (type.kind === 'message' && type.name.startsWith('.')) {
    return () => fail(`failed to recover of type ${type.name}`);
  }
  if (type.kind === 'map' || type.kind === 'list' || containsDyn(type)) return (value) => recover(value) as AttributeValue;
  // Constant folding shares values between evaluations; hand out a copy of the one mutable kind.
  if (type.kind === 'bytes') return (value) => (value as Uint8Array).slice();
  return undefined;
}

/** Converts a value in dyn or plain form to its result form. */
function recover(value: unknown): unknown {
  if (value instanceof Uint8Array) return value.slice();
  if (value instanceof DynDouble || value instanceof DynUint || value instanceof DynWrapper) return value.value;
  if (Array.isArray(value)) return value.map(recover);
  if (value instanceof CelMap) return recoverMap(value);
  if (value instanceof AttributeNodeValue) return fail(`failed to recover of type ${value.node.typeName}`);
  return value;
}

function recoverMap(map: CelMap): unknown {
  if (map.size === 0) return StringMap.EMPTY;
  const entries = new Map<string, string>();
  for (const key of map.keys()) {
    const value = recover(map.get(key));
    if (typeof key !== 'string' || typeof value !== 'string') return map.mapValues(recover);
    entries.set(key, value);
  }
  return new StringMap(entries, '');
}
