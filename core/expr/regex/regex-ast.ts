/**
 * The parse tree of an RE2 pattern, with every flag already applied: a literal knows whether it
 * is case-folded, `.` whether it matches `\n`, `^`/`$` whether they are line or text anchors. So
 * scoped flag groups (`a(?i:b)c`) need no special handling downstream.
 *
 * Each node carries Go's two limit measures, computed when it is built: `size` (the compiled
 * program size estimate Go checks against `expression too large`) and `height` (the tree height Go
 * checks against `expression nests too deeply`). Nodes are immutable.
 */

/** A class item, kept unresolved so that a fallback engine can be given the same class. */
export type ClassItem =
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number }
  /** `\d \s \w` (and `\D \S \W` when negated). */
  | { readonly kind: 'perl'; readonly name: 'd' | 's' | 'w'; readonly negated: boolean }
  /** `[:alpha:]` and friends (`[:^alpha:]` when negated). */
  | { readonly kind: 'posix'; readonly name: PosixClassName; readonly negated: boolean }
  /** `\p{Greek}`: `table` is the Go table the name selects (see unicode-class-names.ts). */
  | { readonly kind: 'unicode'; readonly table: string; readonly negated: boolean };

export type PosixClassName =
  | 'alnum' | 'alpha' | 'ascii' | 'blank' | 'cntrl' | 'digit' | 'graph'
  | 'lower' | 'print' | 'punct' | 'space' | 'upper' | 'word' | 'xdigit';

export interface CharClass {
  readonly items: readonly ClassItem[];
  readonly negated: boolean;
  /** Items are case-folded before the class is negated, as in Go. */
  readonly foldCase: boolean;
}

export type Assertion = 'begin-text' | 'end-text' | 'begin-line' | 'end-line' | 'word-boundary' | 'not-word-boundary';

export type RepeatOp = 'star' | 'plus' | 'quest' | 'counted';

export type RegexNode =
  | { readonly kind: 'empty'; readonly size: number; readonly height: number }
  | { readonly kind: 'literal'; readonly codePoint: number; readonly foldCase: boolean; readonly size: number; readonly height: number }
  | { readonly kind: 'class'; readonly charClass: CharClass; readonly size: number; readonly height: number }
  | { readonly kind: 'any'; readonly matchNewline: boolean; readonly size: number; readonly height: number }
  | { readonly kind: 'assert'; readonly assertion: Assertion; readonly size: number; readonly height: number }
  | { readonly kind: 'concat'; readonly items: readonly RegexNode[]; readonly size: number; readonly height: number }
  | { readonly kind: 'alternate'; readonly branches: readonly RegexNode[]; readonly size: number; readonly height: number }
  | {
      readonly kind: 'repeat';
      readonly op: RepeatOp;
      readonly min: number;
      /** -1 means unbounded. */
      readonly max: number;
      readonly sub: RegexNode;
      readonly size: number;
      readonly height: number;
    }
  | { readonly kind: 'capture'; readonly sub: RegexNode; readonly size: number; readonly height: number };

/** Sizes are capped here so that nested counted repeats cannot overflow to nonsense. */
const SIZE_CAP = 2 ** 40;
const cap = (size: number): number => Math.min(SIZE_CAP, Math.max(1, size));

export const emptyNode = (): RegexNode => ({ kind: 'empty', size: 1, height: 1 });

export const literalNode = (codePoint: number, foldCase: boolean): RegexNode => ({
  kind: 'literal',
  codePoint,
  foldCase,
  size: 1,
  height: 1,
});

export const classNode = (charClass: CharClass): RegexNode => ({ kind: 'class', charClass, size: 1, height: 1 });

export const anyNode = (matchNewline: boolean): RegexNode => ({ kind: 'any', matchNewline, size: 1, height: 1 });

export const assertNode = (assertion: Assertion): RegexNode => ({ kind: 'assert', assertion, size: 1, height: 1 });

export const captureNode = (sub: RegexNode): RegexNode => ({
  kind: 'capture',
  sub,
  size: cap(2 + sub.size),
  height: 1 + sub.height,
});

export function repeatNode(op: RepeatOp, min: number, max: number, sub: RegexNode): RegexNode {
  let size: number;
  if (op === 'star') size = 2 + sub.size;
  else if (op === 'plus' || op === 'quest') size = 1 + sub.size;
  else if (max === -1) size = min === 0 ? 2 + sub.size : 1 + min * sub.size;
  else size = max * sub.size + (max - min);
  return { kind: 'repeat', op, min, max, sub, size: cap(size), height: 1 + sub.height };
}

/** Concatenation, flattening nested concatenations as Go does; one item is returned as is. */
export function concatNode(items: readonly RegexNode[]): RegexNode {
  const flat: RegexNode[] = [];
  for (const item of items) {
    if (item.kind === 'concat') flat.push(...item.items);
    else flat.push(item);
  }
  if (flat.length === 0) return emptyNode();
  const only = flat[0];
  if (flat.length === 1 && only !== undefined) return only;
  let size = 0;
  let childHeight = 0;
  let children = 0;
  let previous: RegexNode | undefined;
  for (const item of flat) {
    size += item.size;
    // Go merges runs of literals (same case folding) into one string node.
    const merges =
      item.kind === 'literal' && previous?.kind === 'literal' && previous.foldCase === item.foldCase;
    if (!merges) children++;
    childHeight = Math.max(childHeight, item.height);
    previous = item;
  }
  const height = children === 1 ? childHeight : 1 + childHeight;
  return { kind: 'concat', items: flat, size: cap(size), height };
}

/** Alternation, flattening nested alternations as Go does; one branch is returned as is. */
export function alternateNode(branches: readonly RegexNode[]): RegexNode {
  const flat: RegexNode[] = [];
  for (const branch of branches) {
    if (branch.kind === 'alternate') flat.push(...branch.branches);
    else flat.push(branch);
  }
  const only = flat[0];
  if (flat.length === 1 && only !== undefined) return only;
  // Go merges runs of single-character branches (`a|b|[cd]|.`) into one character class.
  let size = 0;
  let height = 0;
  let children = 0;
  let inCharRun = false;
  for (const branch of flat) {
    const charLike = branch.kind === 'literal' || branch.kind === 'class' || branch.kind === 'any';
    if (charLike && inCharRun) continue;
    inCharRun = charLike;
    children++;
    size += branch.size;
    height = Math.max(height, branch.height);
  }
  if (children === 1) return { kind: 'alternate', branches: flat, size, height };
  return { kind: 'alternate', branches: flat, size: cap(size + children - 1), height: 1 + height };
}

/**
 * Go's `repeatIsValid`: the product of nested counted repeats (each taking its max, or its min when
 * unbounded) must not exceed `limit` copies of the innermost thing.
 */
export function repeatIsValid(node: RegexNode, limit: number): boolean {
  let n = limit;
  if (node.kind === 'repeat' && node.op === 'counted') {
    let m = node.max;
    if (m === 0) return true;
    if (m < 0) m = node.min;
    if (m > n) return false;
    if (m > 0) n = Math.trunc(n / m);
  }
  switch (node.kind) {
    case 'repeat':
    case 'capture':
      return repeatIsValid(node.sub, n);
    case 'concat':
      return node.items.every((item) => repeatIsValid(item, n));
    case 'alternate':
      return node.branches.every((branch) => repeatIsValid(branch, n));
    default:
      return true;
  }
}
