import type { SourcePosition } from '../errors.js';

/** Token kinds of Go's scanner that can appear in an expression. */
export type GoTokenKind =
  | 'EOF'
  | 'ILLEGAL'
  | 'IDENT'
  | 'INT'
  | 'FLOAT'
  | 'IMAG'
  | 'CHAR'
  | 'STRING'
  | 'OPERATOR'
  | 'KEYWORD'
  /** A semicolon; `text` is "\n" when the scanner inserted it at a newline, as Go does. */
  | 'SEMICOLON';

export interface GoToken {
  readonly kind: GoTokenKind;
  /** Source text: the operator or keyword itself, the literal, or the identifier. */
  readonly text: string;
  readonly position: SourcePosition;
}

export const GO_KEYWORDS: ReadonlySet<string> = new Set([
  'break', 'case', 'chan', 'const', 'continue', 'default', 'defer', 'else', 'fallthrough', 'for', 'func',
  'go', 'goto', 'if', 'import', 'interface', 'map', 'package', 'range', 'return', 'select', 'struct',
  'switch', 'type', 'var',
]);

/** How Go's parser names a token in "expected X, found Y" messages. */
export function describeFound(token: GoToken): string {
  switch (token.kind) {
    case 'SEMICOLON':
      return token.text === '\n' ? 'newline' : "';'";
    case 'EOF':
      return "'EOF'";
    case 'ILLEGAL':
      return "'ILLEGAL'";
    case 'IDENT':
    case 'INT':
    case 'FLOAT':
    case 'IMAG':
    case 'CHAR':
    case 'STRING':
      return token.text;
    default:
      return `'${token.text}'`;
  }
}
