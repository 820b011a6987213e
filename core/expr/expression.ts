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

/** A value an indexed match compares with; two are equal exactly when `===` says so. */
export type SelectorValue = string | number | bigint | boolean;

/**
 * What a BOOL expression reveals for indexing rules: it has the shape `E == v` (or
 * `E == v1 || E == v2 ...` over one E, or such a term as the leftmost operand of `&&`), where
 * `==` is plain `===` for E's type (strings, integers, booleans: not DNS names, e-mails, URIs
 * or IPs, which compare semantically). So for any request on which E evaluates without error
 * to a value not in `values`, the expression is false and reads nothing but what E reads.
 * Expressions with the same `key` have the same E: it is evaluated once per request and the
 * rules whose values hold its value are looked up.
 */
export interface ExpressionSelector {
  /** Identifies E within one snapshot: its language and exact form. */
  readonly key: string;
  /** Evaluates E, reading (through a tracking bag) what the whole expression reads first. */
  readonly operand: (bag: AttributeBag) => AttributeValue;
  readonly values: readonly SelectorValue[];
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
  /** Set when the expression's shape lets rules be indexed by it (see ExpressionSelector). */
  readonly selector?: ExpressionSelector | undefined;
}

/** Compiles expression text against an attribute manifest; throws ExpressionCompileError. */
export interface ExpressionCompiler {
  readonly language: ExpressionLanguage;
  compile(text: string): CompiledExpression;
}
