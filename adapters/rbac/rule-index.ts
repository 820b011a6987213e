import type { StringFact } from './facts.js';
import type { CompiledRule } from './policy-compiler.js';
import type { RequestFacts } from './request-facts.js';

/** Counts the work one decision took (tests assert that indexes keep it small). */
export interface EvaluationStats {
  rulesEvaluated: number;
}

interface KeyedRules {
  readonly fact: StringFact;
  readonly byValue: ReadonlyMap<string, readonly CompiledRule[]>;
}

/**
 * The rules of one action (ALLOW or DENY) for one set of workloads, indexed: a rule that
 * requires a fact to be one of some exact values (`principals: [a, b]`, `paths: [/x]`) sits in
 * a map under each value, so a request reads the fact once and looks up the few rules that
 * can match it; the other rules are scanned. Lists stay in config order.
 */
export class RuleIndex {
  private readonly scanned: readonly CompiledRule[];
  private readonly keyed: readonly KeyedRules[];
  readonly size: number;

  constructor(rules: readonly CompiledRule[]) {
    const scanned: CompiledRule[] = [];
    const byFact = new Map<string, { fact: StringFact; byValue: Map<string, CompiledRule[]> }>();
    for (const rule of [...rules].sort((a, b) => a.order - b.order)) {
      const hint = rule.hint;
      if (hint === undefined) {
        scanned.push(rule);
        continue;
      }
      let keyed = byFact.get(hint.fact.key);
      if (keyed === undefined) {
        keyed = { fact: hint.fact, byValue: new Map() };
        byFact.set(hint.fact.key, keyed);
      }
      for (const value of hint.values) {
        const list = keyed.byValue.get(value);
        if (list === undefined) keyed.byValue.set(value, [rule]);
        else list.push(rule);
      }
    }
    this.scanned = scanned;
    this.keyed = [...byFact.values()];
    this.size = rules.length;
  }

  /** How many rules are only reachable by scanning (for tests and debugging). */
  get scannedCount(): number {
    return this.scanned.length;
  }

  /** The first matching rule in config order that comes before `before`, or undefined. */
  first(facts: RequestFacts, stats: EvaluationStats, before = Number.POSITIVE_INFINITY): CompiledRule | undefined {
    let best: CompiledRule | undefined;
    // Indexed candidates first: they are few, and a match there bounds the scan.
    for (const keyed of this.keyed) {
      const candidates = lookup(keyed, facts);
      if (candidates !== undefined) best = firstMatch(candidates, facts, stats, best?.order ?? before) ?? best;
    }
    return firstMatch(this.scanned, facts, stats, best?.order ?? before) ?? best;
  }

  /** Whether any rule matches. */
  any(facts: RequestFacts, stats: EvaluationStats): boolean {
    for (const keyed of this.keyed) {
      const candidates = lookup(keyed, facts);
      if (candidates !== undefined && anyMatch(candidates, facts, stats)) return true;
    }
    return anyMatch(this.scanned, facts, stats);
  }
}

/** The first of `rules` (in config order) before `bound` that matches. */
function firstMatch(rules: readonly CompiledRule[], facts: RequestFacts, stats: EvaluationStats, bound: number): CompiledRule | undefined {
  for (const rule of rules) {
    if (rule.order >= bound) return undefined;
    stats.rulesEvaluated++;
    if (rule.matches(facts)) return rule;
  }
  return undefined;
}

function anyMatch(rules: readonly CompiledRule[], facts: RequestFacts, stats: EvaluationStats): boolean {
  for (const rule of rules) {
    stats.rulesEvaluated++;
    if (rule.matches(facts)) return true;
  }
  return false;
}

/** The rules filed under the request's value of the indexed fact. */
function lookup({ fact, byValue }: KeyedRules, facts: RequestFacts): readonly CompiledRule[] | undefined {
  const value = fact.read(facts);
  if (value === undefined) return undefined;
  return byValue.get(fact.lowerCase ? value.toLowerCase() : value);
}
