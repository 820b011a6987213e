import { ExpressionCompileError, type SourcePosition } from '../errors.js';
import { GO_KEYWORDS, type GoToken, type GoTokenKind } from './go-token.js';

/** A scanning problem; Go's scanner reports it and carries on, the parser reports the first. */
export interface ScanProblem {
  readonly position: SourcePosition;
  readonly message: string;
}

// Longest first, so `&^` wins over `&` and `...` over `.`.
const OPERATORS = [
  '<<=', '>>=', '&^=', '...', '&&', '||', '<-', '++', '--', '==', '!=', '<=', '>=', ':=', '+=', '-=', '*=',
  '/=', '%=', '&=', '|=', '^=', '<<', '>>', '&^', '+', '-', '*', '/', '%', '&', '|', '^', '<', '>', '=', '!',
  '~', '(', ')', '[', ']', '{', '}', ',', ';', '.', ':',
];

/** Tokens after which a newline ends the statement (Go's automatic semicolon insertion). */
function insertsSemicolon(token: GoToken): boolean {
  switch (token.kind) {
    case 'IDENT':
    case 'INT':
    case 'FLOAT':
    case 'IMAG':
    case 'CHAR':
    case 'STRING':
      return true;
    case 'KEYWORD':
      return ['break', 'continue', 'fallthrough', 'return'].includes(token.text);
    case 'OPERATOR':
      return [')', ']', '}', '++', '--'].includes(token.text);
    default:
      return false;
  }
}

/**
 * Splits Go expression source into tokens the way go/scanner does, with 1-based line and
 * byte-based column positions. Problems (illegal characters, unterminated literals) are
 * collected, not thrown; the token stream carries on past them like Go's.
 */
export class GoScanner {
  readonly problems: ScanProblem[] = [];
  private offset = 0;
  private line = 1;
  private lineStartByte = 0;
  private byteOffset = 0;
  private previous: GoToken | undefined;

  constructor(private readonly source: string) {}

  scanAll(): GoToken[] {
    const tokens: GoToken[] = [];
    for (;;) {
      const token = this.next();
      tokens.push(token);
      if (token.kind === 'EOF') return tokens;
    }
  }

  next(): GoToken {
    const token = this.scan();
    this.previous = token;
    return token;
  }

  private position(): SourcePosition {
    return { offset: this.offset, line: this.line, column: this.byteOffset - this.lineStartByte + 1 };
  }

  private advance(count = 1): void {
    for (let index = 0; index < count && this.offset < this.source.length; index++) {
      const code = this.source.codePointAt(this.offset)!;
      const width = code > 0xffff ? 2 : 1;
      this.byteOffset += utf8Length(code);
      this.offset += width;
      if (code === 0x0a) {
        this.line++;
        this.lineStartByte = this.byteOffset;
      }
    }
  }

  private peek(ahead = 0): string {
    return this.source.charAt(this.offset + ahead);
  }

  private make(kind: GoTokenKind, text: string, position: SourcePosition): GoToken {
    return { kind, text, position };
  }

  private problem(position: SourcePosition, message: string): void {
    this.problems.push({ position, message });
  }

  private scan(): GoToken {
    // Skip whitespace; a newline after certain tokens becomes a semicolon.
    for (;;) {
      const char = this.peek();
      if (char === ' ' || char === '\t' || char === '\r') {
        this.advance();
        continue;
      }
      if (char === '\n') {
        if (this.previous !== undefined && insertsSemicolon(this.previous)) {
          const position = this.position();
          this.advance();
          return this.make('SEMICOLON', '\n', position);
        }
        this.advance();
        continue;
      }
      if (char === '/' && this.peek(1) === '/') {
        // A line comment acts like a newline.
        while (this.offset < this.source.length && this.peek() !== '\n') this.advance();
        continue;
      }
      if (char === '/' && this.peek(1) === '*') {
        const position = this.position();
        const end = this.source.indexOf('*/', this.offset + 2);
        const text = end < 0 ? this.source.slice(this.offset) : this.source.slice(this.offset, end + 2);
        const hadNewline = text.includes('\n');
        this.advance([...text].length);
        if (end < 0) this.problem(position, 'comment not terminated');
        if (hadNewline && this.previous !== undefined && insertsSemicolon(this.previous)) {
          return this.make('SEMICOLON', '\n', position);
        }
        continue;
      }
      break;
    }

    const position = this.position();
    if (this.offset >= this.source.length) {
      if (this.previous !== undefined && insertsSemicolon(this.previous)) {
        return this.make('SEMICOLON', '\n', position);
      }
      return this.make('EOF', '', position);
    }

    const char = this.peek();
    const code = this.source.codePointAt(this.offset)!;
    if (isLetter(code)) return this.scanIdentifier(position);
    if (isDecimal(char) || (char === '.' && isDecimal(this.peek(1)))) return this.scanNumber(position);
    if (char === '"') return this.scanString(position);
    if (char === '`') return this.scanRawString(position);
    if (char === "'") return this.scanRune(position);
    for (const operator of OPERATORS) {
      if (this.source.startsWith(operator, this.offset)) {
        this.advance(operator.length);
        return this.make(operator === ';' ? 'SEMICOLON' : 'OPERATOR', operator, position);
      }
    }
    const literal = String.fromCodePoint(code);
    this.advance();
    this.problem(position, `illegal character ${formatRune(code)}`);
    return this.make('ILLEGAL', literal, position);
  }

