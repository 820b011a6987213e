/** A JSON object: the data document, or part of it. */
export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges data documents, later ones over earlier ones: objects merge key by key, any other
 * value (array, string, number...) replaces what was there. The inputs are not modified.
 */
export function mergeData(...documents: readonly JsonObject[]): JsonObject {
  let merged: JsonObject = {};
  for (const document of documents) merged = mergeInto(merged, document);
  return merged;
}

function mergeInto(base: JsonObject, overlay: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const existing = out[key];
    out[key] = isJsonObject(existing) && isJsonObject(value) ? mergeInto(existing, value) : value;
  }
  return out;
}

/**
 * Places `value` at `path` (`roles/admin` → `{roles: {admin: value}}`), as OPA places a bundle's
 * `roles/admin/data.json`. An empty path is the root, which must be an object: undefined
 * otherwise.
 */
export function atPath(path: readonly string[], value: unknown): JsonObject | undefined {
  let out = value;
  for (let index = path.length - 1; index >= 0; index--) out = { [path[index]!]: out };
  return isJsonObject(out) ? out : undefined;
}
