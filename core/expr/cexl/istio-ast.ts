import type { AttributeValue } from '../../attribute/value.js';
import type { ValueType } from '../../attribute/value-type.js';

/**
 * CEXL after lowering, the form Istio type-checks and compiles: every operator is a named
 * function (`EQ`, `LAND`, `OR` for `|`, `INDEX` for `m[k]`, ...), a dotted name is one
 * attribute, and literals are typed constants.
 */
export type CexlExpr = CexlConstant | CexlVariable | CexlFunction;

export interface CexlConstant {
  readonly kind: 'constant';
  readonly type: ValueType;
  readonly value: AttributeValue;
  /** The source text, as error messages print it (`"b"`, `1.0`, `true`). */
  readonly text: string;
}

export interface CexlVariable {
  readonly kind: 'variable';
  readonly name: string;
}

export interface CexlFunction {
  readonly kind: 'function';
  readonly name: string;
  /** The receiver of a method call (`target:name(args)`). */
  readonly target?: CexlExpr;
  readonly args: readonly CexlExpr[];
}

/** Istio's printed form of an expression, used in type errors: `EQ($a, 2)`, `"aaa":matches(23)`. */
export function printCexl(expression: CexlExpr): string {
  switch (expression.kind) {
    case 'constant':
      return expression.text;
    case 'variable':
      return `$${expression.name}`;
    case 'function': {
      const target = expression.target === undefined ? '' : `${printCexl(expression.target)}:`;
      return `${target}${expression.name}(${expression.args.map(printCexl).join(', ')})`;
    }
  }
}
