import {
  alternateNode,
  anyNode,
  assertNode,
  captureNode,
  classNode,
  concatNode,
  literalNode,
  repeatIsValid,
  repeatNode,
  type CharClass,
  type ClassItem,
  type PosixClassName,
  type RegexNode,
  type RepeatOp,
} from './regex-ast.js';
import { RegexErrorCode, RegexSyntaxError } from './regex-syntax-error.js';
import { unicodeClassTable } from './unicode-class-names.js';

/**
 * Parser for RE2 syntax as Go's `regexp.Compile` accepts it (Perl flags: `(?flags)`, non-greedy
 * repeats, `\A \z \b \B \Q…\E \pN \d \s \w`, `[[:alpha:]]`, named groups). Written from Go's
 * documented syntax and checked against Go 1.26 with an oracle: it rejects exactly what Go rejects,
 * with Go's message and offending fragment, and checks Go's limits (repeat counts ≤ 1000 also when
 * nested, tree height ≤ 1000, program size ≤ 128 MB worth of instructions).
 *
 * It is iterative (an explicit group stack), so `(?:(?:(?:…)))` nested 100 000 deep, which Go
 * accepts, cannot overflow the JS stack; the tree it returns is at most ~1000 high.
 */

interface Flags {
  readonly foldCase: boolean;
  /** `(?m)`: `^`/`$` match at line boundaries. */
  readonly multiLine: boolean;
  /** `(?s)`: `.` matches `\n`. */
  readonly dotNewline: boolean;
}

interface Frame {
  readonly capture: boolean;
  /** Flags to restore when the group closes. */
  readonly savedFlags: Flags;
  readonly branches: RegexNode[];
  items: RegexNode[];
}

/** Go's `maxSize`: 128 MB of 40-byte instructions. */
const MAX_SIZE = Math.trunc((128 << 20) / 40);
/** Go's `maxHeight`. */
const MAX_HEIGHT = 1000;
const MAX_REPEAT = 1000;

/** `\d \D \s \S \w \W`, keyed by the character after the backslash. */
const PERL_ESCAPES: ReadonlyMap<number, { readonly name: 'd' | 's' | 'w'; readonly negated: boolean }> = new Map([
  [0x64, { name: 'd', negated: false }],
  [0x44, { name: 'd', negated: true }],
  [0x73, { name: 's', negated: false }],
  [0x53, { name: 's', negated: true }],
  [0x77, { name: 'w', negated: false }],
  [0x57, { name: 'w', negated: true }],
] as const);

