import { MixerError } from '../errors/mixer-error.js';
import { STANDARD_VOCABULARY } from './standard-vocabulary.js';
import { parseValueType, ValueType, valueTypeNames } from './value-type.js';

export interface AttributeInfo {
  readonly type: ValueType;
  readonly description: string;
}

/** A field-path-qualified problem found while reading an attributemanifest. */
export interface ManifestProblem {
  readonly path: string;
  readonly message: string;
}

export class ManifestError extends MixerError {
  constructor(readonly problems: readonly ManifestProblem[]) {
    super('MIXER_ERR_CONFIG_MANIFEST', problems.map((problem) => `${problem.path}: ${problem.message}`).join('; '));
  }
}

/**
 * The attribute vocabulary: every attribute name an expression may use, with its type. Built
 * from attributemanifest resources (later ones overwrite earlier ones, as Istio merges them).
 * Immutable once built.
 */
export class AttributeManifest {
  private constructor(private readonly attributes: ReadonlyMap<string, AttributeInfo>) {}

  static empty(): AttributeManifest {
    return new AttributeManifest(new Map());
  }

  /** The standard Istio vocabulary, the default when no manifest is configured. */
  static standard(): AttributeManifest {
    return new AttributeManifest(
      new Map(STANDARD_VOCABULARY.map((entry) => [entry.name, { type: entry.type, description: entry.description }])),
    );
  }

  /** A manifest from a name → type table (type given as a ValueType or its name). */
  static of(types: Readonly<Record<string, ValueType | string>>): AttributeManifest {
    const problems: ManifestProblem[] = [];
    const attributes = new Map<string, AttributeInfo>();
    for (const [name, type] of Object.entries(types)) {
      const parsed = typeof type === 'string' ? parseValueType(type) : type;
      if (parsed === undefined || parsed === ValueType.VALUE_TYPE_UNSPECIFIED) {
        problems.push({ path: name, message: unknownTypeMessage(String(type)) });
        continue;
      }
      attributes.set(name, { type: parsed, description: '' });
    }
    if (problems.length > 0) throw new ManifestError(problems);
    return new AttributeManifest(attributes);
  }

  /**
   * Reads the `spec` of an attributemanifest resource:
   * `{name?, revision?, attributes: {attr: {valueType, description?}}}`.
   * All problems are collected, each with its field path under `spec`.
   */
  static fromSpec(spec: unknown): AttributeManifest {
    const problems: ManifestProblem[] = [];
    const attributes = new Map<string, AttributeInfo>();
    if (!isRecord(spec)) throw new ManifestError([{ path: 'spec', message: 'expected an object' }]);
    const declared = spec['attributes'];
    if (declared !== undefined && declared !== null && !isRecord(declared)) {
      throw new ManifestError([{ path: 'spec.attributes', message: 'expected a map of attribute name to {valueType, description}' }]);
    }
    for (const [name, info] of Object.entries(declared ?? {})) {
      const path = `spec.attributes.${name}`;
      if (name.trim() === '') {
        problems.push({ path, message: 'attribute name must not be empty' });
        continue;
      }
      if (!isRecord(info)) {
        problems.push({ path, message: 'expected {valueType, description}' });
        continue;
      }
      const typeName = info['valueType'] ?? info['value_type'];
      const type = typeof typeName === 'string' ? parseValueType(typeName) : undefined;
      if (type === undefined || type === ValueType.VALUE_TYPE_UNSPECIFIED) {
        problems.push({ path: `${path}.valueType`, message: unknownTypeMessage(String(typeName)) });
        continue;
      }
      const description = info['description'];
      attributes.set(name, { type, description: typeof description === 'string' ? description : '' });
    }
    if (problems.length > 0) throw new ManifestError(problems);
    return new AttributeManifest(attributes);
  }

  /** This manifest with `other`'s attributes added; `other` wins on a name both declare. */
  merge(other: AttributeManifest): AttributeManifest {
    return new AttributeManifest(new Map([...this.attributes, ...other.attributes]));
  }

  /** This manifest with extra attributes (for example, attribute-generator outputs). */
  with(extra: Readonly<Record<string, ValueType>>): AttributeManifest {
    const attributes = new Map(this.attributes);
    for (const [name, type] of Object.entries(extra)) attributes.set(name, { type, description: '' });
    return new AttributeManifest(attributes);
  }

  typeOf(name: string): ValueType | undefined {
    return this.attributes.get(name)?.type;
  }

  get(name: string): AttributeInfo | undefined {
    return this.attributes.get(name);
  }

  has(name: string): boolean {
    return this.attributes.has(name);
  }

  names(): string[] {
    return [...this.attributes.keys()];
  }

  get size(): number {
    return this.attributes.size;
  }
}

function unknownTypeMessage(typeName: string): string {
  return `unknown value type '${typeName}', expected one of ${valueTypeNames().join(', ')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
