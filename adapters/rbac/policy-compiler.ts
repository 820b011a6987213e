import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import { allOf, anyOf, compileMatch, type CompiledMatch, type IndexHint, type Predicate } from './conditions.js';
import { deniedByMessage } from './denial-messages.js';
import { FACTS, parseWhenKey, type Fact } from './facts.js';
import type { AuthorizationPolicySpec, ConditionSpec, OperationSpec, PolicyRuleSpec, SourceSpec } from './params.js';
import type { ConventionFact } from './request-facts.js';

// AuthorizationPolicy specs compiled once, at build, into predicates over request facts, with
// Istio's validation (pkg/config/validation ValidateAuthorizationPolicy) and its messages.

export interface CompiledRule {
  readonly policy: CompiledPolicy;
  /** The rule's position in its policy. */
  readonly index: number;
  /** Position among every rule of the handler, in config order: the first matching DENY is reported. */
  readonly order: number;
  readonly matches: Predicate;
  /** A fact the rule requires to be one of some exact values, for the rule index. */
  readonly hint: IndexHint | undefined;
  /** The message when this rule of a DENY policy denies a request. */
  readonly denial: string;
}

export interface CompiledPolicy {
  readonly name: string;
  readonly namespace: string | undefined;
  /** `namespace/name` (just `name` without a namespace): how messages name the policy. */
  readonly id: string;
  readonly action: 'ALLOW' | 'DENY';
  /** Applies in every namespace: no namespace, or the root namespace. */
  readonly meshWide: boolean;
  /** matchLabels, sorted by key; empty: every workload of its scope. */
  readonly selector: readonly (readonly [string, string])[];
  readonly rules: readonly CompiledRule[];
  /** The policy's position in `params.policies`. */
  readonly order: number;
}

export interface CompiledPolicies {
  readonly policies: readonly CompiledPolicy[];
  /** Each instance property some policy reads, with the first field reading it. */
  readonly needs: ReadonlyMap<ConventionFact, FactUse>;
  readonly problems: readonly ConfigProblem[];
}

/** Where a policy first reads an instance property: the policy's id and the field's path. */
export interface FactUse {
  readonly policy: string;
  readonly field: string;
}

type FieldTable<S> = readonly (readonly [keyof S & string, Fact, boolean])[];

const SOURCE_FIELDS: FieldTable<SourceSpec> = [
  ['principals', FACTS.principal, false], ['notPrincipals', FACTS.principal, true],
  ['requestPrincipals', FACTS.requestPrincipal, false], ['notRequestPrincipals', FACTS.requestPrincipal, true],
  ['namespaces', FACTS.namespace, false], ['notNamespaces', FACTS.namespace, true],
  ['ipBlocks', FACTS.sourceIp, false], ['notIpBlocks', FACTS.sourceIp, true],
  ['remoteIpBlocks', FACTS.remoteIp, false], ['notRemoteIpBlocks', FACTS.remoteIp, true],
];

const OPERATION_FIELDS: FieldTable<OperationSpec> = [
  ['hosts', FACTS.host, false], ['notHosts', FACTS.host, true],
  ['ports', FACTS.port, false], ['notPorts', FACTS.port, true],
  ['methods', FACTS.method, false], ['notMethods', FACTS.method, true],
  ['paths', FACTS.path, false], ['notPaths', FACTS.path, true],
];

/** A compiled `from` or `to` list: OR over its entries, and the hints every entry shares. */
interface CompiledClause {
  readonly predicate: Predicate;
  readonly hints: readonly IndexHint[];
}

export function compilePolicies(specs: readonly AuthorizationPolicySpec[], rootNamespace: string): CompiledPolicies {
  return new PolicyCompiler(rootNamespace).compile(specs);
}

class PolicyCompiler {
  private readonly problems: ConfigProblem[] = [];
  private readonly needs = new Map<ConventionFact, FactUse>();
  private order = 0;

  constructor(private readonly rootNamespace: string) {}

