/**
 * Punycode (RFC 3492) decoding with the limits golang.org/x/net/idna applies: int32 arithmetic
 * with overflow detection, at most 1,024 code points, and surrogate code points decoded to
 * U+FFFD (Go cannot hold them in a string).
 */

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;
const MAX_INT32 = 0x7fffffff;
const MAX_RUNE = 0x10ffff;
const MAX_OUTPUT = 1024;

/**
 * Decodes the part of an A-label after `xn--`. Returns undefined when `encoded` is not valid
 * Punycode (the caller reports `idna: invalid label "<encoded>"`).
 */
export function decodePunycode(encoded: string): string | undefined {
  if (encoded === '') return '';
  let position = encoded.lastIndexOf('-') + 1;
  if (position === 1) return undefined;
  if (position === encoded.length) return encoded.slice(0, -1);
  const output: number[] = [];
  if (position !== 0) {
    for (const char of encoded.slice(0, position - 1)) output.push(char.codePointAt(0)!);
  }
  let i = 0;
  let n = INITIAL_N;
  let bias = INITIAL_BIAS;
  while (position < encoded.length) {
    const oldI = i;
    let weight = 1;
    for (let k = BASE; ; k += BASE) {
      if (position === encoded.length) return undefined;
      const digit = decodeDigit(encoded.charCodeAt(position));
      if (digit < 0) return undefined;
      position++;
      if (digit * weight > MAX_INT32 - i) return undefined;
      i += digit * weight;
      const threshold = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < threshold) break;
      if (weight * (BASE - threshold) > MAX_INT32) return undefined;
      weight *= BASE - threshold;
    }
    if (output.length >= MAX_OUTPUT) return undefined;
    const count = output.length + 1;
    bias = adapt(i - oldI, count, oldI === 0);
    n += Math.trunc(i / count);
    i %= count;
    if (n > MAX_RUNE) return undefined;
    output.splice(i, 0, n);
    i++;
  }
  let text = '';
  for (const codePoint of output) {
    text += codePoint >= 0xd800 && codePoint <= 0xdfff ? '\ufffd' : String.fromCodePoint(codePoint);
  }
  return text;
}

function decodeDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 26;
  if (code >= 0x41 && code <= 0x5a) return code - 0x41;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61;
  return -1;
}

function adapt(delta: number, numPoints: number, firstTime: boolean): number {
  let scaled = firstTime ? Math.trunc(delta / DAMP) : Math.trunc(delta / 2);
  scaled += Math.trunc(scaled / numPoints);
  let k = 0;
  while (scaled > ((BASE - T_MIN) * T_MAX) >> 1) {
    scaled = Math.trunc(scaled / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.trunc(((BASE - T_MIN + 1) * scaled) / (scaled + SKEW));
}