const POSIX_NAMES: ReadonlySet<string> = new Set<PosixClassName>([
  'alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph',
  'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit',
]);

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isOctal = (c: number): boolean => c >= 0x30 && c <= 0x37;
const isAlnum = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function unhex(c: number): number {
  if (isDigit(c)) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Parses `pattern`, throwing a RegexSyntaxError with Go's message when Go would reject it. */
export function parseRegex(pattern: string): RegexNode {
  return new Parser(pattern).parse();
}

class Parser {
  private readonly s: string;
  private readonly n: number;
  private flags: Flags = { foldCase: false, multiLine: false, dotNewline: false };
  private readonly stack: Frame[];

  constructor(pattern: string) {
    this.s = pattern;
    this.n = pattern.length;
    this.stack = [{ capture: false, savedFlags: this.flags, branches: [], items: [] }];
  }

  private error(code: RegexErrorCode, expr: string): RegexSyntaxError {
    return new RegexSyntaxError(code, expr, this.s);
  }

  private get frame(): Frame {
    const frame = this.stack[this.stack.length - 1];
    if (frame === undefined) throw new Error('regex parser: empty group stack');
    return frame;
  }

  private charAt(i: number): number {
    return i < this.n ? this.s.charCodeAt(i) : -1;
  }

  /** Go's `nextRune`: the code point at `i` and the index after it; a lone surrogate is invalid UTF-8. */
  private nextRune(i: number): [number, number] {
    if (i >= this.n) return [0xfffd, i]; // Go decodes "" to RuneError without an error
    const c = this.s.codePointAt(i) ?? 0;
    if (c >= 0xd800 && c <= 0xdfff) throw this.error(RegexErrorCode.invalidUtf8, this.s.slice(i));
    return [c, i + (c > 0xffff ? 2 : 1)];
  }

  /** Go's `checkUTF8` on `s[from, to)`: the offending fragment ends at `to`. */
  private checkUtf8(from: number, to: number): void {
    for (let i = from; i < to; ) {
      const c = this.s.codePointAt(i) ?? 0;
      if (c >= 0xd800 && c <= 0xdfff) throw this.error(RegexErrorCode.invalidUtf8, this.s.slice(i, to));
      i += c > 0xffff ? 2 : 1;
    }
  }

  /** Go's `checkLimits`, applied where Go applies it: to each node it builds. */
  private checked(node: RegexNode): RegexNode {
    if (node.size > MAX_SIZE) throw this.error(RegexErrorCode.large, this.s);
    if (node.height > MAX_HEIGHT) throw this.error(RegexErrorCode.nestingDepth, this.s);
    return node;
  }

  private push(node: RegexNode): void {
    this.frame.items.push(node);
  }

  parse(): RegexNode {
    let lastRepeat = -1; // start of the repeat operator parsed by the previous step, or -1
    let i = 0;
    while (i < this.n) {
      let repeat = -1;
      const c = this.s.charCodeAt(i);
      switch (c) {
        case 0x28: // (
          if (this.charAt(i + 1) === 0x3f) i = this.parsePerlFlags(i);
          else {
            this.openGroup(true);
            i++;
          }
          break;
        case 0x7c: // |
          this.endBranch();
          i++;
          break;
        case 0x29: // )
          this.closeGroup();
          i++;
          break;
        case 0x5e: // ^
          this.push(assertNode(this.flags.multiLine ? 'begin-line' : 'begin-text'));
          i++;
          break;
        case 0x24: // $
          this.push(assertNode(this.flags.multiLine ? 'end-line' : 'end-text'));
          i++;
          break;
        case 0x2e: // .
          this.push(anyNode(this.flags.dotNewline));
          i++;
          break;
        case 0x5b: // [
          i = this.parseClass(i);
          break;
        case 0x2a: // *
        case 0x2b: // +
        case 0x3f: {
          // ?
          const op: RepeatOp = c === 0x2a ? 'star' : c === 0x2b ? 'plus' : 'quest';
          repeat = i;
          i = this.repeat(op, c === 0x2b ? 1 : 0, c === 0x3f ? 1 : -1, i, i + 1, lastRepeat);
          break;
        }
        case 0x7b: {
          // {
          const braces = this.parseRepeatBraces(i);
          if (braces === undefined) {
            this.push(this.literal(0x7b));
            i++;
            break;
          }
          const { min, max, end } = braces;
          if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
            throw this.error(RegexErrorCode.invalidRepeatSize, this.s.slice(i, end));
          }
          repeat = i;
          i = this.repeat('counted', min, max, i, end, lastRepeat);
          break;
        }
        case 0x5c: // backslash
          i = this.parseBackslash(i);
          break;
        default: {
          const [r, next] = this.nextRune(i);
          this.push(this.literal(r));
          i = next;
        }
      }
      lastRepeat = repeat;
    }

    const node = this.endGroupContents();
    if (this.stack.length !== 1) throw this.error(RegexErrorCode.missingParen, this.s);
    return node;
  }

  private literal(codePoint: number): RegexNode {
    return literalNode(codePoint, this.flags.foldCase);
  }

  /**
   * Applies a repeat operator (text `s[opStart, afterOp)`, plus a non-greedy `?` if present) to the
   * last item; returns the index after it.
   */
  private repeat(op: RepeatOp, min: number, max: number, opStart: number, afterOp: number, lastRepeat: number): number {
    let after = afterOp;
    if (this.charAt(after) === 0x3f) after++; // non-greedy: irrelevant to whether a match exists
    if (lastRepeat >= 0) throw this.error(RegexErrorCode.invalidRepeatOp, this.s.slice(lastRepeat, after));
    const items = this.frame.items;
    const sub = items.pop();
    if (sub === undefined) throw this.error(RegexErrorCode.missingRepeatArgument, this.s.slice(opStart, after));
    const node = this.checked(repeatNode(op, min, max, sub));
    if (op === 'counted' && (min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT)) {
      throw this.error(RegexErrorCode.invalidRepeatSize, this.s.slice(opStart, after));
    }
    items.push(node);
    return after;
  }

  /** Go's `parseRepeat`: `{n}`, `{n,}` or `{n,m}` at `i`, or undefined when `{` is a literal. */
  private parseRepeatBraces(i: number): { min: number; max: number; end: number } | undefined {
    let j = i + 1;
    const first = this.parseInt(j);
    if (first === undefined) return undefined;
    let min = first.value;
    let max: number;
    j = first.end;
    if (j >= this.n) return undefined;
    if (this.charAt(j) !== 0x2c) {
      max = min;
    } else {
      j++;
      if (j >= this.n) return undefined;
      if (this.charAt(j) === 0x7d) {
        max = -1;
      } else {
        const second = this.parseInt(j);
        if (second === undefined) return undefined;
        max = second.value;
        j = second.end;
        if (max < 0) min = -1; // too big
      }
    }
    if (this.charAt(j) !== 0x7d) return undefined;
    return { min, max, end: j + 1 };
  }

  /** A decimal integer without leading zeros; value -1 when it is too big (≥ 1e8 before the last digit). */
  private parseInt(i: number): { value: number; end: number } | undefined {
    if (!isDigit(this.charAt(i))) return undefined;
    if (this.charAt(i) === 0x30 && isDigit(this.charAt(i + 1))) return undefined;
    let j = i;
    let value = 0;
    while (isDigit(this.charAt(j))) {
      if (value >= 1e8) value = -1;
      else if (value >= 0) value = value * 10 + this.charAt(j) - 0x30;
      j++;
    }
    return { value, end: j };
  }

  private openGroup(capture: boolean): void {
    this.stack.push({ capture, savedFlags: this.flags, branches: [], items: [] });
  }

  /** `|`: the items so far become one branch of the current group. */
  private endBranch(): void {
    const frame = this.frame;
    frame.branches.push(this.checked(concatNode(frame.items)));
    frame.items = [];
  }

  /** The current group's contents: the alternation of its branches. */
  private endGroupContents(): RegexNode {
    this.endBranch();
    return this.checked(alternateNode(this.frame.branches));
  }

  private closeGroup(): void {
    const node = this.endGroupContents();
    if (this.stack.length < 2) throw this.error(RegexErrorCode.unexpectedParen, this.s);
    const frame = this.stack.pop();
    if (frame === undefined) throw this.error(RegexErrorCode.unexpectedParen, this.s);
    this.flags = frame.savedFlags;
    this.push(frame.capture ? this.checked(captureNode(node)) : node);
  }

  /** `(?` at `i`: a named group, a flag change `(?i)`, or a group with flags `(?i:…)`. */
  private parsePerlFlags(i: number): number {
    const startsWithP = this.n - i > 4 && this.charAt(i + 2) === 0x50 && this.charAt(i + 3) === 0x3c; // (?P<
    const startsWithName = this.n - i > 3 && this.charAt(i + 2) === 0x3c; // (?<
    if (startsWithP || startsWithName) {
      const nameStart = i + (startsWithP ? 4 : 3);
      const end = this.s.indexOf('>', i);
      if (end < 0) {
        this.checkUtf8(i, this.n);
        throw this.error(RegexErrorCode.invalidNamedCapture, this.s.slice(i));
      }
      this.checkUtf8(nameStart, end);
      const name = this.s.slice(nameStart, end);
      if (!isValidCaptureName(name)) throw this.error(RegexErrorCode.invalidNamedCapture, this.s.slice(i, end + 1));
      this.openGroup(true);
      return end + 1;
    }

    let { foldCase, multiLine, dotNewline } = this.flags;
    let negate = false;
    let sawFlag = false;
    let j = i + 2;
    while (j < this.n) {
      const [c, next] = this.nextRune(j);
      j = next;
      if (c === 0x69 || c === 0x6d || c === 0x73 || c === 0x55) {
        // i m s U
        if (c === 0x69) foldCase = !negate;
        else if (c === 0x6d) multiLine = !negate;
        else if (c === 0x73) dotNewline = !negate;
        // U (ungreedy) only changes which match is preferred, never whether one exists.
        sawFlag = true;
        continue;
      }
      if (c === 0x2d) {
        // -
        if (negate) break;
        negate = true;
        sawFlag = false;
        continue;
      }
      if (c === 0x3a || c === 0x29) {
        // : or )
        if (negate && !sawFlag) break;
        if (c === 0x3a) this.openGroup(false);
        this.flags = { foldCase, multiLine, dotNewline };
        return j;
      }
      break;
    }
    throw this.error(RegexErrorCode.invalidPerlOp, this.s.slice(i, j));
  }

  /** A backslash at `i` outside a class. */
  private parseBackslash(i: number): number {
    const c = this.charAt(i + 1);
    switch (c) {
      case 0x41: // \A
        this.push(assertNode('begin-text'));
        return i + 2;
      case 0x62: // \b
        this.push(assertNode('word-boundary'));
        return i + 2;
      case 0x42: // \B
        this.push(assertNode('not-word-boundary'));
        return i + 2;
      case 0x43: // \C: any byte, unsupported
        throw this.error(RegexErrorCode.invalidEscape, this.s.slice(i, i + 2));
      case 0x51: {
        // \Q…\E: literal text
        const end = this.s.indexOf('\\E', i + 2);
        const textEnd = end < 0 ? this.n : end;
        for (let j = i + 2; j < textEnd; ) {
          const [r, next] = this.nextRune(j);
          this.push(this.literal(r));
          j = next;
        }
        return end < 0 ? this.n : end + 2;
      }
      case 0x7a: // \z
        this.push(assertNode('end-text'));
        return i + 2;
      case 0x70: // \p
      case 0x50: {
        // \P
        const { item, end } = this.parseUnicodeClass(i);
        this.push(this.classNode({ items: [item], negated: false, foldCase: this.flags.foldCase }));
        return end;
      }
      default: {
        const perl = PERL_ESCAPES.get(c);
        if (perl !== undefined) {
          this.push(this.classNode({ items: [{ kind: 'perl', ...perl }], negated: false, foldCase: this.flags.foldCase }));
          return i + 2;
        }
        const [r, next] = this.parseEscape(i);
        this.push(this.literal(r));
        return next;
      }
    }
  }

  /** A class node, or a literal when it holds one character (as Go rewrites `[a]` and `[Aa]`). */
  private classNode(charClass: CharClass): RegexNode {
    const only = charClass.items[0];
    if (charClass.items.length === 1 && only?.kind === 'range' && !charClass.negated && only.lo === only.hi) {
      return literalNode(only.lo, charClass.foldCase);
    }
    return classNode(charClass);
  }

  /** Go's `parseEscape`: a single-character escape at `i`; returns the code point and the index after. */
  private parseEscape(i: number): [number, number] {
    let j = i + 1;
    if (j >= this.n) throw this.error(RegexErrorCode.trailingBackslash, '');
    let c: number;
    [c, j] = this.nextRune(j);
    const invalid = (): RegexSyntaxError => this.error(RegexErrorCode.invalidEscape, this.s.slice(i, j));
    if (c < 0x80 && !isAlnum(c)) return [c, j]; // escaped punctuation is itself
    if (c >= 0x31 && c <= 0x37 && !isOctal(this.charAt(j))) throw invalid(); // \1: a backreference
    if (c >= 0x30 && c <= 0x37) {
      let r = c - 0x30;
      for (let k = 1; k < 3 && isOctal(this.charAt(j)); k++, j++) r = r * 8 + this.charAt(j) - 0x30;
      return [r, j];
    }
    switch (c) {
      case 0x78: {
        // \x
        if (j >= this.n) throw invalid();
        [c, j] = this.nextRune(j);
        if (c === 0x7b) {
          let digits = 0;
          let r = 0;
          for (;;) {
            if (j >= this.n) throw invalid();
            [c, j] = this.nextRune(j);
            if (c === 0x7d) break;
            const v = unhex(c);
            if (v < 0) throw invalid();
            r = r * 16 + v;
            if (r > 0x10ffff) throw invalid();
            digits++;
          }
          if (digits === 0) throw invalid();
          return [r, j];
        }
        const x = unhex(c);
        [c, j] = this.nextRune(j);
        const y = unhex(c);
        if (x < 0 || y < 0) throw invalid();
        return [x * 16 + y, j];
      }
      case 0x61: // \a
        return [0x07, j];
      case 0x66: // \f
        return [0x0c, j];
      case 0x6e: // \n
        return [0x0a, j];
      case 0x72: // \r
        return [0x0d, j];
      case 0x74: // \t
        return [0x09, j];
      case 0x76: // \v
        return [0x0b, j];
      default:
        throw invalid();
    }
  }

  /** `\p…`/`\P…` at `i` (Go's `parseUnicodeClass`). */
  private parseUnicodeClass(i: number): { item: ClassItem; end: number } {
    let negated = this.charAt(i + 1) === 0x50;
    const [c, afterName] = this.nextRune(i + 2);
    let seqEnd: number;
    let name: string;
    if (c !== 0x7b) {
      seqEnd = afterName; // single-letter name: \pL
      name = this.s.slice(i + 2, seqEnd);
    } else {
      const close = this.s.indexOf('}', i);
      if (close < 0) {
        this.checkUtf8(i, this.n);
        throw this.error(RegexErrorCode.invalidCharRange, this.s.slice(i));
      }
      seqEnd = close + 1;
      this.checkUtf8(i + 3, close);
      name = this.s.slice(i + 3, close);
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const table = unicodeClassTable(name);
    if (table === undefined) throw this.error(RegexErrorCode.invalidCharRange, this.s.slice(i, seqEnd));
    return { item: { kind: 'unicode', table, negated }, end: seqEnd };
  }

  /** A bracketed class at `i` (Go's `parseClass`); returns the index after `]`. */
  private parseClass(i: number): number {
    let t = i + 1;
    let negated = false;
    if (this.charAt(t) === 0x5e) {
      negated = true;
      t++;
    }
    const items: ClassItem[] = [];
    let first = true; // ] is literal as the first character
    while (t >= this.n || this.charAt(t) !== 0x5d || first) {
      first = false;
      // POSIX class [:alpha:] — Go looks for the closing :] anywhere in the rest of the pattern.
      if (this.n - t > 2 && this.charAt(t) === 0x5b && this.charAt(t + 1) === 0x3a) {
        const close = this.s.indexOf(':]', t + 2);
        if (close >= 0) {
          const text = this.s.slice(t, close + 2);
          const negatedPosix = text.startsWith('[:^');
          const posixName = text.slice(negatedPosix ? 3 : 2, -2);
          if (!POSIX_NAMES.has(posixName)) throw this.error(RegexErrorCode.invalidCharRange, text);
          items.push({ kind: 'posix', name: posixName as PosixClassName, negated: negatedPosix });
          t = close + 2;
          continue;
        }
      }
      if (this.n - t >= 2 && this.charAt(t) === 0x5c && (this.charAt(t + 1) === 0x70 || this.charAt(t + 1) === 0x50)) {
        const { item, end } = this.parseUnicodeClass(t);
        items.push(item);
        t = end;
        continue;
      }
      if (this.charAt(t) === 0x5c) {
        const perl = PERL_ESCAPES.get(this.charAt(t + 1));
        if (perl !== undefined) {
          items.push({ kind: 'perl', ...perl });
          t += 2;
          continue;
        }
      }
      const rangeStart = t;
      let lo: number;
      [lo, t] = this.parseClassChar(t, i);
      let hi = lo;
      if (this.n - t >= 2 && this.charAt(t) === 0x2d && this.charAt(t + 1) !== 0x5d) {
        [hi, t] = this.parseClassChar(t + 1, i);
        if (hi < lo) throw this.error(RegexErrorCode.invalidCharRange, this.s.slice(rangeStart, t));
      }
      items.push({ kind: 'range', lo, hi });
    }
    this.push(this.classNode({ items, negated, foldCase: this.flags.foldCase }));
    return t + 1;
  }

  private parseClassChar(t: number, classStart: number): [number, number] {
    if (t >= this.n) throw this.error(RegexErrorCode.missingBracket, this.s.slice(classStart));
    if (this.charAt(t) === 0x5c) return this.parseEscape(t);
    return this.nextRune(t);
  }
}

/** Go's `isValidCaptureName`: one or more of `[A-Za-z0-9_]`. */
function isValidCaptureName(name: string): boolean {
  if (name.length === 0) return false;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c !== 0x5f && !isAlnum(c)) return false;
  }
  return true;
}
