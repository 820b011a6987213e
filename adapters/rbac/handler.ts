import { RpcCode } from '../../core/status/rpc-code.js';
import { OK_STATUS, rpcStatus } from '../../core/status/rpc-status.js';
import type { AuthorizationInstance } from '../../templates/definitions.js';
import type { CheckResult } from '../../templates/handler-contract.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import { PERMISSION_DENIED_MESSAGE } from './denial-messages.js';
import type { AuthorizationPolicyEngine } from './policy-engine.js';
import { RequestFacts } from './request-facts.js';
import type { ServiceRoleEngine } from './role-engine.js';

/** How long and how often a decision may be reused: it depends only on the instance. */
export interface Validity {
  readonly validDurationMs: number;
  readonly validUseCount: number;
}

/**
 * Decides authorization instances: AuthorizationPolicies first (a matching DENY denies, ALLOW
 * policies on the workload must match), then, when configured and no policy decided,
 * ServiceRoles; with neither the request is allowed. Denials are PERMISSION_DENIED naming the
 * policy; every answer carries the configured validity. Answers are frozen and shared: their
 * messages come from config, so there is one per rule or set of policies.
 */
export class RbacHandler implements HandlerFor<'authorization'> {
  private readonly allowed: CheckResult;
  private readonly roleDenial: CheckResult;
  /** Denials by message (bounded by config: one per DENY rule or refusing set of policies). */
  private readonly denials = new Map<string, CheckResult>();

  constructor(
    private readonly policies: AuthorizationPolicyEngine,
    private readonly roles: ServiceRoleEngine | undefined,
    private readonly validity: Validity,
  ) {
    this.allowed = Object.freeze({ status: OK_STATUS, ...validity });
    this.roleDenial = this.denial(PERMISSION_DENIED_MESSAGE);
  }

  handleAuthorization(instance: AuthorizationInstance): CheckResult {
    const facts = new RequestFacts(instance);
    const decision = this.policies.evaluate(facts);
    switch (decision.kind) {
      case 'denied':
        return this.denial(decision.rule.denial);
      case 'not-allowed':
        return this.denial(decision.refusal.message);
      case 'allowed':
        return this.allowed;
      case 'no-policy':
        if (this.roles === undefined || this.roles.allows(facts, decision.stats)) return this.allowed;
        return this.roleDenial;
    }
  }

  private denial(message: string): CheckResult {
    let result = this.denials.get(message);
    if (result === undefined) {
      result = Object.freeze({ status: Object.freeze(rpcStatus(RpcCode.PERMISSION_DENIED, message)), ...this.validity });
      this.denials.set(message, result);
    }
    return result;
  }
}
