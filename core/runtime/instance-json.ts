import { toJsonValue, type JsonValue } from '../attribute/format.js';
import type { AttributeValue } from '../attribute/value.js';

/** An instance as JSON (for explanations and logs): attribute values in their JSON form. */
export function instanceToJson(value: unknown): JsonValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && value.constructor === Object) {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, entry] of Object.entries(value)) if (entry !== undefined) out[key] = instanceToJson(entry);
    return out;
  }
  return toJsonValue(value as AttributeValue);
}
