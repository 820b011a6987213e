import type { Logger } from 'pino';
import type { CallContext, CheckResult, QuotaArgs, QuotaResult } from '../../templates/handler-contract.js';
import type { InstanceBuilder } from '../../templates/instance-builder.js';
import type { TemplateInstance } from '../../templates/template.js';
import type { AttributeBag } from '../attribute/bag.js';
import { TrackingBag } from '../attribute/tracking-bag.js';
import { MixerError } from '../errors/mixer-error.js';
import { RemoteCallError } from '../oop/remote-call-error.js';
import { ExpressionEvaluationError } from '../expr/errors.js';
import { mixerHttpStatusForRpcCode, RpcCode } from '../status/rpc-code.js';
import { describeStatus, OK_STATUS, type RpcStatus } from '../status/rpc-status.js';
import {
  DEFAULT_VALID_DURATION_MS,
  type CheckOutcome,
  type HeaderOperation,
  type QuotaOutcome,
  type QuotaRequest,
  type RouteDirective,
} from './check-outcome.js';
import { combineCheckResults, type AttributedCheckResult } from './check-combiner.js';
import { DeadlineExceededError, DeadlineTracker } from './deadline-tracker.js';
import { NO_OBSERVER, type CallOutcome, type DispatchObserver, type DispatchVariety, type HandlerCallStats } from './dispatch-observer.js';
import type { ExplainTrace } from './explain-trace.js';
import { evaluateHeaderOperations } from './header-operations.js';
import { instanceToJson } from './instance-json.js';
import { HeaderOperationKind } from '../config/snapshot.js';
import { requestNamespace } from './request-namespace.js';
import type { MatchIndex, Matchable, MatchVisitor } from './match-index.js';
import type { Destination, InstanceGroup, NamespaceRoutes, QuotaRoute, Route, RoutingTable } from './routing-table.js';

/** A Check whose instances could not be built: the whole Check fails (Istio answered INTERNAL). */
export class DispatchError extends MixerError {
  constructor(message: string) {
    super('MIXER_ERR_DISPATCH', message);
  }
}

/** A routing table held for the length of one call; released when the call is done. */
export interface RoutingLease {
  readonly table: RoutingTable;
  release(): void;
}

/** Where the dispatcher gets the current routing table from (the runtime, which swaps it). */
export interface RoutingSource {
  acquire(): RoutingLease;
}

export interface DispatcherOptions {
  readonly logger: Logger;
  /** How long a handler may take to answer before it counts as failed. */
  readonly handlerTimeoutMs?: number;
  readonly observer?: DispatchObserver;
  readonly clock?: () => number;
}

/** What a Report call did. */
export interface ReportOutcome {
  readonly instances: number;
  readonly handlerCalls: number;
  readonly errors: readonly string[];
}

const NO_QUOTAS: ReadonlyMap<string, QuotaOutcome> = new Map();
const EMPTY_CONTEXT: CallContext = Object.freeze({ deduplicationId: '' });

/**
 * Dispatches Check, quota and Report calls over the current routing table (Istio's
 * dispatcher): evaluates each rule's precompiled match, builds instances, calls handlers
 * concurrently with a per-call deadline, and combines the answers. A handler that throws,
 * rejects or times out becomes a status for that handler, logged and counted; it never takes
 * the call down.
 */
export class Dispatcher {
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly observer: DispatchObserver;
  private readonly deadlines: DeadlineTracker;
  private readonly warned = new Map<string, number>();
  private readonly stats = new WeakMap<Destination, HandlerCallStats>();

  constructor(
    private readonly routing: RoutingSource,
    options: DispatcherOptions,
  ) {
    this.logger = options.logger;
    this.timeoutMs = options.handlerTimeoutMs ?? 1000;
    this.observer = options.observer ?? NO_OBSERVER;
    this.deadlines = new DeadlineTracker(10, options.clock);
  }

  close(): void {
    this.deadlines.close();
  }

