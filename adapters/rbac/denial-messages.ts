import type { CompiledPolicy } from './policy-compiler.js';

// The messages of rbac's denials (PERMISSION_DENIED), each naming what denied the request.
// They depend only on config, so they are built once per rule or per set of policies.

/** How many considered policies a denial message names before it just counts the rest. */
export const MAX_NAMED_POLICIES = 5;

/** Mixer's rbac adapter message for every ServiceRole denial. */
export const PERMISSION_DENIED_MESSAGE = 'RBAC: permission denied.';

/** A DENY policy's rule matched: `policyId` is `namespace/name` (just `name` without a namespace). */
export function deniedByMessage(policyId: string, ruleIndex: number): string {
  return `RBAC: access denied by DENY policy ${policyId} (rules[${ruleIndex}])`;
}

/** ALLOW policies applied to the workload and none matched; they are named in config order. */
export function notAllowedMessage(consideredIds: readonly string[]): string {
  const names = consideredIds.slice(0, MAX_NAMED_POLICIES);
  const more = consideredIds.length - names.length;
  return `RBAC: access denied: no ALLOW policy matched (considered ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''})`;
}

/** Why no ALLOW policy admitted a request: the policies considered, and the message naming them. */
export interface Refusal {
  readonly considered: readonly CompiledPolicy[];
  readonly message: string;
}

/** The refusal by `considered` (sorted here into config order). */
export function refusalBy(considered: readonly CompiledPolicy[]): Refusal {
  const sorted = [...considered].sort((a, b) => a.order - b.order);
  return Object.freeze({ considered: Object.freeze(sorted), message: notAllowedMessage(sorted.map((policy) => policy.id)) });
}
