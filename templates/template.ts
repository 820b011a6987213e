import type { AttributeValue } from '../core/attribute/value.js';
import type { ValueType } from '../core/attribute/value-type.js';

/** What a template's instances are for (istio.mixer.adapter.model.v1beta1.TemplateVariety). */
export enum TemplateVariety {
  CHECK = 'CHECK',
  REPORT = 'REPORT',
  QUOTA = 'QUOTA',
  ATTRIBUTE_GENERATOR = 'ATTRIBUTE_GENERATOR',
  CHECK_WITH_OUTPUT = 'CHECK_WITH_OUTPUT',
}

/**
 * What expressions a template field accepts:
 * - `value`: istio.policy.v1beta1.Value, an expression of any type (its inferred type is passed
 *   to the adapter);
 * - `typed`: exactly one type (`string`, `int64`, `bool`, `TimeStamp`, `IPAddress`, `Duration`);
 * - `valueMap`: map<string, Value>, literal keys, each value an expression of any type;
 * - `stringMap`: map<string, string>, literal keys, STRING expressions;
 * - `message`: a nested message with its own fields (authorization's subject and action).
 */
export type FieldType =
  | { readonly kind: 'value' }
  | { readonly kind: 'typed'; readonly valueType: ValueType }
  | { readonly kind: 'valueMap' }
  | { readonly kind: 'stringMap' }
  | { readonly kind: 'message'; readonly fields: readonly TemplateField[] };

export interface TemplateField {
  /** The proto field name (snake_case); config may also write it in lowerCamelCase. */
  readonly name: string;
  readonly type: FieldType;
  readonly description?: string;
}

/**
 * The types Mixer inferred for an instance's fields, keyed like the instance object
 * (lowerCamelCase): a ValueType per field, nested for maps (per key) and messages (per field).
 * Adapters receive them when their handler is built (Istio's Set<Template>Types).
 */
export interface InstanceTypes {
  readonly [field: string]: ValueType | InstanceTypes;
}

/** Every instance has its fully qualified name (`requestcount.instance.istio-system`). */
export interface TemplateInstance {
  readonly name: string;
}

/** A value-typed field of an instance; undefined when its expression is empty or unset. */
export type InstanceValue = AttributeValue | undefined;

/**
 * A compiled-in template: its name, variety, fields, and the method an adapter's handler
 * implements to receive its instances. The instance object the runtime builds has one
 * lowerCamelCase property per field plus `name`:
 * - `value` and `typed` fields: the value, or undefined when the field's expression is unset;
 * - `valueMap` / `stringMap` fields: a plain object (empty when unset);
 * - `message` fields: a nested object built the same way.
 */
export interface TemplateDefinition<TInstance extends TemplateInstance = TemplateInstance> {
  readonly name: string;
  readonly variety: TemplateVariety;
  readonly description: string;
  readonly fields: readonly TemplateField[];
  /** The handler method for this template, e.g. `handleMetric`. */
  readonly handlerMethod: string;
  /** Only carried for typing: the instance type adapters receive. */
  readonly instanceType?: TInstance;
}
