import type { AttributeBag } from '../core/attribute/bag.js';
import type { InstanceTypes, TemplateDefinition, TemplateInstance } from './template.js';

/**
 * An instance's params compiled once, at config load: `build` evaluates every field's compiled
 * expression against a request's attributes and returns the typed instance. It throws
 * ExpressionEvaluationError (its message naming the field) when a set field cannot be
 * evaluated for this request.
 */
export interface InstanceBuilder<I extends TemplateInstance = TemplateInstance> {
  readonly template: TemplateDefinition<I>;
  /** Fully qualified instance name, copied into every instance's `name`. */
  readonly instanceName: string;
  /** The inferred type of every field (see InstanceTypes). */
  readonly types: InstanceTypes;
  build(bag: AttributeBag): I;
}
