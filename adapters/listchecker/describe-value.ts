import { StringMap } from '../../core/attribute/string-map.js';
import type { InstanceValue } from '../../templates/template.js';

/** A value as Go's `%v` would print it in Istio's messages (`<nil>`, `map[a:b]`, numbers, text). */
export function describeValue(value: InstanceValue): string {
  if (value === undefined) return '<nil>';
  if (value instanceof StringMap) {
    return `map[${[...value.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, entry]) => `${key}:${entry}`).join(' ')}]`;
  }
  if (value instanceof Uint8Array) return `[${value.join(' ')}]`;
  return String(value);
}
