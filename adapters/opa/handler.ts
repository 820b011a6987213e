import type { AuthorizationInstance } from '../../templates/definitions.js';
import type { CheckResult } from '../../templates/handler-contract.js';
import type { HandlerFor } from '../sdk/adapter-info.js';
import { verdictOf, type DecisionMaker } from './decision.js';
import { authorizationInput } from './input-document.js';
import type { OpaMetrics } from './policy-metrics.js';
import type { PolicySupply } from './policy-state.js';

/**
 * Answers authorization checks with the serving Rego policy: the instance becomes the input
 * document, the entrypoint is evaluated in process, and its value becomes the answer (see
 * DecisionMaker). With no policy loaded the fail policy answers, naming why.
 */
export class OpaHandler implements HandlerFor<'authorization'> {
  constructor(
    private readonly policies: PolicySupply & { close?(): void },
    private readonly decisions: DecisionMaker,
    private readonly metrics: OpaMetrics,
  ) {}

  handleAuthorization(instance: AuthorizationInstance): CheckResult {
    const policy = this.policies.current;
    if (policy === undefined) {
      this.metrics.problems.inc();
      return this.decisions.undecided(this.policies.unavailableReason);
    }
    const verdict = verdictOf(policy.query(authorizationInput(instance)), policy.entrypoint);
    if (verdict.kind === 'undecided') this.metrics.problems.inc();
    return this.decisions.answer(verdict);
  }

  close(): void {
    this.policies.close?.();
  }
}
