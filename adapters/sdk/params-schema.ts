import { FormatRegistry, KindGuard, Type, TypeGuard, type StaticDecode, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';
import { Duration } from '../../core/attribute/duration.js';
import type { ConfigProblem } from './config-problem.js';

FormatRegistry.Set('go-duration', (text) => Duration.tryParse(text) !== undefined);

/** Parses raw params (from YAML) into the typed params of an adapter, or lists every problem. */
export interface ParamsSchema<P> {
  /** The JSON Schema (TypeBox) the params follow, for documentation and tooling. */
  readonly schema: TSchema;
  parse(raw: unknown): { ok: true; value: P } | { ok: false; problems: ConfigProblem[] };
}

/**
 * A Go-syntax duration (`500ms`, `1m30s`, as Istio's config accepted them) decoded to a
 * Duration.
 */
export function GoDuration(options: { default?: string; description?: string } = {}) {
  return Type.Transform(Type.String({ format: 'go-duration', ...options }))
    .Decode((text) => Duration.parse(text))
    .Encode((duration) => duration.toString());
}

/** A protobuf enum: accepted by name or by number, decoded to the name. */
export function ProtoEnum<const Names extends readonly string[]>(names: Names, options: { default?: Names[number]; description?: string } = {}) {
  const members: TLiteral[] = [...names.map((name) => Type.Literal(name)), ...names.map((_, index) => Type.Literal(index))];
  const union: TUnion<TLiteral[]> = Type.Union(members, options);
  return Type.Transform(union)
    .Decode((value: string | number | boolean): Names[number] => (typeof value === 'number' ? names[value]! : String(value)) as Names[number])
    .Encode((name: Names[number]) => name as never);
}

/**
 * Wraps a TypeBox object schema as an adapter's params schema. Like Istio's config loader it
 * accepts field names in snake_case or lowerCamelCase (the schema uses lowerCamelCase), fills
 * defaults, rejects unknown fields and reports every problem with its path under `params`.
 */
export function defineParams<S extends TSchema>(schema: S): ParamsSchema<StaticDecode<S>> {
  return {
    schema,
    parse(raw: unknown) {
      const value = normalizeKeys(schema, raw === undefined || raw === null ? {} : structuredClone(raw));
      const withDefaults = Value.Default(schema, value);
      const problems = [...Value.Errors(schema, withDefaults)].map(toProblem);
      if (problems.length > 0) return { ok: false, problems: dedupe(problems) };
      return { ok: true, value: Value.Decode(schema, withDefaults) };
    },
  };
}


function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_all, letter: string) => letter.toUpperCase());
}

/** Renames snake_case keys to the schema's lowerCamelCase names, leaving map keys alone. */
function normalizeKeys(schema: TSchema, value: unknown): unknown {
  // KindGuard looks at the schema's kind only; TypeGuard would validate the whole schema again
  // at every node of every resource, which was most of the cost of building a large config.
  if (KindGuard.IsArray(schema) && Array.isArray(value)) return value.map((item) => normalizeKeys(schema.items, item));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  if (KindGuard.IsObject(schema)) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(object)) {
      const camel = snakeToCamel(key);
      const target = key in schema.properties ? key : camel in schema.properties ? camel : key;
      const fieldSchema = schema.properties[target];
      out[target] = fieldSchema === undefined ? entry : normalizeKeys(fieldSchema, entry);
    }
    return out;
  }
  if (KindGuard.IsRecord(schema)) {
    const valueSchema = Object.values(schema.patternProperties)[0];
    if (valueSchema === undefined) return object;
    return Object.fromEntries(Object.entries(object).map(([key, entry]) => [key, normalizeKeys(valueSchema, entry)]));
  }
  return value;
}

function toProblem(error: ValueError): ConfigProblem {
  const field = `params${error.path
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')}`;
  return { field, message: describe(error) };
}

function describe(error: ValueError): string {
  const schema = error.schema;
  if (TypeGuard.IsUnion(schema) && schema.anyOf.every((member) => TypeGuard.IsLiteral(member))) {
    const names = schema.anyOf.map((member) => (member as { const: unknown }).const).filter((name) => typeof name === 'string');
    return `${JSON.stringify(error.value)} is not one of ${names.join(', ')}`;
  }
  if (schema['format'] === 'go-duration') return `${JSON.stringify(error.value)} is not a duration (examples: 500ms, 1s, 1m30s)`;
  if (error.message === 'Unexpected property') return 'unknown field';
  return `${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}${error.value === undefined ? '' : `, got ${JSON.stringify(error.value)}`}`;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.field}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