  /**
   * Runs the precondition check and, when it is OK, allocates the requested quotas. The
   * outcome carries what the evaluation read (for caching), the route directive and one
   * answer per quota. Throws DispatchError when an instance cannot be built.
   */
  async check(
    bag: AttributeBag,
    quotas: ReadonlyMap<string, QuotaRequest> = new Map(),
    deduplicationId = '',
    trace?: ExplainTrace,
  ): Promise<CheckOutcome> {
    const lease = this.routing.acquire();
    try {
      const checkBag = new TrackingBag(bag);
      const namespace = requestNamespace(checkBag);
      const routes = lease.table.routesFor(namespace);
      if (trace !== undefined) trace.namespace = namespace;
      const context: CallContext = deduplicationId === '' ? EMPTY_CONTEXT : { deduplicationId };

      const answers: (AttributedCheckResult | Promise<AttributedCheckResult>)[] = [];
      let anyAsync = false;
      let buildErrors: string[] | undefined;
      walk(routes.check, checkBag, trace, ({ destination, group }: Route) => {
        if (!this.matches(group, checkBag, destination, trace)) return;
        for (const builder of group.builders) {
          let instance: TemplateInstance;
          try {
            instance = builder.build(checkBag);
          } catch (error) {
            (buildErrors ??= []).push(this.instanceFailure(builder, error));
            continue;
          }
          trace?.instances.push({ instance: builder.instanceName, handler: destination.handlerName, value: instanceToJson(instance) });
          const answer = this.invokeCheck(destination, instance, context, trace);
          if (answer instanceof Promise) anyAsync = true;
          answers.push(answer);
        }
      });
      if (buildErrors !== undefined) throw new DispatchError(`performing check operation failed: ${buildErrors.join('; ')}`);
      const results = anyAsync ? await Promise.all(answers.map((answer) => Promise.resolve(answer))) : (answers as AttributedCheckResult[]);
      const combined = combineCheckResults(results);
      if (trace !== undefined) {
        trace.combination.push(
          results.length === 0
            ? 'no check handler applied: OK for 60000 ms and 10000 uses (Istio default)'
            : `${results.length} answer(s): status ${describeStatus(combined.status)} (first non-OK wins), valid ${combined.validDurationMs} ms / ${combined.validUseCount} uses (minimum of all)`,
        );
      }

      const ok = combined.status.code === RpcCode.OK;
      const routeDirective = ok ? this.headerDirective(routes, checkBag, trace) : directResponseDirective(combined.status);
      const quotaOutcomes = ok && quotas.size > 0 ? await this.allocateQuotas(bag, routes.hasQuota ? lease.table : undefined, quotas, deduplicationId, trace) : NO_QUOTAS;
      return {
        status: combined.status,
        validDurationMs: combined.validDurationMs,
        validUseCount: combined.validUseCount,
        referenced: checkBag.referenced,
        routeDirective,
        quotas: quotaOutcomes,
      };
    } finally {
      lease.release();
    }
  }

  /**
   * Dispatches a batch of reports: instances are buffered per destination over the whole batch,
   * then each handler gets one call with all of its instances. Failures are logged, counted and
   * returned, never thrown. Resolves only once every handler call has returned (or failed, or
   * timed out): the APIs answer a Report after that, so an acknowledged Report has been
   * delivered to its handlers, in whatever sense each handler's call gives (stdio: written to
   * the OS; a buffering adapter: taken into its buffer).
   */
  async report(bags: readonly AttributeBag[]): Promise<ReportOutcome> {
    const lease = this.routing.acquire();
    try {
      const buffers = new Map<Destination, TemplateInstance[]>();
      const errors: string[] = [];
      let instances = 0;
      for (const bag of bags) {
        const routes = lease.table.routesFor(requestNamespace(bag));
        routes.report.forEachCandidate(bag, ({ destination, group }) => {
          if (!this.matches(group, bag, destination, undefined)) return;
          for (const builder of group.builders) {
            try {
              const instance = builder.build(bag);
              let buffer = buffers.get(destination);
              if (buffer === undefined) {
                buffer = [];
                buffers.set(destination, buffer);
              }
              buffer.push(instance);
              instances++;
            } catch (error) {
              errors.push(this.instanceFailure(builder, error));
            }
          }
        });
      }
      const calls = [...buffers].map(([destination, buffered]) => this.invokeReport(destination, buffered));
      for (const failure of await Promise.all(calls)) if (failure !== undefined) errors.push(failure);
      return { instances, handlerCalls: buffers.size, errors };
    } finally {
      lease.release();
    }
  }

