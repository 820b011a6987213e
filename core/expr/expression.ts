import type { AttributeBag } from '../attribute/bag.js';
import type { AttributeValue } from '../attribute/value.js';
import type { ValueType } from '../attribute/value-type.js';

/** The expression languages a config resource may choose (annotation `policy.istio.io/lang`). */
export enum ExpressionLanguage {
  /** Istio's Configuration Expression Language (Go syntax, `|` as "first present"). */
  CEXL = 'CEXL',
  /** The Common Expression Language, with Istio's attribute tree. */
  CEL = 'CEL',
  /** CEXL syntax translated to CEL and run with CEL semantics. */
  COMPAT = 'COMPAT',
}

/**
 * An expression compiled once, evaluated per request. Its result type is known before any
 * request arrives. Evaluation throws ExpressionEvaluationError for a request it cannot
 * evaluate, and nothing else.
 */
export interface CompiledExpression {
  readonly text: string;
  readonly language: ExpressionLanguage;
  /** The type every evaluation returns. */
  readonly type: ValueType;
  /**
   * The value for this request. When `type` is VALUE_TYPE_UNSPECIFIED (a CEL list, uint, null,
   * type value...), the result is such a CEL value, typed here as AttributeValue but printable
   * only with `toJsonValue`; config rejects such expressions wherever a typed value is needed.
   */
  evaluate(bag: AttributeBag): AttributeValue;
}

/** Compiles expression text against an attribute manifest; throws ExpressionCompileError. */
export interface ExpressionCompiler {
  readonly language: ExpressionLanguage;
  compile(text: string): CompiledExpression;
}
