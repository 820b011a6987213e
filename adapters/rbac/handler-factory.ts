import { RbacHandler } from './handler.js';
import type { RbacParams } from './params.js';
import { compilePolicies } from './policy-compiler.js';
import { AuthorizationPolicyEngine } from './policy-engine.js';
import { ServiceRoleEngine } from './role-engine.js';

/**
 * Builds the handler for validated params: policies compiled and indexed, ServiceRoles
 * compiled when `roles` or `bindings` are set, and the decision validity (Istio rbac's
 * `cacheDuration` wins over `validDuration`). All the work a decision does not repeat.
 */
export function buildRbacHandler(params: RbacParams): RbacHandler {
  const policies = compilePolicies(params.policies, params.rootNamespace).policies;
  const roles = params.roles === undefined && params.bindings === undefined ? undefined : ServiceRoleEngine.compile(params.roles ?? [], params.bindings ?? []).engine;
  const validDuration = params.cacheDuration ?? params.validDuration;
  return new RbacHandler(new AuthorizationPolicyEngine(policies), roles, { validDurationMs: validDuration.toMillis(), validUseCount: params.validUseCount });
}
