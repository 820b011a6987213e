/**
 * The CEL syntax tree after macro expansion (cel-go's parsed `Expr`). Operators are calls of
 * their canonical function names (`_+_`, `_==_`, `!_`, `-_`, `_?_:_`, `_[_]`, `@in`, `_&&_`,
 * `_||_`); `has(m.f)` is a test-only select; the comprehension macros become `comprehension`
 * nodes. Every node has a unique `id` (annotations are keyed by it) and the source offset it
 * starts at, for error positions.
 */
export type CelExpr = LiteralExpr | IdentExpr | SelectExpr | CallExpr | ListExpr | MapExpr | StructExpr | ComprehensionExpr;

export type LiteralValue =
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'uint'; readonly value: bigint }
  | { readonly type: 'double'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bytes'; readonly value: Uint8Array }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'null' };

interface Node {
  readonly id: number;
  readonly offset: number;
}

export interface LiteralExpr extends Node {
  readonly kind: 'literal';
  readonly literal: LiteralValue;
}

export interface IdentExpr extends Node {
  readonly kind: 'ident';
  readonly name: string;
}

/** `operand.field`, or `has(operand.field)` when testOnly. */
export interface SelectExpr extends Node {
  readonly kind: 'select';
  readonly operand: CelExpr;
  readonly field: string;
  readonly testOnly: boolean;
}

/** `fn(args)`, or `target.fn(args)` for a receiver-style call. */
export interface CallExpr extends Node {
  readonly kind: 'call';
  readonly fn: string;
  readonly target: CelExpr | undefined;
  readonly args: readonly CelExpr[];
}

export interface ListExpr extends Node {
  readonly kind: 'list';
  readonly elements: readonly CelExpr[];
}

export interface MapEntry {
  readonly key: CelExpr;
  readonly value: CelExpr;
  readonly offset: number;
}

export interface MapExpr extends Node {
  readonly kind: 'map';
  readonly entries: readonly MapEntry[];
}

export interface FieldInit {
  readonly name: string;
  readonly value: CelExpr;
  readonly offset: number;
}

/** Message construction: `google.protobuf.Int64Value{value: 1}`. */
export interface StructExpr extends Node {
  readonly kind: 'struct';
  readonly typeName: string;
  readonly fields: readonly FieldInit[];
}

export type ComprehensionMacro = 'all' | 'exists' | 'exists_one' | 'map' | 'filter';

/**
 * One of the list/map macros: `range.all(x, p)`, `exists`, `exists_one`, `map(x, t)`,
 * `map(x, p, t)`, `filter(x, p)`. `predicate` is the boolean argument (absent for the
 * two-argument map); `transform` is map's value expression.
 */
export interface ComprehensionExpr extends Node {
  readonly kind: 'comprehension';
  readonly macro: ComprehensionMacro;
  readonly iterVar: string;
  readonly range: CelExpr;
  readonly predicate: CelExpr | undefined;
  readonly transform: CelExpr | undefined;
}

/** Hands out node ids for one expression. */
export class IdGenerator {
  private next = 1;

  id(): number {
    return this.next++;
  }
}

/** Canonical names of the operators, as cel-go spells them. */
export const Operators = {
  CONDITIONAL: '_?_:_',
  LOGICAL_AND: '_&&_',
  LOGICAL_OR: '_||_',
  LOGICAL_NOT: '!_',
  NEGATE: '-_',
  EQUALS: '_==_',
  NOT_EQUALS: '_!=_',
  LESS: '_<_',
  LESS_EQUALS: '_<=_',
  GREATER: '_>_',
  GREATER_EQUALS: '_>=_',
  ADD: '_+_',
  SUBTRACT: '_-_',
  MULTIPLY: '_*_',
  DIVIDE: '_/_',
  MODULO: '_%_',
  INDEX: '_[_]',
  IN: '@in',
} as const;

/** Binary operator tokens → function names. */
export const BINARY_OPERATORS: ReadonlyMap<string, string> = new Map([
  ['||', Operators.LOGICAL_OR],
  ['&&', Operators.LOGICAL_AND],
  ['==', Operators.EQUALS],
  ['!=', Operators.NOT_EQUALS],
  ['<', Operators.LESS],
  ['<=', Operators.LESS_EQUALS],
  ['>', Operators.GREATER],
  ['>=', Operators.GREATER_EQUALS],
  ['in', Operators.IN],
  ['+', Operators.ADD],
  ['-', Operators.SUBTRACT],
  ['*', Operators.MULTIPLY],
  ['/', Operators.DIVIDE],
  ['%', Operators.MODULO],
]);

/** The dotted name of an identifier chain (`a.b.c`), or undefined for anything else. */
export function qualifiedName(expr: CelExpr): string | undefined {
  if (expr.kind === 'ident') return expr.name;
  if (expr.kind === 'select' && !expr.testOnly) {
    const operand = qualifiedName(expr.operand);
    return operand === undefined ? undefined : `${operand}.${expr.field}`;
  }
  return undefined;
}