  private scanIdentifier(position: SourcePosition): GoToken {
    const start = this.offset;
    while (this.offset < this.source.length) {
      const code = this.source.codePointAt(this.offset)!;
      if (!isLetter(code) && !isDigitRune(code)) break;
      this.advance();
    }
    const text = this.source.slice(start, this.offset);
    return this.make(GO_KEYWORDS.has(text) ? 'KEYWORD' : 'IDENT', text, position);
  }

  private scanNumber(position: SourcePosition): GoToken {
    const start = this.offset;
    // Number literals are ASCII: a character index is a byte index.
    const positionAt = (index: number): SourcePosition => ({ offset: start + index, line: position.line, column: position.column + index });
    let kind: GoTokenKind = 'INT';
    let base = 10;
    let prefixLength = 0;
    if (this.peek() === '0') {
      const prefix = this.peek(1).toLowerCase();
      if (prefix === 'x' || prefix === 'o' || prefix === 'b') {
        base = prefix === 'x' ? 16 : prefix === 'o' ? 8 : 2;
        prefixLength = 2;
        this.advance(2);
      }
    }
    const digits = (allowHex: boolean): void => {
      while (this.offset < this.source.length) {
        const char = this.peek();
        if (char === '_' || isDecimal(char) || (allowHex && /[a-fA-F]/.test(char))) this.advance();
        else break;
      }
    };
    digits(base === 16);
    if (this.peek() === '.' && base !== 8 && base !== 2) {
      kind = 'FLOAT';
      this.advance();
      digits(base === 16);
    }
    const exponent = this.peek().toLowerCase();
    if ((base === 10 && exponent === 'e') || (base === 16 && exponent === 'p')) {
      kind = 'FLOAT';
      this.advance();
      if (this.peek() === '+' || this.peek() === '-') this.advance();
      const before = this.offset;
      digits(false);
      if (this.offset === before) this.problem(this.position(), 'exponent has no digits');
    } else if (base === 16 && kind === 'FLOAT') {
      this.problem(this.position(), "hexadecimal mantissa requires a 'p' exponent");
    }
    if (this.peek() === 'i') {
      kind = 'IMAG';
      this.advance();
    }
    const text = this.source.slice(start, this.offset);
    const literalName = base === 8 || (base === 10 && kind === 'INT' && text.length > 1 && text[0] === '0') ? 'octal' : base === 2 ? 'binary' : undefined;
    if (literalName !== undefined && kind !== 'IMAG') {
      const limit = literalName === 'octal' ? '7' : '1';
      for (let index = prefixLength; index < text.length; index++) {
        const char = text[index]!;
        if (isDecimal(char) && char > limit) {
          this.problem(positionAt(index), `invalid digit '${char}' in ${literalName} literal`);
          break;
        }
      }
    }
    const separator = invalidSeparator(text, prefixLength);
    if (separator >= 0) this.problem(positionAt(separator), "'_' must separate successive digits");
    return this.make(kind, text, position);
  }

