/**
 * CEL literal text → values: escape sequences of string and bytes literals, and the integer
 * and floating-point forms with their range rules.
 */
export const MAX_INT64 = (1n << 63n) - 1n;
export const MIN_INT64 = -(1n << 63n);
export const MAX_UINT64 = (1n << 64n) - 1n;

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
  "'": 0x27,
  '"': 0x22,
  '`': 0x60,
  '?': 0x3f,
};

export interface EscapeError {
  readonly error: string;
}

/**
 * Processes the escapes of a (non-raw) quoted body. Strings get `\x`, `\u`, `\U` and octal
 * escapes as code points; bytes get `\x` and octal escapes as raw bytes and everything else as
 * UTF-8.
 */
export function unescapeCelString(body: string, bytes: boolean): string | Uint8Array | EscapeError {
  if (!body.includes('\\')) return bytes ? new Uint8Array(Buffer.from(body, 'utf8')) : body;
  const out: number[] = [];
  let text = '';
  const pushCodePoint = (code: number): void => {
    if (bytes) out.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
    else text += String.fromCodePoint(code);
  };
  for (let index = 0; index < body.length; ) {
    const char = body[index]!;
    if (char !== '\\') {
      const code = body.codePointAt(index)!;
      pushCodePoint(code);
      index += code > 0xffff ? 2 : 1;
      continue;
    }
    const escape = body[index + 1];
    if (escape === undefined) return { error: 'trailing backslash' };
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) {
      pushCodePoint(simple);
      index += 2;
      continue;
    }
    if (escape >= '0' && escape <= '3') {
      const digits = body.slice(index + 1, index + 4);
      if (!/^[0-3][0-7]{2}$/.test(digits)) return { error: `invalid octal escape \\${digits}` };
      const value = parseInt(digits, 8);
      if (bytes) out.push(value);
      else pushCodePoint(value);
      index += 4;
      continue;
    }
    const width = escape === 'x' || escape === 'X' ? 2 : escape === 'u' ? 4 : escape === 'U' ? 8 : 0;
    if (width === 0) return { error: `invalid escape \\${escape}` };
    const digits = body.slice(index + 2, index + 2 + width);
    if (digits.length !== width || !/^[0-9a-fA-F]+$/.test(digits)) return { error: `invalid escape \\${escape}${digits}` };
    const value = parseInt(digits, 16);
    if (width === 2 && bytes) {
      out.push(value);
    } else {
      if (value > 0x10ffff || (value >= 0xd800 && value < 0xe000)) return { error: `invalid code point \\${escape}${digits}` };
      pushCodePoint(value);
    }
    index += 2 + width;
  }
  return bytes ? Uint8Array.from(out) : text;
}

/** The magnitude of an int or uint literal's digits (decimal or 0x hex), suffix excluded. */
export function integerLiteralValue(text: string): bigint {
  const digits = text.endsWith('u') || text.endsWith('U') ? text.slice(0, -1) : text;
  return BigInt(digits);
}

export function doubleLiteralValue(text: string): number {
  return Number(text);
}
