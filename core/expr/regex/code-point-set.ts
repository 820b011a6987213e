import type { CharClass, ClassItem, PosixClassName } from './regex-ast.js';

/**
 * A set of Unicode code points as sorted, disjoint, non-adjacent inclusive ranges, flattened:
 * `[lo0, hi0, lo1, hi1, …]`.
 */
export type CodePointSet = readonly number[];

export const MAX_CODE_POINT = 0x10ffff;

/** Sorts and merges overlapping or adjacent ranges (the input pairs may be in any order). */
export function normalizeRanges(pairs: readonly number[]): CodePointSet {
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) ranges.push([pairs[i] ?? 0, pairs[i + 1] ?? 0]);
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: number[] = [];
  for (const [lo, hi] of ranges) {
    const last = out.length - 1;
    if (last > 0 && lo <= (out[last] ?? 0) + 1) {
      if (hi > (out[last] ?? 0)) out[last] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

/** Every code point not in `set` (which must be normalized). */
export function negateSet(set: CodePointSet): CodePointSet {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i + 1 < set.length; i += 2) {
    const lo = set[i] ?? 0;
    if (lo > next) out.push(next, lo - 1);
    next = (set[i + 1] ?? 0) + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

/** The part of `set` inside `[lo, hi]`. */
export function clipSet(set: CodePointSet, lo: number, hi: number): CodePointSet {
  const out: number[] = [];
  for (let i = 0; i + 1 < set.length; i += 2) {
    const a = Math.max(lo, set[i] ?? 0);
    const b = Math.min(hi, set[i + 1] ?? 0);
    if (a <= b) out.push(a, b);
  }
  return out;
}

// Go's perl and POSIX groups (regexp/syntax perl_groups.go): all ASCII.
const DIGIT = [0x30, 0x39];
const SPACE_PERL = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];

export const PERL_CLASSES: Readonly<Record<'d' | 's' | 'w', CodePointSet>> = { d: DIGIT, s: SPACE_PERL, w: WORD };

export const POSIX_CLASSES: Readonly<Record<PosixClassName, CodePointSet>> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: DIGIT,
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: WORD,
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

/** Go folds only code points in this range (`minFold`/`maxFold` in regexp/syntax). */
const MIN_FOLD = 0x41;
const MAX_FOLD = 0x1e943;
const LONG_S = 0x17f; // ſ folds with S and s
const KELVIN = 0x212a; // K (Kelvin sign) folds with K and k

/**
 * Adds `[lo, hi]` and everything case-equivalent to it (Unicode simple case folding, as Go's
 * `appendFoldedRange`) to `out`. Only the ASCII orbits are known here (plus ſ and K, which fold into
 * ASCII); returns false when the range holds another code point that might fold.
 */
function appendFoldedRange(out: number[], lo: number, hi: number): boolean {
  if (lo <= MIN_FOLD && hi >= MAX_FOLD) {
    out.push(lo, hi); // full range: folding adds nothing
    return true;
  }
  out.push(lo, hi);
  const unknownLo = Math.max(lo, 0x80);
  const unknownHi = Math.min(hi, MAX_FOLD);
  for (let c = unknownLo; c <= unknownHi; c++) {
    if (c === LONG_S) out.push(0x53, 0x53, 0x73, 0x73);
    else if (c === KELVIN) out.push(0x4b, 0x4b, 0x6b, 0x6b);
    else return false;
  }
  const asciiLo = Math.max(lo, MIN_FOLD);
  const asciiHi = Math.min(hi, 0x7f);
  for (let c = asciiLo; c <= asciiHi; c++) {
    if (c >= 0x41 && c <= 0x5a) out.push(c + 0x20, c + 0x20);
    else if (c >= 0x61 && c <= 0x7a) out.push(c - 0x20, c - 0x20);
    if (c === 0x4b || c === 0x6b) out.push(KELVIN, KELVIN);
    if (c === 0x53 || c === 0x73) out.push(LONG_S, LONG_S);
  }
  return true;
}

/** The case folding of a set, or undefined when it needs Unicode folding tables. */
export function foldSet(set: CodePointSet): CodePointSet | undefined {
  const out: number[] = [];
  for (let i = 0; i + 1 < set.length; i += 2) {
    if (!appendFoldedRange(out, set[i] ?? 0, set[i + 1] ?? 0)) return undefined;
  }
  return normalizeRanges(out);
}

function itemSet(item: ClassItem, foldCase: boolean): CodePointSet | undefined {
  let base: CodePointSet;
  switch (item.kind) {
    case 'range':
      base = [item.lo, item.hi];
      break;
    case 'perl':
      base = PERL_CLASSES[item.name];
      break;
    case 'posix':
      base = POSIX_CLASSES[item.name];
      break;
    case 'unicode':
      if (item.table === 'Any') base = [0, MAX_CODE_POINT];
      else if (item.table === 'ASCII') base = [0, 0x7f];
      else return undefined;
      break;
  }
  const folded = foldCase ? foldSet(base) : base;
  if (folded === undefined) return undefined;
  return item.kind !== 'range' && item.negated ? negateSet(folded) : folded;
}

/**
 * The code points a class matches, as Go computes them (each item folded when the class is
 * case-insensitive, then the whole class negated), or undefined when that needs Unicode tables this
 * module does not carry (`\pL`, `\p{Greek}`, case folding of non-ASCII letters).
 */
export function resolveClass(charClass: CharClass): CodePointSet | undefined {
  const pairs: number[] = [];
  for (const item of charClass.items) {
    const set = itemSet(item, charClass.foldCase);
    if (set === undefined) return undefined;
    pairs.push(...set);
  }
  const set = normalizeRanges(pairs);
  return charClass.negated ? negateSet(set) : set;
}

/** The code points a (possibly case-folded) literal matches, or undefined when that needs tables. */
export function resolveLiteral(codePoint: number, foldCase: boolean): CodePointSet | undefined {
  return foldCase ? foldSet([codePoint, codePoint]) : [codePoint, codePoint];
}
