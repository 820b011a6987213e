/**
 * Go's strconv rules for the literal forms CEXL accepts: base-10 ParseInt, ParseFloat, and
 * Unquote of interpreted, raw and rune literals. Each returns a value or an error text with
 * Go's wording.
 */
export type LiteralResult<T> = { ok: true; value: T } | { ok: false; error: string };

const MAX_INT64 = (1n << 63n) - 1n;

/** strconv.ParseInt(text, 10, 64). */
export function parseGoInt(text: string): LiteralResult<bigint> {
  if (!/^[+-]?\d+$/.test(text)) return { ok: false, error: `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax` };
  const value = BigInt(text);
  if (value > MAX_INT64 || value < -MAX_INT64 - 1n) {
    return { ok: false, error: `strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range` };
  }
  return { ok: true, value };
}

/** strconv.ParseFloat(text, 64) for the literal forms Go's scanner produces. */
export function parseGoFloat(text: string): LiteralResult<number> {
  const invalid = { ok: false as const, error: `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax` };
  const clean = text.replace(/_/g, '');
  let value: number;
  if (/^0[xX]/.test(clean)) {
    const match = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(clean);
    if (match === null || (match[1] === '' && (match[2] ?? '') === '')) return invalid;
    const whole = match[1] === '' ? 0 : parseInt(match[1]!, 16);
    const fractionDigits = match[2] ?? '';
    const fraction = fractionDigits === '' ? 0 : parseInt(fractionDigits, 16) / 16 ** fractionDigits.length;
    value = (whole + fraction) * 2 ** Number(match[3]);
  } else {
    if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(clean)) return invalid;
    value = Number(clean);
  }
  if (!Number.isFinite(value)) return { ok: false, error: `strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range` };
  return { ok: true, value };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"',
};

/** strconv.Unquote: `"..."` with escapes, `` `...` `` raw, `'c'` a single rune. */
export function unquoteGo(text: string): LiteralResult<string> {
  const invalid = { ok: false as const, error: 'invalid syntax' };
  if (text.length < 2) return invalid;
  const quote = text[0]!;
  if (quote !== text[text.length - 1]) return invalid;
  const body = text.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) return invalid;
    return { ok: true, value: body.replace(/\r/g, '') };
  }
  if (quote !== '"' && quote !== "'") return invalid;
  if (body.includes('\n')) return invalid;
  let out = '';
  const bytes: number[] = [];
  const flushBytes = (): boolean => {
    if (bytes.length === 0) return true;
    const decoded = Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
    out += decoded;
    return true;
  };
  let runes = 0;
  for (let index = 0; index < body.length; ) {
    const char = body[index]!;
    if (char === quote && quote === "'") return invalid;
    if (char === quote) return invalid;
    if (char !== '\\') {
      flushBytes();
      const code = body.codePointAt(index)!;
      out += String.fromCodePoint(code);
      index += code > 0xffff ? 2 : 1;
      runes++;
      continue;
    }
    const escape = body[index + 1];
    if (escape === undefined) return invalid;
    if (escape in SIMPLE_ESCAPES) {
      if ((escape === "'" && quote === '"') || (escape === '"' && quote === "'")) return invalid;
      flushBytes();
      out += SIMPLE_ESCAPES[escape];
      index += 2;
      runes++;
      continue;
    }
    if (escape >= '0' && escape <= '7') {
      const digits = body.slice(index + 1, index + 4);
      if (!/^[0-7]{3}$/.test(digits)) return invalid;
      const value = parseInt(digits, 8);
      if (value > 255) return invalid;
      bytes.push(value);
      index += 4;
      runes++;
      continue;
    }
    const width = escape === 'x' ? 2 : escape === 'u' ? 4 : escape === 'U' ? 8 : 0;
    if (width === 0) return invalid;
    const digits = body.slice(index + 2, index + 2 + width);
    if (digits.length !== width || !/^[0-9a-fA-F]+$/.test(digits)) return invalid;
    const value = parseInt(digits, 16);
    if (escape === 'x') {
      bytes.push(value);
    } else {
      if (value > 0x10ffff || (value >= 0xd800 && value < 0xe000)) return invalid;
      flushBytes();
      out += String.fromCodePoint(value);
    }
    index += 2 + width;
    runes++;
  }
  flushBytes();
  if (quote === "'" && runes !== 1) return invalid;
  return { ok: true, value: out };
}
