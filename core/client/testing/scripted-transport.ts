import type { AttributeBag } from '../../attribute/bag.js';
import { ReferenceCondition, type AttributeReference } from '../../attribute/referenced-attributes.js';
import type { RouteDirective } from '../../runtime/check-outcome.js';
import { RpcCode } from '../../status/rpc-code.js';
import { OK_STATUS, rpcStatus, type RpcStatus } from '../../status/rpc-status.js';
import {
  TransportError,
  type MixerTransport,
  type TransportCheckRequest,
  type TransportCheckResponse,
  type TransportPrecondition,
  type TransportQuotaResult,
} from '../transport.js';

// A scripted transport standing in for Mixer: it answers each Check with whatever the test
// chose (status, lifetime, referenced attributes, quota grants) and records every call. The
// client tests use it to pin the client's own algorithm (cache keys, lifetimes, prefetch),
// independently of how a real Mixer would evaluate its rules.

/** `name`, `-name` (absent), `map[key]`, `-map[key]`, `~name` (REGEX): the compact reference text. */
export function refs(...texts: string[]): AttributeReference[] {
  return texts.map((text) => {
    let condition = ReferenceCondition.EXACT;
    let body = text;
    if (text.startsWith('-')) {
      condition = ReferenceCondition.ABSENCE;
      body = text.slice(1);
    } else if (text.startsWith('~')) {
      condition = ReferenceCondition.REGEX;
      body = text.slice(1);
    }
    const match = /^([^[]+)\[(.*)\]$/.exec(body);
    return match === null ? { name: body, condition } : { name: match[1]!, mapKey: match[2]!, condition };
  });
}

export interface PreconditionScript {
  readonly status?: RpcStatus;
  readonly validDurationMs?: number | undefined;
  readonly validUseCount?: number;
  readonly referenced?: readonly AttributeReference[];
  readonly referencedValid?: boolean;
  readonly routeDirective?: RouteDirective;
}

export function precondition(script: PreconditionScript = {}): TransportPrecondition {
  return {
    status: script.status ?? OK_STATUS,
    validDurationMs: 'validDurationMs' in script ? script.validDurationMs : 60_000,
    validUseCount: script.validUseCount ?? 10_000,
    referenced: script.referenced ?? [],
    referencedValid: script.referencedValid ?? true,
    routeDirective: script.routeDirective,
  };
}

export function quotaResult(grantedAmount: number, script: { validDurationMs?: number | undefined; referenced?: readonly AttributeReference[]; status?: RpcStatus } = {}): TransportQuotaResult {
  return {
    status: script.status ?? OK_STATUS,
    grantedAmount,
    validDurationMs: 'validDurationMs' in script ? script.validDurationMs : 60_000,
    referenced: script.referenced ?? [],
    referencedValid: true,
  };
}

/** What the script answers: a response, or a TransportError to throw. */
export type Answer = TransportCheckResponse | TransportError;
export type CheckScript = (request: TransportCheckRequest, call: number) => Answer;

export interface RecordedCheck {
  readonly request: TransportCheckRequest;
  readonly signal: AbortSignal | undefined;
}

/** A call held until the test releases it (to observe in-flight behaviour). */
export interface HeldCall {
  readonly request: TransportCheckRequest;
  release(answer?: Answer): void;
}

export class ScriptedTransport implements MixerTransport {
  readonly checks: RecordedCheck[] = [];
  readonly reports: (readonly AttributeBag[])[] = [];
  /** Report calls that failed on purpose, in order. */
  readonly failedReports: (readonly AttributeBag[])[] = [];
  readonly held: HeldCall[] = [];
  /** When true, Check calls wait for `held[i].release()`. */
  hold = false;
  /** Each Report call takes the next answer (undefined: success); past the list, success. */
  reportAnswers: (TransportError | undefined)[] = [];
  closed = false;

  constructor(public script: CheckScript = () => ({ precondition: precondition(), quotas: new Map() })) {}

  check(request: TransportCheckRequest, signal?: AbortSignal): Promise<TransportCheckResponse> {
    this.checks.push({ request, signal });
    const call = this.checks.length - 1;
    const settle = (answer: Answer): Promise<TransportCheckResponse> => (answer instanceof TransportError ? Promise.reject(answer) : Promise.resolve(answer));
    if (!this.hold) return settle(this.script(request, call));
    return new Promise((resolve, reject) => {
      this.held.push({
        request,
        release: (answer) => {
          settle(answer ?? this.script(request, call)).then(resolve, reject);
        },
      });
    });
  }

  report(batch: readonly AttributeBag[]): Promise<void> {
    const answer = this.reportAnswers.shift();
    if (answer !== undefined) {
      this.failedReports.push(batch);
      return Promise.reject(answer);
    }
    this.reports.push(batch);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Check calls whose request asked for quota `name`. */
  quotaCalls(name: string): RecordedCheck[] {
    return this.checks.filter((check) => check.request.quotas.has(name));
  }
}

/** UNAVAILABLE after the request may have reached Mixer (a connection lost under the call). */
export const unavailable = (message = 'upstream connect error or disconnect/reset before headers'): TransportError => new TransportError(RpcCode.UNAVAILABLE, message);

/** UNAVAILABLE with nothing sent: no connection could be made (Mixer down or restarting). */
export const connectionRefused = (): TransportError => new TransportError(RpcCode.UNAVAILABLE, 'UNAVAILABLE: connect ECONNREFUSED', { unsent: true });

export function denied(code: RpcCode, message: string): RpcStatus {
  return rpcStatus(code, message);
}
