/**
 * Compares two strings in UTF-8 byte order (which is code point order), as Go compares
 * strings. JS's `<` compares UTF-16 units, which disagrees for characters above U+FFFF
 * against U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate === ySurrogate) return x < y ? -1 : 1;
    // Exactly one is a surrogate (a code point above U+FFFF): it sorts after any BMP unit.
    return xSurrogate ? 1 : -1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
