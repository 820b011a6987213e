/**
 * CEXL's `match(value, pattern)`: a pattern ending in `*` is a prefix test, otherwise one
 * starting with `*` is a suffix test, otherwise the strings must be equal. Only that one `*` is
 * special (`"*"` matches everything; `"a*b"` only matches itself).
 */
export function globMatch(value: string, pattern: string): boolean {
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return value === pattern;
}
