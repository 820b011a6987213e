import type { AttributeValue } from '../core/attribute/value.js';
import type { QuotaMatch, QuotaRule, StringMatch } from './proxy-config.js';

/**
 * The quotas one request is charged, as Istio's QuotaSpec decides them (mixer-api.md §4.7):
 * a rule applies when any of its matches holds (no match at all: always); a match holds when
 * every clause's attribute is present as a string and matches. Charges for the same quota add up.
 */
export function quotaAmounts(rules: readonly QuotaRule[], attributes: ReadonlyMap<string, AttributeValue>): Map<string, number> | undefined {
  let amounts: Map<string, number> | undefined;
  for (const rule of rules) {
    if (rule.match.length > 0 && !rule.match.some((match) => matches(match, attributes))) continue;
    amounts ??= new Map();
    for (const { quota, charge } of rule.quotas) amounts.set(quota, (amounts.get(quota) ?? 0) + charge);
  }
  return amounts;
}

function matches(match: QuotaMatch, attributes: ReadonlyMap<string, AttributeValue>): boolean {
  for (const [name, clause] of match.clauses) {
    const value = attributes.get(name);
    if (typeof value !== 'string' || !stringMatches(clause, value)) return false;
  }
  return true;
}

export function stringMatches(match: StringMatch, value: string): boolean {
  switch (match.kind) {
    case 'exact':
      return value === match.value;
    case 'prefix':
      return value.startsWith(match.value);
    case 'regex':
      return match.value.test(value);
    default:
      return true;
  }
}
