import { resolveClass, type CodePointSet } from './code-point-set.js';
import type { CharClass, ClassItem, RegexNode } from './regex-ast.js';

/**
 * Prints a parse tree back as RE2 syntax in a normal form for re2js: every literal as `\x{…}` or a
 * letter, every class with explicit ranges, flags written out where they matter (`(?i:…)` only
 * around what still needs Unicode case folding, `(?m:^)`, `(?s:.)`), captures as plain groups.
 *
 * Giving re2js this form rather than the user's text means re2js only has to agree with Go on the
 * core syntax: Go-only spellings (`\p{greek}`, `\p{Letter}`, `(?<name>…)`) and the corners where
 * re2js parses differently never reach it.
 */
export function printRe2(node: RegexNode): string {
  switch (node.kind) {
    case 'empty':
      return '(?:)';
    case 'literal':
      return node.foldCase && hasCase(node.codePoint) ? `(?i:${char(node.codePoint)})` : char(node.codePoint);
    case 'class':
      return printClass(node.charClass);
    case 'any':
      return node.matchNewline ? '(?s:.)' : '(?-s:.)';
    case 'assert':
      switch (node.assertion) {
        case 'begin-text':
          return '\\A';
        case 'end-text':
          return '\\z';
        case 'begin-line':
          return '(?m:^)';
        case 'end-line':
          return '(?m:$)';
        case 'word-boundary':
          return '\\b';
        case 'not-word-boundary':
          return '\\B';
      }
      break;
    case 'concat':
      return node.items.map((item) => printRe2(item)).join('');
    case 'alternate':
      return `(?:${node.branches.map((branch) => printRe2(branch)).join('|')})`;
    case 'capture':
      return `(?:${printRe2(node.sub)})`;
    case 'repeat': {
      const body = `(?:${printRe2(node.sub)})`;
      if (node.op === 'star') return `${body}*`;
      if (node.op === 'plus') return `${body}+`;
      if (node.op === 'quest') return `${body}?`;
      if (node.max === -1) return `${body}{${node.min},}`;
      if (node.max === node.min) return `${body}{${node.min}}`;
      return `${body}{${node.min},${node.max}}`;
    }
  }
  return '(?:)';
}

/** Letters and non-ASCII code points may have case variants; other ASCII characters do not. */
const hasCase = (c: number): boolean => c > 0x7f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function char(c: number): string {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return String.fromCharCode(c);
  return `\\x{${c.toString(16)}}`;
}

function printSet(set: CodePointSet): string {
  if (set.length === 0) return '[^\\x{0}-\\x{10ffff}]';
  let out = '[';
  for (let i = 0; i + 1 < set.length; i += 2) {
    const lo = set[i] ?? 0;
    const hi = set[i + 1] ?? 0;
    out += lo === hi ? char(lo) : `${char(lo)}-${char(hi)}`;
  }
  return `${out}]`;
}

function printClass(charClass: CharClass): string {
  const resolved = resolveClass(charClass);
  if (resolved !== undefined) return printSet(resolved);
  const body = `[${charClass.negated ? '^' : ''}${charClass.items.map(printItem).join('')}]`;
  return charClass.foldCase ? `(?i:${body})` : body;
}

function printItem(item: ClassItem): string {
  switch (item.kind) {
    case 'range':
      return item.lo === item.hi ? char(item.lo) : `${char(item.lo)}-${char(item.hi)}`;
    case 'perl':
      return `\\${item.negated ? item.name.toUpperCase() : item.name}`;
    case 'posix':
      return `[:${item.negated ? '^' : ''}${item.name}:]`;
    case 'unicode':
      // re2js has no \p{ASCII}; [:ascii:] is the same set, folded the same way.
      if (item.table === 'ASCII') return `[:${item.negated ? '^' : ''}ascii:]`;
      return `\\${item.negated ? 'P' : 'p'}{${item.table}}`;
  }
}