  private matches(group: InstanceGroup, bag: AttributeBag, destination: Destination, trace: ExplainTrace | undefined): boolean {
    const condition = group.condition;
    if (condition === undefined) {
      trace?.rules.push(decision(group, destination, true, 'no match expression: always applies'));
      return true;
    }
    try {
      const matched = condition.evaluate(bag) === true;
      trace?.rules.push(decision(group, destination, matched, matched ? 'match is true' : 'match is false'));
      return matched;
    } catch (error) {
      // A match that cannot be evaluated for this request is false, as in Istio.
      const message = error instanceof Error ? error.message : String(error);
      trace?.rules.push(decision(group, destination, false, `match could not be evaluated: ${message}`));
      this.observer.conditionError(group.ruleName);
      this.warnOnce(`match:${group.ruleName}`, { rule: group.ruleName, err: message }, 'rule match could not be evaluated; treated as false');
      return false;
    }
  }

  private instanceFailure(builder: InstanceBuilder, error: unknown): string {
    if (!(error instanceof ExpressionEvaluationError)) throw error;
    this.observer.instanceError(builder.instanceName);
    this.warnOnce(`instance:${builder.instanceName}`, { instance: builder.instanceName, err: error.message }, 'instance could not be built');
    return `instance '${builder.instanceName}': ${error.message}`;
  }

  private invokeCheck(
    destination: Destination,
    instance: TemplateInstance,
    context: CallContext,
    trace: ExplainTrace | undefined,
  ): AttributedCheckResult | Promise<AttributedCheckResult> {
    const started = performance.now();
    let answer: unknown;
    try {
      answer = destination.invoke(instance, context);
    } catch (error) {
      return this.checkFailure(destination, instance, error, started, trace);
    }
    if (answer instanceof Promise) {
      return this.deadlines.track(answer as Promise<unknown>, this.timeoutMs).then(
        (value) => this.checkAnswer(destination, instance, value, started, trace),
        (error: unknown) => this.checkFailure(destination, instance, error, started, trace),
      );
    }
    return this.checkAnswer(destination, instance, answer, started, trace);
  }

  private checkAnswer(destination: Destination, instance: TemplateInstance, value: unknown, started: number, trace: ExplainTrace | undefined): AttributedCheckResult {
    if (!isCheckResult(value)) {
      return this.checkFailure(destination, instance, new Error(`handler returned an invalid check result: ${JSON.stringify(value)}`), started, trace);
    }
    this.statsFor(destination, 'check').record(elapsed(started), 'ok');
    trace?.answers.push({
      handler: destination.handlerName,
      instance: instance.name,
      answer: { status: describeStatus(value.status), validDurationMs: value.validDurationMs, validUseCount: value.validUseCount },
    });
    return { handlerName: destination.handlerName, result: value };
  }

  private checkFailure(destination: Destination, instance: TemplateInstance, error: unknown, started: number, trace: ExplainTrace | undefined): AttributedCheckResult {
    const { status } = this.failureStatus(destination, error, 'check', started);
    trace?.answers.push({ handler: destination.handlerName, instance: instance.name, answer: { status: describeStatus(status), failed: true } });
    return { handlerName: destination.handlerName, result: { status, validDurationMs: 0, validUseCount: 0 } };
  }

  private failureStatus(destination: Destination, error: unknown, variety: DispatchVariety, started: number): { status: RpcStatus; outcome: CallOutcome } {
    // An out-of-process adapter's failure carries its own code: UNAVAILABLE, DEADLINE_EXCEEDED or the remote status.
    const remoteCode = error instanceof RemoteCallError ? error.rpcCode : undefined;
    const timeout = error instanceof DeadlineExceededError || remoteCode === RpcCode.DEADLINE_EXCEEDED;
    const outcome: CallOutcome = timeout ? 'timeout' : 'error';
    this.statsFor(destination, variety).record(elapsed(started), outcome);
    const message = error instanceof Error ? error.message : String(error);
    this.warnOnce(`${variety}:${destination.handlerName}`, { handler: destination.handlerName, adapter: destination.adapterName, err: message }, `${variety} handler failed`);
    return {
      status: {
        code: timeout ? RpcCode.DEADLINE_EXCEEDED : (remoteCode ?? RpcCode.INTERNAL),
        message: error instanceof DeadlineExceededError ? `handler timed out after ${this.timeoutMs} ms` : message,
      },
      outcome,
    };
  }

