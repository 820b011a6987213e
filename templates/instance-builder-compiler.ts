import type { AttributeBag } from '../core/attribute/bag.js';
import type { AttributeValue } from '../core/attribute/value.js';
import { ValueType, valueTypeName } from '../core/attribute/value-type.js';
import { ExpressionCompileError, ExpressionEvaluationError } from '../core/expr/errors.js';
import type { CompiledExpression } from '../core/expr/expression.js';
import type { InstanceBuilder } from './instance-builder.js';
import type { InstanceTypes, TemplateDefinition, TemplateField, TemplateInstance } from './template.js';

// Compiles an instance's params (Istio's InstanceParam: every leaf string an expression) against
// its template once, at config load, into an InstanceBuilder whose `build` only runs the
// precompiled closures.

/** A problem with an instance's params: `field` is the path under `params` as written (`dimensions.source`). */
export interface InstanceParamsProblem {
  readonly field: string;
  readonly message: string;
}

export interface InstanceBuilderCompileOptions {
  /** The instance's fully qualified name, copied into every instance's `name`. */
  readonly instanceName: string;
  /** Compiles one expression in the instance's language; throws ExpressionCompileError. */
  readonly compile: (text: string) => CompiledExpression;
}

export type InstanceBuilderCompileResult<I extends TemplateInstance> =
  | { readonly ok: true; readonly builder: InstanceBuilder<I> }
  | { readonly ok: false; readonly problems: readonly InstanceParamsProblem[] };

type Producer = (bag: AttributeBag) => unknown;

/** The compiled fields of one message (the instance itself or a nested message). */
interface CompiledMessage {
  readonly keys: readonly string[];
  readonly producers: readonly Producer[];
  readonly types: InstanceTypes;
}

const EMPTY_MAP: Readonly<Record<string, AttributeValue>> = Object.freeze({});
const UNSET: Producer = () => undefined;
const UNSET_MAP: Producer = () => EMPTY_MAP;

/** `monitored_resource_type` → `monitoredResourceType`. */
export function lowerCamelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_all, letter: string) => letter.toUpperCase());
}

/**
 * Compiles `params` (the raw `params` of an `instance`, or the whole spec of a legacy
 * per-template resource) against `template`. Every problem is reported, each with its path.
 */
export function compileInstanceBuilder<I extends TemplateInstance>(
  template: TemplateDefinition<I>,
  params: unknown,
  options: InstanceBuilderCompileOptions,
): InstanceBuilderCompileResult<I> {
  const compiler = new ParamsCompiler(template.name, options.compile);
  const message = compiler.message(template.fields, params, '', '');
  if (compiler.problems.length > 0) return { ok: false, problems: compiler.problems };
  const instanceName = options.instanceName;
  const { keys, producers } = message;
  const count = keys.length;
  const builder: InstanceBuilder<I> = {
    template,
    instanceName,
    types: message.types,
    build(bag: AttributeBag): I {
      const instance: Record<string, unknown> = { name: instanceName };
      for (let index = 0; index < count; index++) instance[keys[index]!] = producers[index]!(bag);
      return instance as unknown as I;
    },
  };
  return { ok: true, builder: Object.freeze(builder) };
}

class ParamsCompiler {
  readonly problems: InstanceParamsProblem[] = [];

  constructor(
    private readonly templateName: string,
    private readonly compileExpression: (text: string) => CompiledExpression,
  ) {}

  /**
   * `path` is the written path of this message under params ('' at the top), `label` its
   * canonical name for messages ('' at the top, `subject` for a nested one).
   */
  message(fields: readonly TemplateField[], raw: unknown, path: string, label: string): CompiledMessage {
    const written = this.writtenFields(fields, raw, path, label);
    const keys: string[] = [];
    const producers: Producer[] = [];
    const types: Record<string, ValueType | InstanceTypes> = {};
    for (const field of fields) {
      const key = lowerCamelCase(field.name);
      const entry = written.get(field.name);
      const fieldPath = entry === undefined ? join(path, field.name) : join(path, entry.key);
      const fieldLabel = label === '' ? field.name : `${label}.${field.name}`;
      const value = entry?.value;
      keys.push(key);
      switch (field.type.kind) {
        case 'value':
        case 'typed': {
          const expected = field.type.kind === 'typed' ? field.type.valueType : undefined;
          const compiled = this.leaf(value, fieldPath, fieldLabel, expected);
          producers.push(compiled === undefined ? UNSET : evaluator(compiled, fieldLabel));
          types[key] = expected ?? compiled?.type ?? ValueType.VALUE_TYPE_UNSPECIFIED;
          break;
        }
        case 'valueMap':
        case 'stringMap': {
          const expected = field.type.kind === 'stringMap' ? ValueType.STRING : undefined;
          const map = this.map(value, fieldPath, fieldLabel, expected);
          producers.push(map.producer);
          types[key] = map.types;
          break;
        }
        case 'message': {
          const nested = this.message(field.type.fields, value, fieldPath, fieldLabel);
          producers.push(messageProducer(nested));
          types[key] = nested.types;
          break;
        }
      }
    }
    return { keys, producers, types: deepFreeze(types) };
  }

