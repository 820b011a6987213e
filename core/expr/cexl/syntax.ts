import type { SourcePosition } from '../errors.js';

/**
 * The Go expression syntax CEXL is written in, as the parser produces it: before Istio's
 * lowering into constants, variables and functions. COMPAT mode translates this tree to CEL.
 * `position` is where the node starts (for binary expressions: the operator).
 */
export type GoExpr =
  | GoIdent
  | GoBasicLiteral
  | GoBinary
  | GoUnary
  | GoParen
  | GoSelector
  | GoIndex
  | GoCall;

export interface GoIdent {
  readonly kind: 'ident';
  readonly name: string;
  readonly position: SourcePosition;
}

/** INT, FLOAT, IMAG, CHAR or STRING literal; `raw` is the source text (quotes included). */
export interface GoBasicLiteral {
  readonly kind: 'literal';
  readonly token: 'INT' | 'FLOAT' | 'IMAG' | 'CHAR' | 'STRING';
  readonly raw: string;
  readonly position: SourcePosition;
}

/** Binary operators use Go's token text: `||` `&&` `==` `!=` `<` `<=` `>` `>=` `+` `-` `|` `^` `*` `/` `%` `<<` `>>` `&` `&^`. */
export interface GoBinary {
  readonly kind: 'binary';
  readonly operator: string;
  readonly left: GoExpr;
  readonly right: GoExpr;
  readonly position: SourcePosition;
}

/** Unary operators: `!` `-` `+` `^` (others Go accepts are not expressions CEXL can use). */
export interface GoUnary {
  readonly kind: 'unary';
  readonly operator: string;
  readonly operand: GoExpr;
  readonly position: SourcePosition;
}

export interface GoParen {
  readonly kind: 'paren';
  readonly expression: GoExpr;
  readonly position: SourcePosition;
}

/** `target.name` */
export interface GoSelector {
  readonly kind: 'selector';
  readonly target: GoExpr;
  readonly name: string;
  readonly position: SourcePosition;
}

/** `target[index]` */
export interface GoIndex {
  readonly kind: 'index';
  readonly target: GoExpr;
  readonly index: GoExpr;
  readonly position: SourcePosition;
}

/** `callee(args...)`; a method call has a selector as its callee. */
export interface GoCall {
  readonly kind: 'call';
  readonly callee: GoExpr;
  readonly args: readonly GoExpr[];
  readonly position: SourcePosition;
}
