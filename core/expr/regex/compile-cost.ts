import { resolveClass } from './code-point-set.js';
import type { RegexNode } from './regex-ast.js';

/**
 * A budget measure for compiling a pattern: Go's program-size estimate (see regex-ast.ts), except
 * that a class costs by its number of ranges, since re2js compiles each copy of a class range by
 * range. A `\pL` (hundreds of ranges) under `{100}` costs ~30 µs per copy in re2js while Go counts
 * it as one instruction. One unit is roughly a microsecond of re2js compile time.
 */
export function compileCost(node: RegexNode): number {
  return Math.min(2 ** 40, cost(node));
}

/** Assumed ranges of a `\p` table: the largest (L, Cn) have ~700, most far fewer. */
const UNICODE_TABLE_COST = 64;

function cost(node: RegexNode): number {
  switch (node.kind) {
    case 'empty':
    case 'literal':
    case 'any':
    case 'assert':
      return 1;
    case 'class': {
      const set = resolveClass(node.charClass);
      if (set !== undefined) return Math.max(1, set.length / 8);
      let total = 0;
      for (const item of node.charClass.items) total += item.kind === 'unicode' ? UNICODE_TABLE_COST : 1;
      return total;
    }
    case 'capture':
      return 2 + cost(node.sub);
    case 'concat':
      return node.items.reduce((sum, item) => sum + cost(item), 0);
    case 'alternate':
      return node.branches.reduce((sum, branch) => sum + cost(branch), node.branches.length - 1);
    case 'repeat': {
      const sub = cost(node.sub);
      if (node.op === 'star') return 2 + sub;
      if (node.op === 'plus' || node.op === 'quest') return 1 + sub;
      if (node.max === -1) return node.min === 0 ? 2 + sub : 1 + node.min * sub;
      return node.max * sub + (node.max - node.min);
    }
  }
}
