import { refusalBy, type Refusal } from './denial-messages.js';
import type { CompiledPolicy, CompiledRule } from './policy-compiler.js';
import type { RequestFacts } from './request-facts.js';
import type { EvaluationStats } from './rule-index.js';
import { WorkloadIndex, type PolicyGroup } from './workload-index.js';

/** How many refusals by several policy groups at once are remembered (they depend only on config). */
const MAX_CACHED_REFUSALS = 1024;

/** What the AuthorizationPolicy layer decided for one request. */
export type PolicyDecision =
  /** A DENY policy matched (the first one in config order); its message is `rule.denial`. */
  | { readonly kind: 'denied'; readonly rule: CompiledRule; readonly stats: EvaluationStats }
  /** An ALLOW policy matched. */
  | { readonly kind: 'allowed'; readonly stats: EvaluationStats }
  /** ALLOW policies apply to the workload and none matched. */
  | { readonly kind: 'not-allowed'; readonly refusal: Refusal; readonly stats: EvaluationStats }
  /** No DENY matched and no ALLOW policy applies: the policies have no say. */
  | { readonly kind: 'no-policy'; readonly stats: EvaluationStats };

/**
 * Istio's AuthorizationPolicy evaluation over precompiled policies: any matching DENY policy
 * denies; otherwise, if ALLOW policies apply to the workload, one of them must match; with no
 * ALLOW policy the request is not decided here (rbac then allows it, or asks ServiceRoles).
 */
export class AuthorizationPolicyEngine {
  private readonly index: WorkloadIndex;
  /** Refusals by more than one group, keyed by their groups' keys. */
  private readonly refusals = new Map<string, Refusal>();
  readonly policyCount: number;

  constructor(policies: readonly CompiledPolicy[]) {
    this.index = new WorkloadIndex(policies);
    this.policyCount = policies.length;
  }

  evaluate(facts: RequestFacts): PolicyDecision {
    const stats: EvaluationStats = { rulesEvaluated: 0 };
    if (this.policyCount === 0) return { kind: 'no-policy', stats };
    const groups = this.index.groupsFor(facts.workloadNamespace, (key) => facts.label(key));
    let denied: CompiledRule | undefined;
    for (const group of groups) {
      denied = group.deny.first(facts, stats, denied?.order) ?? denied;
    }
    if (denied !== undefined) return { kind: 'denied', rule: denied, stats };
    let refusing: PolicyGroup | undefined;
    let refusingCount = 0;
    for (const group of groups) {
      if (group.refusal === undefined) continue;
      if (group.allow.any(facts, stats)) return { kind: 'allowed', stats };
      refusing = group;
      refusingCount++;
    }
    if (refusing === undefined) return { kind: 'no-policy', stats };
    const refusal = refusingCount === 1 ? refusing.refusal! : this.refusalOf(groups);
    return { kind: 'not-allowed', refusal, stats };
  }

  /** The refusal by every group with ALLOW policies, built once per combination of groups. */
  private refusalOf(groups: readonly PolicyGroup[]): Refusal {
    const refusing = groups.filter((group) => group.refusal !== undefined);
    const key = refusing.map((group) => group.key).join('\n');
    let refusal = this.refusals.get(key);
    if (refusal === undefined) {
      refusal = refusalBy(refusing.flatMap((group) => group.allowPolicies));
      if (this.refusals.size < MAX_CACHED_REFUSALS) this.refusals.set(key, refusal);
    }
    return refusal;
  }

  /** The index, for tests that check how policies were filed. */
  get workloads(): WorkloadIndex {
    return this.index;
  }
}