  /** The fields as written (snake_case or lowerCamelCase), by template field name; unknown names are problems. */
  private writtenFields(
    fields: readonly TemplateField[],
    raw: unknown,
    path: string,
    label: string,
  ): Map<string, { key: string; value: unknown }> {
    const written = new Map<string, { key: string; value: unknown }>();
    if (raw === undefined || raw === null) return written;
    if (!isRecord(raw)) {
      const what = label === '' ? 'params' : `field '${label}'`;
      this.problem(path, `${what} must be a map of field name to expression, got ${describe(raw)}`);
      return written;
    }
    for (const [key, value] of Object.entries(raw)) {
      const field = fields.find((candidate) => candidate.name === key || lowerCamelCase(candidate.name) === key);
      if (field === undefined) {
        this.problem(join(path, key), `unknown field '${label === '' ? key : `${label}.${key}`}'`);
        continue;
      }
      const previous = written.get(field.name);
      if (previous !== undefined) {
        this.problem(join(path, key), `field '${field.name}' is set twice (as '${previous.key}' and '${key}')`);
        continue;
      }
      written.set(field.name, { key, value });
    }
    return written;
  }

  /** One expression field: undefined when unset (absent, null or ''). */
  private leaf(raw: unknown, path: string, label: string, expected: ValueType | undefined): CompiledExpression | undefined {
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (typeof raw !== 'string') {
      this.problem(path, `field '${label}' must be an expression (a string), got ${describe(raw)}${quoteHint(raw)}`);
      return undefined;
    }
    return this.expression(raw, path, label, expected);
  }

  private map(
    raw: unknown,
    path: string,
    label: string,
    expected: ValueType | undefined,
  ): { producer: Producer; types: InstanceTypes } {
    if (raw === undefined || raw === null) return { producer: UNSET_MAP, types: Object.freeze({}) };
    if (!isRecord(raw)) {
      this.problem(path, `field '${label}' must be a map of name to expression, got ${describe(raw)}`);
      return { producer: UNSET_MAP, types: Object.freeze({}) };
    }
    const names: string[] = [];
    const evaluators: Producer[] = [];
    const types: Record<string, ValueType> = {};
    for (const [name, value] of Object.entries(raw)) {
      const entryLabel = `${label}[${name}]`;
      const entryPath = join(path, name);
      if (typeof value !== 'string') {
        this.problem(entryPath, `field '${entryLabel}' must be an expression (a string), got ${describe(value)}${quoteHint(value)}`);
        continue;
      }
      const compiled = this.expression(value, entryPath, entryLabel, expected);
      if (compiled === undefined) continue;
      names.push(name);
      evaluators.push(evaluator(compiled, entryLabel));
      types[name] = compiled.type;
    }
    if (names.length === 0) return { producer: UNSET_MAP, types: Object.freeze(types) };
    const count = names.length;
    const producer: Producer = (bag) => {
      const map: Record<string, unknown> = {};
      for (let index = 0; index < count; index++) map[names[index]!] = evaluators[index]!(bag);
      return map;
    };
    return { producer, types: Object.freeze(types) };
  }

  private expression(text: string, path: string, label: string, expected: ValueType | undefined): CompiledExpression | undefined {
    let compiled: CompiledExpression;
    try {
      compiled = this.compileExpression(text);
    } catch (error) {
      if (!(error instanceof ExpressionCompileError)) throw error;
      this.expressionProblem(path, `failed to evaluate expression for field '${label}': ${error.message}`);
      return undefined;
    }
    if (expected !== undefined && compiled.type !== expected) {
      this.expressionProblem(path, `error type checking for field '${label}': Evaluated expression type ${valueTypeName(compiled.type)} want ${valueTypeName(expected)}`);
      return undefined;
    }
    return compiled;
  }

  /** A params block that does not fit the template's shape (Istio's strict unmarshal). */
  private problem(field: string, reason: string): void {
    this.problems.push({ field, message: `config does not conform to schema of template '${this.templateName}': ${reason}` });
  }

  /** An expression that does not compile or has the wrong type (Istio's type inference). */
  private expressionProblem(field: string, message: string): void {
    this.problems.push({ field, message });
  }
}

/** Evaluates a field's expression, naming the field when the request cannot provide it. */
function evaluator(expression: CompiledExpression, label: string): Producer {
  return (bag) => {
    try {
      return expression.evaluate(bag);
    } catch (error) {
      if (error instanceof ExpressionEvaluationError) {
        throw new ExpressionEvaluationError(`failed to evaluate expression for field '${label}': ${error.message}`);
      }
      throw error;
    }
  };
}

function messageProducer(message: CompiledMessage): Producer {
  const { keys, producers } = message;
  const count = keys.length;
  return (bag) => {
    const nested: Record<string, unknown> = {};
    for (let index = 0; index < count; index++) nested[keys[index]!] = producers[index]!(bag);
    return nested;
  };
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Unquoted YAML numbers and booleans are not expressions: say how to write them. */
function quoteHint(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? ` (quote it: '${String(value)}')` : '';
}

function deepFreeze<T extends object>(value: T): T {
  for (const entry of Object.values(value)) if (typeof entry === 'object' && entry !== null) deepFreeze(entry as object);
  return Object.freeze(value);
}
