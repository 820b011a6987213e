import { clipSet, normalizeRanges, resolveClass, resolveLiteral, type CodePointSet } from './code-point-set.js';
import { alternateNode, concatNode, emptyNode, type RegexNode } from './regex-ast.js';

/**
 * Translates an RE2 parse tree into the source of an equivalent JavaScript RegExp without flags
 * (no `u`, no `i`, no `m`), so that V8's linear-time engine can run it. "Equivalent" means: for
 * every well-formed UTF-16 input, `new RegExp(source).test(input)` is what Go's
 * `regexp.MatchString` says for the same text.
 *
 * RE2 matches code points and JS non-unicode regexps match UTF-16 units, so every class is emitted
 * as code units: the BMP part as one bracket class that never contains a surrogate, the astral part
 * as explicit surrogate pairs. No atom can then match half a pair, and a match can begin inside a
 * pair only if it is empty (see `not-word-boundary` below).
 *
 * Constructs with no exact non-unicode, linear-capable equivalent are refused with a reason, and the
 * pattern then runs on re2js: `(?m)` anchors (JS also breaks lines at \r, U+2028, U+2029), `\pN`
 * classes, case folding of non-ASCII letters, and `\B` in a pattern that can match the empty string.
 */

export type Translation =
  | { readonly ok: true; readonly source: string }
  | { readonly ok: false; readonly reason: string };

class Untranslatable extends Error {}

interface Emitted {
  readonly source: string;
  /** A quantifier may follow `source` directly. */
  readonly atom: boolean;
}

export function translateToJs(tree: RegexNode): Translation {
  const searched = stripForSearch(tree);
  try {
    if (containsNotWordBoundary(searched) && nullable(searched)) {
      throw new Untranslatable('\\B in a pattern that can match the empty string');
    }
    return { ok: true, source: emit(searched).source };
  } catch (error) {
    if (error instanceof Untranslatable) return { ok: false, reason: error.message };
    throw error;
  }
}

/**
 * For a yes/no unanchored search, a leading or trailing part that matches the empty string
 * everywhere (`.*`, `x?`, `(a|b)*`) changes nothing: `.*foo.*` finds a match exactly where `foo`
 * does. Removing it keeps V8 from scanning the rest of the input from every start position.
 */
export function stripForSearch(node: RegexNode): RegexNode {
  switch (node.kind) {
    case 'capture':
      return stripForSearch(node.sub);
    case 'alternate': {
      const branches = node.branches.map(stripForSearch);
      return branches.some((branch) => branch.kind === 'empty') ? emptyNode() : alternateNode(branches);
    }
    case 'concat': {
      let start = 0;
      let end = node.items.length;
      while (start < end && emptyEverywhere(node.items[start])) start++;
      while (end > start && emptyEverywhere(node.items[end - 1])) end--;
      if (start === end) return emptyNode();
      if (start === 0 && end === node.items.length) return node;
      return stripForSearch(concatNode(node.items.slice(start, end)));
    }
    case 'repeat':
      return node.min === 0 ? emptyNode() : node;
    default:
      return node;
  }
}

/** Matches the empty string at every position, whatever surrounds it (no assertions involved). */
function emptyEverywhere(node: RegexNode | undefined): boolean {
  if (node === undefined) return false;
  switch (node.kind) {
    case 'empty':
      return true;
    case 'repeat':
      return node.min === 0 || emptyEverywhere(node.sub);
    case 'capture':
      return emptyEverywhere(node.sub);
    case 'concat':
      return node.items.every(emptyEverywhere);
    case 'alternate':
      return node.branches.some(emptyEverywhere);
    default:
      return false;
  }
}

/** Can match the empty string somewhere (assertions taken as satisfiable). */
function nullable(node: RegexNode): boolean {
  switch (node.kind) {
    case 'empty':
    case 'assert':
      return true;
    case 'repeat':
      return node.min === 0 || nullable(node.sub);
    case 'capture':
      return nullable(node.sub);
    case 'concat':
      return node.items.every(nullable);
    case 'alternate':
      return node.branches.some(nullable);
    default:
      return false;
  }
}

/**
 * `\B` is the one assertion that holds between the two halves of a surrogate pair (both are non-word
 * units), where Go never looks; only an empty match can start there, so `\B` is safe unless the
 * pattern can match the empty string.
 */
function containsNotWordBoundary(node: RegexNode): boolean {
  switch (node.kind) {
    case 'assert':
      return node.assertion === 'not-word-boundary';
    case 'repeat':
    case 'capture':
      return containsNotWordBoundary(node.sub);
    case 'concat':
      return node.items.some(containsNotWordBoundary);
    case 'alternate':
      return node.branches.some(containsNotWordBoundary);
    default:
      return false;
  }
}

const ANY_WITH_NEWLINE: CodePointSet = [0, 0x10ffff];
const ANY_BUT_NEWLINE: CodePointSet = [0, 0x09, 0x0b, 0x10ffff];

