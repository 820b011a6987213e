import { refusalBy, type Refusal } from './denial-messages.js';
import type { CompiledPolicy } from './policy-compiler.js';
import { RuleIndex } from './rule-index.js';

/** The policies sharing one scope (mesh or a namespace) and one selector, their rules indexed. */
export class PolicyGroup {
  readonly deny: RuleIndex;
  readonly allow: RuleIndex;
  /** The ALLOW policies, in config order: any of them makes ALLOW decide for the workload. */
  readonly allowPolicies: readonly CompiledPolicy[];
  /** When the group has ALLOW policies: the refusal when only they applied and none matched. */
  readonly refusal: Refusal | undefined;

  constructor(
    /** Unique among the groups of a WorkloadIndex: the scope and the selector. */
    readonly key: string,
    readonly selector: readonly (readonly [string, string])[],
    policies: readonly CompiledPolicy[],
  ) {
    this.deny = new RuleIndex(policies.filter((policy) => policy.action === 'DENY').flatMap((policy) => policy.rules));
    this.allowPolicies = policies.filter((policy) => policy.action === 'ALLOW');
    this.allow = new RuleIndex(this.allowPolicies.flatMap((policy) => policy.rules));
    this.refusal = this.allowPolicies.length === 0 ? undefined : refusalBy(this.allowPolicies);
  }

  selects(labelOf: (key: string) => string | undefined): boolean {
    for (const [key, value] of this.selector) if (labelOf(key) !== value) return false;
    return true;
  }
}

/** The groups of one scope: one without a selector, the rest filed by their first label. */
class Scope {
  private readonly unselected: PolicyGroup | undefined;
  /** label key → label value → groups whose selector has that label first (sorted by key). */
  private readonly selected: ReadonlyMap<string, ReadonlyMap<string, readonly PolicyGroup[]>>;
  readonly groups: readonly PolicyGroup[];

  constructor(name: string, policies: readonly CompiledPolicy[]) {
    const bySelector = new Map<string, CompiledPolicy[]>();
    for (const policy of policies) {
      const key = JSON.stringify(policy.selector);
      const list = bySelector.get(key);
      if (list === undefined) bySelector.set(key, [policy]);
      else list.push(policy);
    }
    const groups = [...bySelector].map(([selector, list]) => new PolicyGroup(`${name} ${selector}`, list[0]!.selector, list));
    const selected = new Map<string, Map<string, PolicyGroup[]>>();
    let unselected: PolicyGroup | undefined;
    for (const group of groups) {
      const first = group.selector[0];
      if (first === undefined) {
        unselected = group;
        continue;
      }
      const [key, value] = first;
      let byValue = selected.get(key);
      if (byValue === undefined) selected.set(key, (byValue = new Map<string, PolicyGroup[]>()));
      const list = byValue.get(value);
      if (list === undefined) byValue.set(value, [group]);
      else list.push(group);
    }
    this.unselected = unselected;
    this.selected = selected;
    this.groups = groups;
  }

  collect(labelOf: (key: string) => string | undefined, out: PolicyGroup[]): void {
    if (this.unselected !== undefined) out.push(this.unselected);
    for (const [key, byValue] of this.selected) {
      const value = labelOf(key);
      if (value === undefined) continue;
      const candidates = byValue.get(value);
      if (candidates === undefined) continue;
      for (const group of candidates) if (group.selects(labelOf)) out.push(group);
    }
  }
}

/**
 * Finds the policies that apply to a workload, as Istio does: mesh-wide ones (no namespace,
 * or the root namespace) and those of the workload's namespace, whose selector (if any) the
 * workload's labels satisfy. A request costs one map lookup per namespace and per distinct
 * first selector label, however many policies there are.
 */
export class WorkloadIndex {
  private readonly mesh: Scope;
  private readonly namespaces: ReadonlyMap<string, Scope>;

  constructor(policies: readonly CompiledPolicy[]) {
    const byNamespace = new Map<string, CompiledPolicy[]>();
    const mesh: CompiledPolicy[] = [];
    for (const policy of policies) {
      if (policy.meshWide || policy.namespace === undefined) {
        mesh.push(policy);
        continue;
      }
      const list = byNamespace.get(policy.namespace);
      if (list === undefined) byNamespace.set(policy.namespace, [policy]);
      else list.push(policy);
    }
    this.mesh = new Scope('', mesh);
    this.namespaces = new Map([...byNamespace].map(([namespace, list]) => [namespace, new Scope(namespace, list)]));
  }

  /** The groups applying to a workload in `namespace` (undefined: only mesh-wide ones) with labels `labelOf`. */
  groupsFor(namespace: string | undefined, labelOf: (key: string) => string | undefined): PolicyGroup[] {
    const groups: PolicyGroup[] = [];
    this.mesh.collect(labelOf, groups);
    if (namespace !== undefined) this.namespaces.get(namespace)?.collect(labelOf, groups);
    return groups;
  }

  /** Every group (for tests and debugging). */
  get allGroups(): readonly PolicyGroup[] {
    return [...this.mesh.groups, ...[...this.namespaces.values()].flatMap((scope) => scope.groups)];
  }
}
