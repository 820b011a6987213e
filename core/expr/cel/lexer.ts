import { CelSyntaxError } from './syntax-error.js';
import { unescapeCelString } from './literals.js';

export type TokenKind = 'IDENT' | 'INT' | 'UINT' | 'DOUBLE' | 'STRING' | 'BYTES' | 'PUNCT' | 'EOF';

export interface Token {
  readonly kind: TokenKind;
  /** The source text (for PUNCT the operator itself, for literals the raw literal). */
  readonly text: string;
  readonly offset: number;
  /** STRING: the unescaped value. */
  readonly stringValue?: string;
  /** BYTES: the unescaped value. */
  readonly bytesValue?: Uint8Array;
}

const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '(', ')', '[', ']', '{', '}', '.', ',', ':', '?', '+', '-', '*', '/', '%', '!', '<', '>'];

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

function isIdentStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

function isIdentPart(code: number): boolean {
  return isIdentStart(code) || isDigit(code);
}

/** Splits CEL source text into tokens (the CEL spec's lexical grammar); throws CelSyntaxError. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  const length = text.length;
  while (index < length) {
    const code = text.charCodeAt(index);
    // Whitespace and comments.
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0c) {
      index++;
      continue;
    }
    if (code === 0x2f && text.charCodeAt(index + 1) === 0x2f) {
      while (index < length && text.charCodeAt(index) !== 0x0a) index++;
      continue;
    }
    const start = index;
    // String and bytes literals, with optional r/b prefixes.
    const literal = scanQuoted(text, index);
    if (literal !== undefined) {
      tokens.push(literal.token);
      index = literal.end;
      continue;
    }
    if (isIdentStart(code)) {
      while (index < length && isIdentPart(text.charCodeAt(index))) index++;
      tokens.push({ kind: 'IDENT', text: text.slice(start, index), offset: start });
      continue;
    }
    if (isDigit(code) || (code === 0x2e && isDigit(text.charCodeAt(index + 1)))) {
      const number = scanNumber(text, index);
      tokens.push(number.token);
      index = number.end;
      continue;
    }
    const punct = PUNCTUATION.find((candidate) => text.startsWith(candidate, index));
    if (punct !== undefined) {
      tokens.push({ kind: 'PUNCT', text: punct, offset: start });
      index += punct.length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(index)!);
    throw new CelSyntaxError(`token recognition error at: '${char}'`, start);
  }
  tokens.push({ kind: 'EOF', text: '<EOF>', offset: length });
  return tokens;
}

function scanNumber(text: string, start: number): { token: Token; end: number } {
  let index = start;
  const length = text.length;
  if (text.charCodeAt(index) === 0x30 && (text[index + 1] === 'x' || text[index + 1] === 'X')) {
    index += 2;
    const digitsStart = index;
    while (index < length && isHexDigit(text.charCodeAt(index))) index++;
    if (index === digitsStart) throw new CelSyntaxError(`token recognition error at: '${text.slice(start, index)}'`, start);
    return finishInteger(text, start, index);
  }
  while (index < length && isDigit(text.charCodeAt(index))) index++;
  let isFloat = false;
  if (text.charCodeAt(index) === 0x2e && isDigit(text.charCodeAt(index + 1))) {
    isFloat = true;
    index++;
    while (index < length && isDigit(text.charCodeAt(index))) index++;
  }
  const exponent = text[index];
  if (exponent === 'e' || exponent === 'E') {
    let probe = index + 1;
    if (text[probe] === '+' || text[probe] === '-') probe++;
    if (isDigit(text.charCodeAt(probe))) {
      isFloat = true;
      index = probe;
      while (index < length && isDigit(text.charCodeAt(index))) index++;
    }
  }
  if (isFloat) return { token: { kind: 'DOUBLE', text: text.slice(start, index), offset: start }, end: index };
  return finishInteger(text, start, index);
}

function finishInteger(text: string, start: number, end: number): { token: Token; end: number } {
  const suffix = text[end];
  if (suffix === 'u' || suffix === 'U') {
    return { token: { kind: 'UINT', text: text.slice(start, end + 1), offset: start }, end: end + 1 };
  }
  return { token: { kind: 'INT', text: text.slice(start, end), offset: start }, end };
}

/** A quoted literal at `start` (after an optional r/R, b/B prefix), or undefined. */
function scanQuoted(text: string, start: number): { token: Token; end: number } | undefined {
  let index = start;
  let raw = false;
  let bytes = false;
  for (let prefix = 0; prefix < 2; prefix++) {
    const char = text[index];
    if ((char === 'r' || char === 'R') && !raw) {
      raw = true;
      index++;
    } else if ((char === 'b' || char === 'B') && !bytes) {
      bytes = true;
      index++;
    } else {
      break;
    }
  }
  const quoteChar = text[index];
  if (quoteChar !== '"' && quoteChar !== "'") return undefined;
  const triple = text.startsWith(quoteChar.repeat(3), index);
  const quote = triple ? quoteChar.repeat(3) : quoteChar;
  const bodyStart = index + quote.length;
  let cursor = bodyStart;
  for (;;) {
    if (cursor >= text.length) throw new CelSyntaxError(`token recognition error at: '${text.slice(start)}'`, start);
    const char = text[cursor]!;
    if (text.startsWith(quote, cursor)) break;
    if (!triple && (char === '\n' || char === '\r')) {
      throw new CelSyntaxError(`token recognition error at: '${text.slice(start, cursor)}'`, start);
    }
    if (char === '\\' && !raw) {
      cursor += 2;
      continue;
    }
    cursor++;
  }
  const body = text.slice(bodyStart, cursor);
  const end = cursor + quote.length;
  const source = text.slice(start, end);
  if (raw) {
    if (bytes) return { token: { kind: 'BYTES', text: source, offset: start, bytesValue: new Uint8Array(Buffer.from(body, 'utf8')) }, end };
    return { token: { kind: 'STRING', text: source, offset: start, stringValue: body }, end };
  }
  const unescaped = unescapeCelString(body, bytes);
  if (typeof unescaped === 'string') return { token: { kind: 'STRING', text: source, offset: start, stringValue: unescaped }, end };
  if (unescaped instanceof Uint8Array) return { token: { kind: 'BYTES', text: source, offset: start, bytesValue: unescaped }, end };
  throw new CelSyntaxError(`invalid escape sequence in ${source}: ${unescaped.error}`, start);
}