function emit(node: RegexNode): Emitted {
  switch (node.kind) {
    case 'empty':
      return { source: '(?:)', atom: true };
    case 'literal': {
      const set = resolveLiteral(node.codePoint, node.foldCase);
      if (set === undefined) throw new Untranslatable('case folding of a non-ASCII letter');
      return emitSet(set);
    }
    case 'class': {
      const set = resolveClass(node.charClass);
      if (set === undefined) {
        throw new Untranslatable(
          node.charClass.items.some((item) => item.kind === 'unicode')
            ? 'Unicode class (\\p)'
            : 'case folding of a non-ASCII letter',
        );
      }
      return emitSet(set);
    }
    case 'any':
      return emitSet(node.matchNewline ? ANY_WITH_NEWLINE : ANY_BUT_NEWLINE);
    case 'assert':
      switch (node.assertion) {
        case 'begin-text':
          return { source: '^', atom: false };
        case 'end-text':
          return { source: '$', atom: false };
        case 'word-boundary':
          return { source: '\\b', atom: false };
        case 'not-word-boundary':
          return { source: '\\B', atom: false };
        default:
          throw new Untranslatable('(?m) line anchor');
      }
    case 'concat':
      return { source: node.items.map((item) => emit(item).source).join(''), atom: false };
    case 'alternate':
      return { source: `(?:${node.branches.map((branch) => emit(branch).source).join('|')})`, atom: true };
    case 'capture':
      return emit(node.sub);
    case 'repeat': {
      const sub = emit(node.sub);
      const body = sub.atom ? sub.source : `(?:${sub.source})`;
      let quantifier: string;
      if (node.op === 'star') quantifier = '*';
      else if (node.op === 'plus') quantifier = '+';
      else if (node.op === 'quest') quantifier = '?';
      else if (node.max === -1) quantifier = `{${node.min},}`;
      else if (node.max === node.min) quantifier = `{${node.min}}`;
      else quantifier = `{${node.min},${node.max}}`;
      // Greedy or not never changes whether a match exists, so every repeat is emitted greedy.
      return { source: body + quantifier, atom: false };
    }
  }
}

const HIGH_SURROGATE_MIN = 0xd800;
const LOW_SURROGATE_MIN = 0xdc00;
const LOW_SURROGATE_MAX = 0xdfff;

function unit(c: number): string {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return String.fromCharCode(c);
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
}

function unitRange(lo: number, hi: number): string {
  if (lo === hi) return unit(lo);
  if (hi === lo + 1) return unit(lo) + unit(hi);
  return `${unit(lo)}-${unit(hi)}`;
}

function emitSet(set: CodePointSet): Emitted {
  const bmp = normalizeRanges([...clipSet(set, 0, 0xd7ff), ...clipSet(set, 0xe000, 0xffff)]);
  const astral = clipSet(set, 0x10000, 0x10ffff);
  const parts: string[] = [];
  if (bmp.length > 0) parts.push(emitBmpClass(bmp));
  for (let i = 0; i + 1 < astral.length; i += 2) parts.push(...emitAstralRange(astral[i] ?? 0, astral[i + 1] ?? 0));
  if (parts.length === 0) return { source: '[]', atom: true }; // matches nothing
  if (parts.length === 1 && astral.length === 0) return { source: parts[0] ?? '[]', atom: true };
  return { source: `(?:${parts.join('|')})`, atom: true };
}

function emitBmpClass(bmp: CodePointSet): string {
  if (bmp.length === 2 && bmp[0] === bmp[1]) return unit(bmp[0] ?? 0);
  // Whichever of the set and its complement (within BMP scalars) has fewer ranges.
  const complement: number[] = [];
  let next = 0;
  for (let i = 0; i + 1 < bmp.length; i += 2) {
    const lo = bmp[i] ?? 0;
    if (lo > next) complement.push(next, lo - 1);
    next = (bmp[i + 1] ?? 0) + 1;
  }
  if (next <= 0xffff) complement.push(next, 0xffff);
  const complementScalars = normalizeRanges(
    [...clipSet(complement, 0, 0xd7ff), ...clipSet(complement, 0xe000, 0xffff)],
  );
  if (complementScalars.length < bmp.length) {
    return `[^${ranges(complementScalars)}\\ud800-\\udfff]`;
  }
  return `[${ranges(bmp)}]`;
}

function ranges(set: CodePointSet): string {
  let out = '';
  for (let i = 0; i + 1 < set.length; i += 2) out += unitRange(set[i] ?? 0, set[i + 1] ?? 0);
  return out;
}

const high = (c: number): number => HIGH_SURROGATE_MIN + ((c - 0x10000) >> 10);
const low = (c: number): number => LOW_SURROGATE_MIN + ((c - 0x10000) & 0x3ff);

/** An astral range as surrogate-pair alternatives: `\ud83d[\ude00-\ude4f]` and the like. */
function emitAstralRange(lo: number, hi: number): string[] {
  const hLo = high(lo);
  const hHi = high(hi);
  const lowClass = (a: number, b: number): string => (a === b ? unit(a) : `[${unitRange(a, b)}]`);
  if (hLo === hHi) return [unit(hLo) + lowClass(low(lo), low(hi))];
  const out: string[] = [];
  let firstFull = hLo;
  let lastFull = hHi;
  if (low(lo) !== LOW_SURROGATE_MIN) {
    out.push(unit(hLo) + lowClass(low(lo), LOW_SURROGATE_MAX));
    firstFull++;
  }
  const tail = low(hi) !== LOW_SURROGATE_MAX ? unit(hHi) + lowClass(LOW_SURROGATE_MIN, low(hi)) : undefined;
  if (tail !== undefined) lastFull--;
  if (firstFull <= lastFull) {
    const highPart = firstFull === lastFull ? unit(firstFull) : `[${unitRange(firstFull, lastFull)}]`;
    out.push(highPart + lowClass(LOW_SURROGATE_MIN, LOW_SURROGATE_MAX));
  }
  if (tail !== undefined) out.push(tail);
  return out;
}
