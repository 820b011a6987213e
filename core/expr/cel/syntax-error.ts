import { ExpressionCompileError, type SourcePosition } from '../errors.js';

/** A problem found while reading or checking CEL text, at an offset into that text. */
export interface CelIssue {
  readonly message: string;
  readonly offset: number;
}

/** Thrown inside the lexer and parser; becomes an ExpressionCompileError at the boundary. */
export class CelSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'CelSyntaxError';
  }
}

/** 1-based line and column (in code points) of an offset, like cel-go's error locations. */
export function positionOf(text: string, offset: number): SourcePosition {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < clamped; index++) {
    if (text.charCodeAt(index) === 0x0a) {
      line++;
      lineStart = index + 1;
    }
  }
  const column = [...text.slice(lineStart, clamped)].length + 1;
  return { offset: clamped, line, column };
}

/**
 * cel-go's error display: `ERROR: <input>:1:23: message` followed by the offending line and a
 * caret, one block per issue.
 */
export function compileErrorOf(text: string, issues: readonly CelIssue[]): ExpressionCompileError {
  const blocks = issues.map((issue) => {
    const position = positionOf(text, issue.offset);
    const lineText = text.split('\n')[position.line - 1] ?? '';
    const caret = `${'.'.repeat(position.column - 1)}^`;
    return `ERROR: <input>:${position.line}:${position.column}: ${issue.message}\n | ${lineText}\n | ${caret}`;
  });
  const first = issues[0];
  return new ExpressionCompileError(blocks.join('\n'), text, first === undefined ? undefined : positionOf(text, first.offset));
}
