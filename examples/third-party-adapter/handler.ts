import { Counter } from 'prom-client';
import {
  OK_STATUS, RpcCode, rpcStatus,
  type AdapterEnvironment, type AuthorizationInstance, type CheckResult, type HandlerFor, type MetricInstance,
} from '../../adapters/sdk/index.js';
import { MetricSummary, type SummaryRow } from './metric-summary.js';
import type { OpeningHours } from './opening-hours.js';
import type { BusinessHoursParams } from './params.js';

const DENIALS_METRIC = 'mixer_adapter_business_hours_denials_total';

/**
 * The handler: one method per supported template, plus close(). Check methods answer a
 * CheckResult (denials are results, not exceptions); report methods return nothing.
 */
export class BusinessHoursHandler implements HandlerFor<'authorization' | 'metric'> {
  private readonly summary = new MetricSummary();
  private readonly exempt: ReadonlySet<string>;
  private readonly denials: Counter;

  constructor(
    private readonly params: BusinessHoursParams,
    private readonly hours: OpeningHours,
    private readonly env: AdapterEnvironment,
  ) {
    this.exempt = new Set(params.exemptUsers);
    // The adapter's own metrics go to the registry Mixer hands it, never to prom-client's global one.
    const existing = env.metrics.getSingleMetric(DENIALS_METRIC);
    this.denials =
      existing instanceof Counter
        ? existing
        : new Counter({ name: DENIALS_METRIC, help: 'Requests denied outside business hours.', registers: [env.metrics] });
    // Timers go through the environment: Mixer cancels them when the handler closes.
    const intervalMs = params.summaryInterval.toMillis();
    if (intervalMs > 0) env.scheduleInterval(() => this.logSummary(), intervalMs);
  }

  /** Allows the request during business hours (or for an exempt user); PERMISSION_DENIED otherwise. */
  handleAuthorization(instance: AuthorizationInstance): CheckResult {
    const now = this.env.now();
    const validUseCount = this.params.validUseCount;
    // Never let a cache keep the answer past the next opening or closing.
    const validDurationMs = Math.min(this.params.validDuration.toMillis(), this.hours.msUntilChange(now));
    if (this.hours.isOpen(now)) return { status: OK_STATUS, validDurationMs, validUseCount };
    const user = instance.subject.user;
    if (user !== undefined && this.exempt.has(user)) return { status: OK_STATUS, validDurationMs: this.params.validDuration.toMillis(), validUseCount };
    this.denials.inc();
    const what = instance.action.service ?? 'this service';
    return {
      status: rpcStatus(RpcCode.PERMISSION_DENIED, `${what} is closed: open ${this.params.days.join(', ')} ${this.params.opens}-${this.params.closes} UTC${this.params.utcOffset}`),
      validDurationMs,
      validUseCount,
    };
  }

  /** Counts the reported metrics into the in-memory summary. */
  handleMetric(instances: readonly MetricInstance[]): void {
    for (const instance of instances) this.summary.add(instance);
  }

  /** What has been counted so far (for tests and the periodic log line). */
  summaryRows(): SummaryRow[] {
    return this.summary.rowsSnapshot();
  }

  /** Mixer calls this when a new config replaces the handler: log the final summary, release memory. */
  close(): void {
    this.logSummary();
    this.summary.clear();
  }

  private logSummary(): void {
    this.env.logger.info({ summary: this.summary.rowsSnapshot() }, 'business-hours metric summary');
  }
}