  compile(specs: readonly AuthorizationPolicySpec[]): CompiledPolicies {
    const seen = new Map<string, number>();
    const policies: CompiledPolicy[] = [];
    specs.forEach((spec, index) => {
      const field = `params.policies[${index}]`;
      const id = spec.namespace === undefined || spec.namespace === '' ? spec.name : `${spec.namespace}/${spec.name}`;
      const previous = seen.get(id);
      if (previous !== undefined) this.problems.push(problem(`${field}.name`, `duplicate policy ${id}, first at params.policies[${previous}]`));
      else seen.set(id, index);
      const policy = this.policy(spec, id, field, index);
      if (policy !== undefined) policies.push(policy);
    });
    return { policies, needs: this.needs, problems: this.problems };
  }

  private policy(spec: AuthorizationPolicySpec, id: string, field: string, order: number): CompiledPolicy | undefined {
    const supported = spec.action === 'ALLOW' || spec.action === 'DENY';
    // An unsupported action drops the policy, but its rules are still checked, so one change reports every problem.
    if (!supported) this.problems.push(problem(`${field}.action`, `action ${spec.action} is not supported by the rbac adapter (ALLOW or DENY)`));
    const action = spec.action === 'DENY' ? 'DENY' : 'ALLOW';
    if (action === 'DENY' && (spec.rules === undefined || spec.rules.length === 0)) {
      this.problems.push(problem(`${field}.rules`, `a deny policy without \`rules\` is meaningless and has no effect, found in ${id}`));
    }
    const selector = this.selector(spec.selector?.matchLabels ?? {}, `${field}.selector.matchLabels`);
    const namespace = spec.namespace === '' ? undefined : spec.namespace;
    const rules: CompiledRule[] = [];
    const policy: CompiledPolicy = {
      name: spec.name,
      namespace,
      id,
      action,
      meshWide: namespace === undefined || namespace === this.rootNamespace,
      selector,
      rules,
      order,
    };
    (spec.rules ?? []).forEach((rule, index) => {
      const compiled = this.rule(rule, `${field}.rules[${index}]`, id);
      rules.push(Object.freeze({ policy, index, order: this.order++, denial: deniedByMessage(id, index), ...compiled }));
    });
    Object.freeze(rules);
    return supported ? Object.freeze(policy) : undefined;
  }

