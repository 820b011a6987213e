import { RpcCode } from '../../core/status/rpc-code.js';
import { OK_STATUS, rpcStatus } from '../../core/status/rpc-status.js';
import type { CheckResult } from '../../templates/handler-contract.js';
import type { QueryOutcome } from './wasm-policy.js';

/** How answers are made: which policy is asked, what to do when it cannot decide, how long answers last. */
export interface DecisionSettings {
  /** The entrypoint (`mixerauthz/allow`). */
  readonly entrypoint: string;
  /** The policy's name in messages (its file name, or `params.policy`). */
  readonly policyName: string;
  /** Deny (PERMISSION_DENIED) rather than allow when the policy cannot decide. */
  readonly failClose: boolean;
  /** How long, and for how many uses, a decision of the policy may be cached. */
  readonly validDurationMs: number;
  readonly validUseCount: number;
}

/** What the policy's value means: allow, deny (with the policy's reason, if it gave one), or no decision (why). */
export type Verdict =
  | { readonly kind: 'allow' }
  | { readonly kind: 'deny'; readonly reason: string | undefined }
  | { readonly kind: 'undecided'; readonly why: string };

/**
 * Reads the entrypoint's value: `true` or `{allow: true}` allows; `false` or `{allow: false}`
 * denies, with the object's `reason` (a string, or a list of strings) if any; anything else is
 * no decision.
 */
export function verdictOf(outcome: QueryOutcome, entrypoint: string): Verdict {
  if (!outcome.ok) return { kind: 'undecided', why: outcome.message };
  const value = outcome.value;
  if (value === true) return { kind: 'allow' };
  if (value === false) return { kind: 'deny', reason: undefined };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { allow, reason } = value as { allow?: unknown; reason?: unknown };
    if (allow === true) return { kind: 'allow' };
    if (allow === false) return { kind: 'deny', reason: reasonText(reason) };
  }
  return { kind: 'undecided', why: `${entrypoint} is ${preview(value)}, not a boolean or {allow: boolean}` };
}

/**
 * Turns verdicts into check results. An allow is OK and a deny PERMISSION_DENIED, both valid
 * for the configured duration and use count; a deny names the policy and entrypoint, and adds
 * the policy's reason. No decision (no policy, an evaluation error, an unexpected value) is
 * answered by `failClose` (PERMISSION_DENIED, or OK) with a message saying why, and is not
 * cacheable, so a fixed policy takes effect at once.
 */
export class DecisionMaker {
  private readonly allowed: CheckResult;
  private readonly rejectedBy: string;

  constructor(readonly settings: DecisionSettings) {
    this.allowed = Object.freeze({ status: OK_STATUS, validDurationMs: settings.validDurationMs, validUseCount: settings.validUseCount });
    this.rejectedBy = `opa: request was rejected by ${settings.entrypoint} (${settings.policyName})`;
  }

  decide(outcome: QueryOutcome): CheckResult {
    return this.answer(verdictOf(outcome, this.settings.entrypoint));
  }

  answer(verdict: Verdict): CheckResult {
    switch (verdict.kind) {
      case 'allow':
        return this.allowed;
      case 'deny':
        return {
          status: rpcStatus(RpcCode.PERMISSION_DENIED, verdict.reason === undefined ? this.rejectedBy : `${this.rejectedBy}: ${verdict.reason}`),
          validDurationMs: this.settings.validDurationMs,
          validUseCount: this.settings.validUseCount,
        };
      case 'undecided':
        return this.undecided(verdict.why);
    }
  }

  /** The answer when the policy cannot decide, for the reason `why`. */
  undecided(why: string): CheckResult {
    const status = this.settings.failClose
      ? rpcStatus(RpcCode.PERMISSION_DENIED, `opa: request was rejected because the policy could not decide (failClose): ${why}`)
      : rpcStatus(RpcCode.OK, `opa: request was allowed although the policy could not decide (failClose is false): ${why}`);
    return { status, validDurationMs: 0, validUseCount: 0 };
  }
}

function reasonText(reason: unknown): string | undefined {
  if (typeof reason === 'string') return reason === '' ? undefined : reason;
  if (Array.isArray(reason)) {
    const parts = reason.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).filter((part) => part !== '');
    return parts.length === 0 ? undefined : parts.sort().join('; ');
  }
  if (reason === undefined || reason === null) return undefined;
  return JSON.stringify(reason);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
