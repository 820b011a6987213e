import type { JsonValue } from '../attribute/format.js';

/** Why a rule's group was or was not dispatched. */
export interface RuleDecision {
  readonly rule: string;
  readonly handler: string;
  readonly template: string;
  readonly match: string;
  readonly matched: boolean;
  /** `no match expression`, `match is true`, `match is false`, or the evaluation error. */
  readonly reason: string;
}

export interface BuiltInstance {
  readonly instance: string;
  readonly handler: string;
  readonly value: JsonValue;
}

export interface HandlerAnswer {
  readonly handler: string;
  readonly instance: string;
  readonly answer: JsonValue;
}

/**
 * A record of how one Check was decided, filled only when asked for (`mixer check --explain`):
 * which rules were considered and why they matched or not, the instances built, what each
 * handler answered, and how the answers were combined.
 */
export class ExplainTrace {
  namespace = '';
  readonly rules: RuleDecision[] = [];
  readonly instances: BuiltInstance[] = [];
  readonly answers: HandlerAnswer[] = [];
  readonly headerRules: RuleDecision[] = [];
  readonly quotas: { quota: string; decision: string }[] = [];
  readonly combination: string[] = [];

  toJSON(): JsonValue {
    return {
      namespace: this.namespace,
      rules: this.rules.map((rule) => ({ ...rule })),
      instances: this.instances.map((instance) => ({ ...instance })),
      answers: this.answers.map((answer) => ({ ...answer })),
      headerRules: this.headerRules.map((rule) => ({ ...rule })),
      quotas: this.quotas.map((quota) => ({ ...quota })),
      combination: [...this.combination],
    };
  }
}
