import { MixerError } from '../../core/errors/mixer-error.js';

/** Why one metric value was not recorded. */
export type RejectionReason = 'unknown_instance' | 'value' | 'labels' | 'record';

export interface RejectedValue {
  readonly instance: string;
  readonly reason: RejectionReason;
  readonly message: string;
}

const SHOWN = 3;

/**
 * Some values of a handleMetric batch were not recorded (the others were): Istio's multierror
 * from HandleMetric. Mixer logs it and counts the call as failed; the adapter counts each value
 * in `mixer_adapter_prometheus_rejected_values_total`.
 */
export class MetricValuesError extends MixerError {
  constructor(
    readonly rejected: readonly RejectedValue[],
    readonly total: number,
  ) {
    const shown = rejected.slice(0, SHOWN).map((value) => value.message);
    if (rejected.length > SHOWN) shown.push(`and ${rejected.length - SHOWN} more`);
    super('PROMETHEUS_ERR_VALUES', `${rejected.length} of ${total} metric values not recorded: ${shown.join('; ')}`);
  }
}

/** The /metrics listener could not be started (Istio: "could not start prometheus metrics server"). */
export class MetricsListenError extends MixerError {
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super('PROMETHEUS_ERR_LISTEN', `could not start prometheus metrics server on ${address}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The build of a handler was abandoned (Mixer gave up waiting) before it started serving. */
export class BuildAbandonedError extends MixerError {
  constructor(handler: string) {
    super('PROMETHEUS_ERR_ABANDONED', `handler '${handler}' was closed before it was built`);
  }
}