  private async invokeReport(destination: Destination, instances: readonly TemplateInstance[]): Promise<string | undefined> {
    const started = performance.now();
    try {
      const answer = destination.invoke(instances);
      if (answer instanceof Promise) await this.deadlines.track(answer as Promise<unknown>, this.timeoutMs);
      this.statsFor(destination, 'report').record(elapsed(started), 'ok');
      return undefined;
    } catch (error) {
      const { status } = this.failureStatus(destination, error, 'report', started);
      return `${destination.handlerName}: ${status.message}`;
    }
  }

  private headerDirective(routes: NamespaceRoutes, bag: AttributeBag, trace: ExplainTrace | undefined): RouteDirective | undefined {
    if (routes.headerRules.size === 0) return undefined;
    const requestOperations: HeaderOperation[] = [];
    const responseOperations: HeaderOperation[] = [];
    walk(routes.headerRules, bag, trace, (rule) => {
      let matched = true;
      let reason = 'no match expression: always applies';
      if (rule.condition !== undefined) {
        try {
          matched = rule.condition.evaluate(bag) === true;
          reason = matched ? 'match is true' : 'match is false';
        } catch (error) {
          matched = false;
          reason = `match could not be evaluated: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      trace?.headerRules.push({ rule: rule.ruleName, handler: '', template: '', match: rule.condition?.text ?? '', matched, reason });
      if (!matched) return;
      evaluateHeaderOperations(rule.requestOperations, bag, requestOperations, this.logger);
      evaluateHeaderOperations(rule.responseOperations, bag, responseOperations, this.logger);
    });
    if (requestOperations.length === 0 && responseOperations.length === 0) return undefined;
    return { requestHeaderOperations: requestOperations, responseHeaderOperations: responseOperations, directResponseCode: 0, directResponseBody: '' };
  }

  private async allocateQuotas(
    bag: AttributeBag,
    table: RoutingTable | undefined,
    quotas: ReadonlyMap<string, QuotaRequest>,
    deduplicationId: string,
    trace: ExplainTrace | undefined,
  ): Promise<ReadonlyMap<string, QuotaOutcome>> {
    const outcomes = new Map<string, QuotaOutcome>();
    await Promise.all(
      [...quotas].map(async ([name, request]) => {
        outcomes.set(name, await this.allocateQuota(bag, table, name, request, deduplicationId, trace));
      }),
    );
    return outcomes;
  }

  private async allocateQuota(
    bag: AttributeBag,
    table: RoutingTable | undefined,
    name: string,
    request: QuotaRequest,
    deduplicationId: string,
    trace: ExplainTrace | undefined,
  ): Promise<QuotaOutcome> {
    const quotaBag = new TrackingBag(bag);
    const routes = table?.routesFor(requestNamespace(quotaBag));
    // The first route whose rule matches allocates.
    let route: QuotaRoute | undefined;
    const quotaRoutes = routes?.quota(name.toLowerCase());
    if (quotaRoutes !== undefined) {
      walk(quotaRoutes, quotaBag, trace, (candidate) => {
        if (!this.matches(candidate.group, quotaBag, candidate.destination, undefined)) return true;
        route = candidate;
        return false;
      });
    }
    if (route !== undefined) {
      let instance: TemplateInstance;
      try {
        instance = route.builder.build(quotaBag);
      } catch (error) {
        const message = this.instanceFailure(route.builder, error);
        trace?.quotas.push({ quota: name, decision: `instance could not be built: ${message}` });
        return { status: { code: RpcCode.INTERNAL, message }, grantedAmount: 0, validDurationMs: 0, referenced: quotaBag.referenced };
      }
      // Istio passes the request's id plus the quota name; without a request id there is nothing to deduplicate.
      const args: QuotaArgs = { deduplicationId: deduplicationId === '' ? '' : `${deduplicationId}${name}`, amount: request.amount, bestEffort: request.bestEffort };
      const result = await this.invokeQuota(route.destination, instance, args);
      trace?.quotas.push({
        quota: name,
        decision: `${route.destination.handlerName} granted ${result.grantedAmount} of ${request.amount} (${describeStatus(result.status)}), valid ${result.validDurationMs} ms`,
      });
      return { ...result, referenced: quotaBag.referenced };
    }
    trace?.quotas.push({ quota: name, decision: `no quota rule applies: granted all ${request.amount} for 60000 ms (Istio default)` });
    return { status: OK_STATUS, grantedAmount: request.amount, validDurationMs: DEFAULT_VALID_DURATION_MS, referenced: quotaBag.referenced };
  }

  private async invokeQuota(destination: Destination, instance: TemplateInstance, args: QuotaArgs): Promise<QuotaResult> {
    const started = performance.now();
    try {
      let answer = destination.invoke(instance, args, args.deduplicationId === '' ? EMPTY_CONTEXT : { deduplicationId: args.deduplicationId });
      if (answer instanceof Promise) answer = await this.deadlines.track(answer as Promise<unknown>, this.timeoutMs);
      if (!isQuotaResult(answer)) throw new Error(`handler returned an invalid quota result: ${JSON.stringify(answer)}`);
      this.statsFor(destination, 'quota').record(elapsed(started), 'ok');
      return answer;
    } catch (error) {
      const { status } = this.failureStatus(destination, error, 'quota', started);
      return { status, grantedAmount: 0, validDurationMs: 0 };
    }
  }

  private statsFor(destination: Destination, variety: DispatchVariety): HandlerCallStats {
    let stats = this.stats.get(destination);
    if (stats === undefined) {
      stats = this.observer.handlerStats(destination.handlerName, destination.adapterName, variety);
      this.stats.set(destination, stats);
    }
    return stats;
  }

  /** Logs a warning at most once a minute per key, so a bad rule cannot flood the log. */
  private warnOnce(key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const last = this.warned.get(key);
    if (last !== undefined && now - last < 60_000) return;
    if (this.warned.size > 10_000) this.warned.clear();
    this.warned.set(key, now);
    this.logger.warn(fields, message);
  }
}

/** Walks every entry when a decision is explained (each rule is looked at), else only the candidates (see MatchIndex). */
function walk<T extends Matchable>(index: MatchIndex<T>, bag: AttributeBag, trace: ExplainTrace | undefined, visit: MatchVisitor<T>): void {
  if (trace === undefined) index.forEachCandidate(bag, visit);
  else index.forEach(visit);
}

function decision(group: InstanceGroup, destination: Destination, matched: boolean, reason: string) {
  return { rule: group.ruleName, handler: destination.handlerName, template: destination.template.name, match: group.conditionText, matched, reason };
}

function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}

/**
 * A denial that carries a direct HTTP response becomes a route directive: the code (derived
 * from the rpc code when 0), the body, and each header as a REPLACE response-header operation
 * (Set-Cookie split on commas into APPENDs).
 */
function directResponseDirective(status: RpcStatus): RouteDirective | undefined {
  const direct = status.directResponse;
  if (direct === undefined) return undefined;
  const responseOperations: HeaderOperation[] = [];
  for (const [name, value] of Object.entries(direct.headers)) {
    if (name.toLowerCase() === 'set-cookie') {
      for (const cookie of value.split(',')) responseOperations.push({ name, value: cookie.trim(), operation: HeaderOperationKind.APPEND });
    } else {
      responseOperations.push({ name, value, operation: HeaderOperationKind.REPLACE });
    }
  }
  return {
    requestHeaderOperations: [],
    responseHeaderOperations: responseOperations,
    directResponseCode: direct.code !== 0 ? direct.code : mixerHttpStatusForRpcCode(status.code),
    directResponseBody: direct.body,
  };
}

function isStatus(value: unknown): value is RpcStatus {
  return typeof value === 'object' && value !== null && typeof (value as RpcStatus).code === 'number' && typeof (value as RpcStatus).message === 'string';
}

function isCheckResult(value: unknown): value is CheckResult {
  const result = value as CheckResult;
  return typeof value === 'object' && value !== null && isStatus(result.status) && typeof result.validDurationMs === 'number' && typeof result.validUseCount === 'number';
}

function isQuotaResult(value: unknown): value is QuotaResult {
  const result = value as QuotaResult;
  return typeof value === 'object' && value !== null && isStatus(result.status) && typeof result.grantedAmount === 'number' && typeof result.validDurationMs === 'number';
}