  private selector(labels: Readonly<Record<string, string>>, field: string): (readonly [string, string])[] {
    const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, value] of entries) {
      if (key === '') this.problems.push(problem(field, `empty key is not supported in selector: "=${value}"`));
      if (key.includes('*') || value.includes('*')) this.problems.push(problem(field, `wildcard is not supported in selector: "${key}=${value}"`));
    }
    return entries;
  }

  private rule(spec: PolicyRuleSpec, field: string, id: string): { matches: Predicate; hint: IndexHint | undefined } {
    const predicates: Predicate[] = [];
    const hints: IndexHint[] = [];
    const from = this.clause(spec.from, `${field}.from`, 'source', id, (entry) => entry.source, SOURCE_FIELDS);
    const to = this.clause(spec.to, `${field}.to`, 'operation', id, (entry) => entry.operation, OPERATION_FIELDS);
    for (const clause of [from, to]) {
      if (clause === undefined) continue;
      predicates.push(clause.predicate);
      hints.push(...clause.hints);
    }
    (spec.when ?? []).forEach((condition, index) => {
      for (const match of this.condition(condition, `${field}.when[${index}]`, id)) {
        predicates.push(match.predicate);
        if (match.hint !== undefined) hints.push(match.hint);
      }
    });
    return { matches: allOf(predicates), hint: bestHint(hints) };
  }

  /** `from` / `to`: entries OR'ed, each entry's fields AND'ed. Absent: no constraint. */
  private clause<E, S extends object>(
    entries: readonly E[] | undefined,
    field: string,
    part: 'source' | 'operation',
    id: string,
    body: (entry: E) => S | undefined,
    table: FieldTable<S>,
  ): CompiledClause | undefined {
    if (entries === undefined) return undefined;
    const list = field.slice(field.lastIndexOf('.') + 1);
    if (entries.length === 0) {
      this.problems.push(problem(field, `\`${list}\` must not be empty, found in ${id}`));
      return undefined;
    }
    const alternatives: Predicate[] = [];
    let shared: Map<string, IndexHint> | undefined;
    entries.forEach((entry, index) => {
      const entryField = `${field}[${index}].${part}`;
      const spec = body(entry);
      if (spec === undefined) {
        this.problems.push(problem(entryField, `\`${list}.${part}\` must not be nil, found in ${id}`));
        return;
      }
      const matches: CompiledMatch[] = [];
      for (const [name, fact, negate] of table) {
        const match = compileMatch(fact, spec[name] as readonly string[] | undefined, negate, `${entryField}.${name}`, this.problems);
        if (match !== undefined) matches.push(this.used(match, { policy: id, field: `${entryField}.${name}` }));
      }
      if (matches.length === 0) this.problems.push(problem(entryField, `\`${list}.${part}\` must not be empty, found in ${id}`));
      alternatives.push(allOf(matches.map((match) => match.predicate)));
      shared = intersectHints(shared, matches);
    });
    return { predicate: alternatives.length === 0 ? () => false : anyOf(alternatives), hints: [...(shared?.values() ?? [])] };
  }

  private condition(spec: ConditionSpec, field: string, id: string): CompiledMatch[] {
    if (spec.key === '') {
      this.problems.push(problem(`${field}.key`, `\`key\` must not be empty, found in ${id}`));
      return [];
    }
    if ((spec.values ?? []).length === 0 && (spec.notValues ?? []).length === 0) {
      this.problems.push(problem(field, `at least one of \`values\` or \`notValues\` must be set for key ${spec.key}, found in ${id}`));
      return [];
    }
    const parsed = parseWhenKey(spec.key);
    if (!parsed.ok) {
      this.problems.push(problem(`${field}.key`, `invalid \`key\` ${spec.key}: ${parsed.message}, found in ${id}`));
      return [];
    }
    const matches: CompiledMatch[] = [];
    const values = compileMatch(parsed.fact, spec.values, false, `${field}.values`, this.problems);
    const notValues = compileMatch(parsed.fact, spec.notValues, true, `${field}.notValues`, this.problems);
    if (values !== undefined) matches.push(this.used(values, { policy: id, field: `${field}.key` }));
    if (notValues !== undefined) matches.push(this.used(notValues, { policy: id, field: `${field}.key` }));
    return matches;
  }

  private used(match: CompiledMatch, use: FactUse): CompiledMatch {
    if (match.needs !== undefined && !this.needs.has(match.needs)) this.needs.set(match.needs, use);
    return match;
  }
}

/** The hints every entry of a clause has (by fact), their value sets united. */
function intersectHints(shared: Map<string, IndexHint> | undefined, matches: readonly CompiledMatch[]): Map<string, IndexHint> {
  const mine = new Map<string, IndexHint>();
  for (const match of matches) if (match.hint !== undefined && !mine.has(match.hint.fact.key)) mine.set(match.hint.fact.key, match.hint);
  if (shared === undefined) return mine;
  const out = new Map<string, IndexHint>();
  for (const [key, hint] of shared) {
    const other = mine.get(key);
    if (other !== undefined) out.set(key, { fact: hint.fact, values: new Set([...hint.values, ...other.values]) });
  }
  return out;
}

/** The most selective hint (principals before paths before methods), then the fewest values. */
function bestHint(hints: readonly IndexHint[]): IndexHint | undefined {
  let best: IndexHint | undefined;
  for (const hint of hints) {
    if (best === undefined || hint.fact.selectivity < best.fact.selectivity || (hint.fact.selectivity === best.fact.selectivity && hint.values.size < best.values.size)) {
      best = hint;
    }
  }
  return best;
}
