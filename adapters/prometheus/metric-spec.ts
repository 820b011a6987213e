import { bucketBounds } from './buckets.js';
import { fullMetricName, sanitize } from './names.js';
import type { MetricInfoParams } from './params.js';

/** What a metric does with a value. */
export type RecordingKind = 'GAUGE' | 'COUNTER' | 'DISTRIBUTION';

/**
 * One metric as it is exported, compiled from a `metrics[]` entry: its full name, HELP text,
 * kind, sanitised label names and (for a DISTRIBUTION) bucket bounds. `definition` identifies
 * the exported shape: two specs with the same definition publish the same time series, so
 * one may take over the other's values (see MetricFamily).
 */
export interface MetricSpec {
  readonly instanceName: string;
  readonly fullName: string;
  readonly help: string;
  readonly kind: RecordingKind;
  readonly labelNames: readonly string[];
  /** DISTRIBUTION only. */
  readonly buckets: readonly number[] | undefined;
  readonly definition: string;
}

/** Compiles a validated `metrics[]` entry (its kind is not UNSPECIFIED). */
export function metricSpec(info: MetricInfoParams): MetricSpec {
  if (info.kind === 'UNSPECIFIED') throw new TypeError(`metric for '${info.instanceName}' has no kind (validate rejects this)`);
  const fullName = fullMetricName(info.namespace, info.name, info.instanceName);
  // Istio's help defaults to the configured (unsanitised) name, or the instance name.
  const help = info.description !== '' ? info.description : info.name !== '' ? info.name : info.instanceName;
  const labelNames = Object.freeze(info.labelNames.map(sanitize));
  const buckets = info.kind === 'DISTRIBUTION' ? Object.freeze(bucketBounds(info.buckets)) : undefined;
  const definition = JSON.stringify([fullName, info.kind, help, labelNames, buckets ?? null]);
  return Object.freeze({ instanceName: info.instanceName, fullName, help, kind: info.kind, labelNames, buckets, definition });
}
