/**
 * Go's quoting of strings and runes in error messages, so that texts Mixer inherits from Go's
 * standard library (`time: invalid duration "1x"`, `invalid URL escape "%zz"`, `idna: invalid
 * label "-foo"`) come out byte for byte the same.
 *
 * Go strings are bytes; a JS string is treated as its UTF-8 encoding (a lone surrogate counts as
 * U+FFFD, which is what it becomes on the wire). Functions named `...Bytes` take a "byte string":
 * a JS string whose char codes are all below 256, one per byte, so that invalid UTF-8 can be
 * quoted as Go would.
 */

const HEX = '0123456789abcdef';
const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** strconv.Quote(text). */
export function goQuote(text: string): string {
  if (isPlainAscii(text, 0x22)) return `"${text}"`;
  let out = '"';
  for (let index = 0; index < text.length; index++) {
    let codePoint = text.codePointAt(index)!;
    if (codePoint > 0xffff) index++;
    else if (codePoint >= 0xd800 && codePoint <= 0xdfff) codePoint = 0xfffd;
    out += escapeRune(codePoint, 0x22);
  }
  return `${out}"`;
}

/** strconv.Quote of a byte string: invalid UTF-8 bytes are written as `\xNN`. */
export function goQuoteBytes(bytes: string): string {
  if (isPlainAscii(bytes, 0x22)) return `"${bytes}"`;
  let out = '"';
  for (let index = 0; index < bytes.length; ) {
    const decoded = decodeUtf8(bytes, index);
    if (decoded.codePoint < 0) {
      out += `\\x${hex2(bytes.charCodeAt(index))}`;
      index++;
      continue;
    }
    out += escapeRune(decoded.codePoint, 0x22);
    index += decoded.length;
  }
  return `${out}"`;
}

/** strconv.QuoteRune(codePoint), which is what fmt's `%q` prints for a rune. */
export function goQuoteRune(codePoint: number): string {
  const valid = codePoint >= 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff);
  return `'${escapeRune(valid ? codePoint : 0xfffd, 0x27)}'`;
}

/** fmt's `%U`: `U+0040`, `U+1F600`. */
export function goUnicodeNotation(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The time package's own quote(): like strconv.Quote for printable ASCII, but every byte of a
 * non-ASCII character or control character is written as `\xNN`.
 */
export function goTimeQuote(text: string): string {
  if (isPlainAscii(text, 0x22)) return `"${text}"`;
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte >= 0x80 || byte < 0x20) out += `\\x${hex2(byte)}`;
    else if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/** Printable ASCII without the quote character or a backslash: needs no escaping anywhere. */
function isPlainAscii(text: string, quote: number): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code >= 0x7f || code === quote || code === 0x5c) return false;
  }
  return true;
}

function escapeRune(codePoint: number, quote: number): string {
  if (codePoint === quote || codePoint === 0x5c) return `\\${String.fromCharCode(codePoint)}`;
  if (isGoPrintable(codePoint)) return String.fromCodePoint(codePoint);
  switch (codePoint) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (codePoint < 0x20 || codePoint === 0x7f) return `\\x${hex2(codePoint)}`;
  if (codePoint < 0x10000) return `\\u${codePoint.toString(16).padStart(4, '0')}`;
  return `\\U${codePoint.toString(16).padStart(8, '0')}`;
}

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isGoPrintable(codePoint: number): boolean {
  if (codePoint < 0x80) return codePoint >= 0x20 && codePoint < 0x7f;
  return PRINTABLE.test(String.fromCodePoint(codePoint));
}

function hex2(byte: number): string {
  return HEX[byte >> 4]! + HEX[byte & 0xf]!;
}

/**
 * Decodes one UTF-8 sequence of a byte string at `index` like Go's utf8.DecodeRuneInString:
 * `codePoint` is -1 for an invalid or truncated sequence (which then covers one byte).
 */
export function decodeUtf8(bytes: string, index: number): { codePoint: number; length: number } {
  const first = bytes.charCodeAt(index);
  if (first < 0x80) return { codePoint: first, length: 1 };
  let length: number;
  let codePoint: number;
  let low = 0x80;
  let high = 0xbf;
  if (first >= 0xc2 && first <= 0xdf) {
    length = 2;
    codePoint = first & 0x1f;
  } else if (first >= 0xe0 && first <= 0xef) {
    length = 3;
    codePoint = first & 0x0f;
    if (first === 0xe0) low = 0xa0;
    if (first === 0xed) high = 0x9f;
  } else if (first >= 0xf0 && first <= 0xf4) {
    length = 4;
    codePoint = first & 0x07;
    if (first === 0xf0) low = 0x90;
    if (first === 0xf4) high = 0x8f;
  } else {
    return { codePoint: -1, length: 1 };
  }
  for (let offset = 1; offset < length; offset++) {
    const byte = bytes.charCodeAt(index + offset);
    if (!(byte >= low && byte <= high)) return { codePoint: -1, length: 1 };
    codePoint = (codePoint << 6) | (byte & 0x3f);
    low = 0x80;
    high = 0xbf;
  }
  return { codePoint, length };
}
