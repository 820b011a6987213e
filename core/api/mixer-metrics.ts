import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { rpcCodeName } from '../status/rpc-code.js';
import type { CallOutcome, DispatchObserver } from '../runtime/dispatch-observer.js';

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Mixer's self-monitoring, registered on an injected registry (never prom-client's global one):
 * Check and Report counts and latency, per-handler dispatch latency and failures, config
 * reloads and rejections. Also the dispatcher's observer.
 */
export class MixerMetrics implements DispatchObserver {
  private readonly checks: Counter<'code'>;
  private readonly checkLatency: Histogram;
  private readonly reports: Counter<'outcome'>;
  private readonly reportLatency: Histogram;
  private readonly reportedInstances: Counter;
  private readonly dispatchLatency: Histogram<'handler' | 'adapter' | 'variety' | 'outcome'>;
  private readonly dispatchFailures: Counter<'handler' | 'adapter' | 'variety' | 'outcome'>;
  private readonly conditionErrors: Counter<'rule'>;
  private readonly instanceErrors: Counter<'instance'>;
  private readonly configReloads: Counter<'result'>;
  private readonly configErrors: Gauge;
  private readonly activeSnapshot: Gauge;
  /** Label-bound children, so the hot path does not hash label sets on every call. */
  private readonly checkCounters = new Map<number, { inc(): void }>();
  private readonly callHistograms = new Map<string, { observe(value: number): void }>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.checks = new Counter({ name: 'mixer_check_total', help: 'Check calls answered, by final status code.', labelNames: ['code'], registers });
    this.checkLatency = new Histogram({ name: 'mixer_check_duration_seconds', help: 'Check call latency inside Mixer.', buckets: LATENCY_BUCKETS, registers });
    this.reports = new Counter({ name: 'mixer_report_total', help: 'Report calls, by outcome.', labelNames: ['outcome'], registers });
    this.reportLatency = new Histogram({ name: 'mixer_report_duration_seconds', help: 'Report call latency inside Mixer.', buckets: LATENCY_BUCKETS, registers });
    this.reportedInstances = new Counter({ name: 'mixer_report_instances_total', help: 'Report instances built and dispatched.', registers });
    this.dispatchLatency = new Histogram({
      name: 'mixer_dispatch_duration_seconds',
      help: 'Latency of calls to handlers.',
      labelNames: ['handler', 'adapter', 'variety', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.dispatchFailures = new Counter({
      name: 'mixer_dispatch_failures_total',
      help: 'Handler calls that threw, rejected or timed out.',
      labelNames: ['handler', 'adapter', 'variety', 'outcome'],
      registers,
    });
    this.conditionErrors = new Counter({ name: 'mixer_rule_match_errors_total', help: 'Rule matches that could not be evaluated (treated as false).', labelNames: ['rule'], registers });
    this.instanceErrors = new Counter({ name: 'mixer_instance_build_errors_total', help: 'Instances that could not be built for a request.', labelNames: ['instance'], registers });
    this.configReloads = new Counter({ name: 'mixer_config_reloads_total', help: 'Config changes, applied or rejected.', labelNames: ['result'], registers });
    this.configErrors = new Gauge({ name: 'mixer_config_errors', help: 'Errors in the most recently loaded config.', registers });
    this.activeSnapshot = new Gauge({ name: 'mixer_config_snapshot_id', help: 'Id of the config snapshot serving requests.', registers });
  }

  checkDone(code: number, seconds: number): void {
    let counter = this.checkCounters.get(code);
    if (counter === undefined) {
      counter = this.checks.labels({ code: rpcCodeName(code) });
      this.checkCounters.set(code, counter);
    }
    counter.inc();
    this.checkLatency.observe(seconds);
  }

  reportDone(ok: boolean, instances: number, seconds: number): void {
    this.reports.inc({ outcome: ok ? 'ok' : 'error' });
    this.reportedInstances.inc(instances);
    this.reportLatency.observe(seconds);
  }

  configApplied(snapshotId: number, errors: number): void {
    this.configReloads.inc({ result: 'applied' });
    this.configErrors.set(errors);
    this.activeSnapshot.set(snapshotId);
  }

  configRejected(errors: number): void {
    this.configReloads.inc({ result: 'rejected' });
    this.configErrors.set(errors);
  }

  handlerCall(handler: string, adapter: string, variety: 'check' | 'quota' | 'report', seconds: number, outcome: CallOutcome): void {
    const key = `${handler}\u0000${variety}\u0000${outcome}`;
    let histogram = this.callHistograms.get(key);
    if (histogram === undefined) {
      histogram = this.dispatchLatency.labels({ handler, adapter, variety, outcome });
      this.callHistograms.set(key, histogram);
    }
    histogram.observe(seconds);
    if (outcome !== 'ok') this.dispatchFailures.inc({ handler, adapter, variety, outcome });
  }

  conditionError(rule: string): void {
    this.conditionErrors.inc({ rule });
  }

  instanceError(instance: string): void {
    this.instanceErrors.inc({ instance });
  }
}
