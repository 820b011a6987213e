import { Counter, Gauge, type Registry } from 'prom-client';
import { type RpcCode, rpcCodeName } from '../status/rpc-code.js';
import type { CallOutcome, DispatchObserver, DispatchVariety, HandlerCallStats } from '../runtime/dispatch-observer.js';
import { HotCounter, HotHistogram, type CounterCell, type HistogramCell } from './hot-path-metrics.js';

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Mixer's self-monitoring, registered on an injected registry (never prom-client's global one):
 * Check and Report counts and latency, per-handler dispatch latency and failures, rule and
 * instance errors, config reloads and rejections. Also the dispatcher's observer. Per-request
 * metrics use hot-path cells resolved once per label set.
 */
export class MixerMetrics implements DispatchObserver {
  private readonly checks: HotCounter;
  private readonly checkLatency: HistogramCell;
  private readonly reports: HotCounter;
  private readonly reportLatency: HistogramCell;
  private readonly reportedInstances: CounterCell;
  private readonly dispatchLatency: HotHistogram;
  private readonly dispatchFailures: HotCounter;
  private readonly conditionErrors: HotCounter;
  private readonly instanceErrors: HotCounter;
  private readonly configReloads: Counter<'result'>;
  private readonly configErrors: Gauge;
  private readonly activeSnapshot: Gauge;
  private readonly checkCells: CounterCell[] = [];

  constructor(registry: Registry) {
    const registers = [registry];
    this.checks = new HotCounter('mixer_check_total', 'Check calls answered, by final status code.', ['code']).registerOn(registry);
    this.checkLatency = new HotHistogram('mixer_check_duration_seconds', 'Check call latency inside Mixer.', [], LATENCY_BUCKETS).registerOn(registry).cell();
    this.reports = new HotCounter('mixer_report_total', 'Report calls, by outcome.', ['outcome']).registerOn(registry);
    this.reportLatency = new HotHistogram('mixer_report_duration_seconds', 'Report call latency inside Mixer.', [], LATENCY_BUCKETS).registerOn(registry).cell();
    this.reportedInstances = new HotCounter('mixer_report_instances_total', 'Report instances built and dispatched.', []).registerOn(registry).cell();
    this.dispatchLatency = new HotHistogram(
      'mixer_dispatch_duration_seconds',
      'Latency of calls to handlers.',
      ['handler', 'adapter', 'variety', 'outcome'],
      LATENCY_BUCKETS,
    ).registerOn(registry);
    this.dispatchFailures = new HotCounter(
      'mixer_dispatch_failures_total',
      'Handler calls that threw, rejected, timed out or answered nonsense.',
      ['handler', 'adapter', 'variety', 'outcome'],
    ).registerOn(registry);
    this.conditionErrors = new HotCounter('mixer_rule_match_errors_total', 'Rule matches that could not be evaluated (treated as false).', ['rule']).registerOn(registry);
    this.instanceErrors = new HotCounter('mixer_instance_build_errors_total', 'Instances that could not be built for a request.', ['instance']).registerOn(registry);
    this.configReloads = new Counter({ name: 'mixer_config_reloads_total', help: 'Config changes, applied or rejected.', labelNames: ['result'], registers });
    this.configErrors = new Gauge({ name: 'mixer_config_errors', help: 'Errors in the most recently loaded config.', registers });
    this.activeSnapshot = new Gauge({ name: 'mixer_config_snapshot_id', help: 'Id of the config snapshot serving requests.', registers });
  }

  checkDone(code: RpcCode, seconds: number): void {
    let cell = this.checkCells[code];
    if (cell === undefined) {
      cell = this.checks.cell({ code: rpcCodeName(code) });
      this.checkCells[code] = cell;
    }
    cell.inc();
    this.checkLatency.observe(seconds);
  }

  reportDone(ok: boolean, instances: number, seconds: number): void {
    this.reports.cell({ outcome: ok ? 'ok' : 'error' }).inc();
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

  handlerStats(handler: string, adapter: string, variety: DispatchVariety): HandlerCallStats {
    const latency = new Map<CallOutcome, HistogramCell>();
    const failures = new Map<CallOutcome, CounterCell>();
    const ok = this.dispatchLatency.cell({ handler, adapter, variety, outcome: 'ok' });
    return {
      record: (seconds, outcome) => {
        if (outcome === 'ok') {
          ok.observe(seconds);
          return;
        }
        let cell = latency.get(outcome);
        if (cell === undefined) {
          cell = this.dispatchLatency.cell({ handler, adapter, variety, outcome });
          latency.set(outcome, cell);
          failures.set(outcome, this.dispatchFailures.cell({ handler, adapter, variety, outcome }));
        }
        cell.observe(seconds);
        failures.get(outcome)!.inc();
      },
    };
  }

  conditionError(rule: string): void {
    this.conditionErrors.cell({ rule }).inc();
  }

  instanceError(instance: string): void {
    this.instanceErrors.cell({ instance }).inc();
  }
}
