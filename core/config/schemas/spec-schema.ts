import type { StaticDecode, TSchema } from '@sinclair/typebox';
import type { ConfigProblem } from '../../../adapters/sdk/config-problem.js';
import { defineParams } from '../../../adapters/sdk/params-schema.js';

/** Parses a resource's `spec` into its typed form, or lists every problem with its path under `spec`. */
export interface SpecSchema<S> {
  parse(raw: unknown): { ok: true; value: S } | { ok: false; problems: ConfigProblem[] };
}

/**
 * A kind's spec schema. Like Istio's proto conversion it accepts snake_case or lowerCamelCase
 * field names, treats `null` as absent (YAML `match:` with nothing after it) and rejects
 * unknown fields.
 */
export function defineSpec<S extends TSchema>(schema: S): SpecSchema<StaticDecode<S>> {
  const params = defineParams(schema);
  return {
    parse(raw: unknown) {
      const result = params.parse(withoutNulls(raw));
      if (result.ok) return result;
      return { ok: false, problems: result.problems.map((problem) => ({ field: problem.field.replace(/^params/, 'spec'), message: problem.message })) };
    },
  };
}

/** Removes null-valued map entries, recursively (arrays keep their items). */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) if (entry !== null) out[key] = withoutNulls(entry);
  return out;
}