  private scanEscape(quote: string): boolean {
    // Positioned on the backslash; Go reports escape problems at the character after it.
    this.advance();
    const position = this.position();
    const char = this.peek();
    let count: number;
    let base: number;
    let max: number;
    switch (char) {
      case 'a':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
      case '\\':
        this.advance();
        return true;
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        count = 3; base = 8; max = 255;
        break;
      case 'x':
        this.advance(); count = 2; base = 16; max = 255;
        break;
      case 'u':
        this.advance(); count = 4; base = 16; max = 0x10ffff;
        break;
      case 'U':
        this.advance(); count = 8; base = 16; max = 0x10ffff;
        break;
      default:
        if (char === quote) {
          this.advance();
          return true;
        }
        if (this.offset >= this.source.length) {
          this.problem(position, 'escape sequence not terminated');
        } else {
          this.problem(position, 'unknown escape sequence');
        }
        return false;
    }
    let value = 0;
    for (let index = 0; index < count; index++) {
      const digit = parseInt(this.peek(), base);
      if (Number.isNaN(digit) || this.offset >= this.source.length) {
        this.problem(this.position(), this.offset >= this.source.length ? 'escape sequence not terminated' : `illegal character ${formatRune(this.source.codePointAt(this.offset)!)} in escape sequence`);
        return false;
      }
      value = value * base + digit;
      this.advance();
    }
    if (value > max || (value >= 0xd800 && value < 0xe000 && base === 16 && count > 2)) {
      this.problem(position, 'escape sequence is invalid Unicode code point');
      return false;
    }
    return true;
  }

  private scanString(position: SourcePosition): GoToken {
    const start = this.offset;
    this.advance();
    for (;;) {
      const char = this.peek();
      if (char === '\n' || this.offset >= this.source.length) {
        this.problem(position, 'string literal not terminated');
        break;
      }
      if (char === '"') {
        this.advance();
        break;
      }
      if (char === '\\') this.scanEscape('"');
      else this.advance();
    }
    return this.make('STRING', this.source.slice(start, this.offset), position);
  }

  private scanRawString(position: SourcePosition): GoToken {
    const start = this.offset;
    this.advance();
    for (;;) {
      if (this.offset >= this.source.length) {
        this.problem(position, 'raw string literal not terminated');
        break;
      }
      const char = this.peek();
      this.advance();
      if (char === '`') break;
    }
    return this.make('STRING', this.source.slice(start, this.offset), position);
  }

  private scanRune(position: SourcePosition): GoToken {
    const start = this.offset;
    this.advance();
    let runes = 0;
    let valid = true;
    for (;;) {
      const char = this.peek();
      if (char === '\n' || this.offset >= this.source.length) {
        if (valid) this.problem(position, 'rune literal not terminated');
        valid = false;
        break;
      }
      if (char === "'") {
        this.advance();
        break;
      }
      runes++;
      if (char === '\\') {
        if (!this.scanEscape("'")) valid = false;
      } else {
        this.advance();
      }
    }
    if (valid && runes !== 1) this.problem(position, 'illegal rune literal');
    return this.make('CHAR', this.source.slice(start, this.offset), position);
  }
}

/** Scans all of `source`; throws nothing (problems are on the scanner). */
export function scanGo(source: string): { tokens: GoToken[]; problems: ScanProblem[] } {
  const scanner = new GoScanner(source);
  const tokens = scanner.scanAll();
  return { tokens, problems: scanner.problems };
}

export function parseErrorAt(source: string, position: SourcePosition, message: string): ExpressionCompileError {
  return new ExpressionCompileError(
    `unable to parse expression '${source}': ${position.line}:${position.column}: ${message}`,
    source,
    position,
  );
}

/** Go's %#U: `U+0040 '@'`. */
export function formatRune(code: number): string {
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const printable = code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code < 0xa0);
  return printable ? `U+${hex} '${String.fromCodePoint(code)}'` : `U+${hex}`;
}

function isLetter(code: number): boolean {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
  return /\p{L}/u.test(String.fromCodePoint(code));
}

function isDigitRune(code: number): boolean {
  if (code < 0x80) return code >= 0x30 && code <= 0x39;
  return /\p{Nd}/u.test(String.fromCodePoint(code));
}

function isDecimal(char: string): boolean {
  return char >= '0' && char <= '9';
}

/** The index of the first misplaced '_' (it must sit between digits, or after a base prefix), or -1. */
function invalidSeparator(text: string, prefixLength: number): number {
  const hex = prefixLength === 2 && (text[1] === 'x' || text[1] === 'X');
  const isDigit = (char: string): boolean => isDecimal(char) || (hex && /[a-fA-F]/.test(char));
  let previous = prefixLength > 0 ? 'digit' : 'none';
  for (let index = prefixLength; index < text.length; index++) {
    const char = text[index]!;
    if (char === '_') {
      if (previous !== 'digit') return index;
      previous = '_';
    } else if (isDigit(char)) {
      previous = 'digit';
    } else {
      if (previous === '_') return index - 1;
      previous = 'other';
    }
  }
  return previous === '_' ? text.length - 1 : -1;
}

function utf8Length(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}
