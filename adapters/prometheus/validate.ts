import { Duration } from '../../core/attribute/duration.js';
import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import { bucketBounds, bucketBoundsProblem, bucketsKindsSet } from './buckets.js';
import { metricSpec } from './metric-spec.js';
import { isValidLabelName, isValidMetricName } from './names.js';
import type { BucketsParams, MetricInfoParams, PrometheusParams } from './params.js';

/**
 * Istio's validation (a metricsExpiryDuration > 0), plus everything Istio's adapter only found
 * when it built the handler (a panic or "could not register metric"): every metric needs an
 * instance name and a kind, names must make valid Prometheus names, and a DISTRIBUTION's
 * buckets must be increasing. Two entries may share a name only with the same definition (they
 * then feed one metric, as Istio's registerOrGet did).
 */
export function validatePrometheus(params: PrometheusParams): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  validateExpiry(params, problems);
  const byInstance = new Map<string, number>();
  const byName = new Map<string, { index: number; definition: string }>();
  params.metrics.forEach((metric, index) => {
    const field = `params.metrics[${index}]`;
    if (metric.instanceName === '') problems.push(problem(`${field}.instanceName`, 'instanceName is required'));
    else if (byInstance.has(metric.instanceName)) {
      problems.push(problem(`${field}.instanceName`, `instance '${metric.instanceName}' already has a metric (metrics[${byInstance.get(metric.instanceName)}])`));
    } else byInstance.set(metric.instanceName, index);
    if (metric.kind === 'UNSPECIFIED') {
      problems.push(problem(`${field}.kind`, 'unknown metric kind (UNSPECIFIED): must be GAUGE, COUNTER or DISTRIBUTION'));
      return;
    }
    const before = problems.length;
    validateNames(metric, field, problems);
    if (metric.kind === 'DISTRIBUTION') validateBuckets(metric.buckets, `${field}.buckets`, problems);
    if (problems.length > before || metric.instanceName === '') return;
    const spec = metricSpec(metric);
    const previous = byName.get(spec.fullName);
    if (previous === undefined) byName.set(spec.fullName, { index, definition: spec.definition });
    else if (previous.definition !== spec.definition) {
      problems.push(problem(`${field}.name`, `metric '${spec.fullName}' is already defined differently by metrics[${previous.index}]`));
    }
  });
  return problems;
}

function validateExpiry(params: PrometheusParams, problems: ConfigProblem[]): void {
  const policy = params.metricsExpirationPolicy;
  if (policy === undefined) return;
  const expiry = policy.metricsExpiryDuration ?? Duration.ZERO;
  if (expiry.nanos <= 0n) {
    problems.push(problem('params.metricsExpirationPolicy.metricsExpiryDuration', `metricsExpiryDuration ${expiry.toString()} is invalid, must be > 0`));
  }
  const interval = policy.expiryCheckIntervalDuration;
  if (interval !== undefined && interval.nanos < 0n) {
    problems.push(problem('params.metricsExpirationPolicy.expiryCheckIntervalDuration', `expiryCheckIntervalDuration ${interval.toString()} is invalid, must be >= 0`));
  }
}

function validateNames(metric: MetricInfoParams, field: string, problems: ConfigProblem[]): void {
  const spec = metricSpec(metric);
  if (!isValidMetricName(spec.fullName)) {
    const where = metric.name !== '' ? 'name' : metric.namespace !== '' ? 'namespace' : 'instanceName';
    problems.push(problem(`${field}.${where}`, `'${spec.fullName}' is not a valid Prometheus metric name`));
  }
  const seen = new Map<string, number>();
  spec.labelNames.forEach((label, index) => {
    const labelField = `${field}.labelNames[${index}]`;
    const original = metric.labelNames[index] ?? label;
    const shown = original === label ? `'${label}'` : `'${original}' (sanitised '${label}')`;
    if (!isValidLabelName(label)) problems.push(problem(labelField, `${shown} is not a valid Prometheus label name`));
    else if (metric.kind === 'DISTRIBUTION' && label === 'le') problems.push(problem(labelField, "'le' is reserved for the bucket bound of a DISTRIBUTION"));
    else if (seen.has(label)) problems.push(problem(labelField, `duplicate label name ${shown} (labelNames[${seen.get(label)}])`));
    seen.set(label, seen.get(label) ?? index);
  });
}

/** More finite buckets than this is a mistake, not a histogram (each series keeps one counter per bucket). */
export const MAX_FINITE_BUCKETS = 10_000;

function validateBuckets(buckets: BucketsParams | undefined, field: string, problems: ConfigProblem[]): void {
  if (buckets === undefined) return;
  const kinds = bucketsKindsSet(buckets);
  if (kinds.length > 1) {
    problems.push(problem(field, `only one of linearBuckets, exponentialBuckets and explicitBuckets may be set, got ${kinds.join(' and ')}`));
    return;
  }
  const before = problems.length;
  const countProblem = (count: number): string | undefined =>
    count < 0 ? `must be >= 0, got ${count}` : count > MAX_FINITE_BUCKETS ? `must be <= ${MAX_FINITE_BUCKETS}, got ${count}` : undefined;
  const linear = buckets.linearBuckets;
  if (linear !== undefined) {
    const count = countProblem(linear.numFiniteBuckets);
    if (count !== undefined) problems.push(problem(`${field}.linearBuckets.numFiniteBuckets`, count));
    else if (linear.numFiniteBuckets > 0 && !(linear.width > 0)) problems.push(problem(`${field}.linearBuckets.width`, `must be > 0, got ${linear.width}`));
  }
  const exponential = buckets.exponentialBuckets;
  if (exponential !== undefined) {
    const count = countProblem(exponential.numFiniteBuckets);
    if (count !== undefined) problems.push(problem(`${field}.exponentialBuckets.numFiniteBuckets`, count));
    if (!(exponential.growthFactor > 1)) problems.push(problem(`${field}.exponentialBuckets.growthFactor`, `must be > 1, got ${exponential.growthFactor}`));
    if (!(exponential.scale > 0)) problems.push(problem(`${field}.exponentialBuckets.scale`, `must be > 0, got ${exponential.scale}`));
  }
  if (buckets.explicitBuckets !== undefined && buckets.explicitBuckets.bounds.length > MAX_FINITE_BUCKETS) {
    problems.push(problem(`${field}.explicitBuckets.bounds`, `at most ${MAX_FINITE_BUCKETS} bounds, got ${buckets.explicitBuckets.bounds.length}`));
  }
  if (problems.length > before || kinds.length === 0) return;
  // The computed bounds themselves: explicit ones as written, and linear or exponential ones
  // that floating point made non-increasing or infinite.
  const reason = bucketBoundsProblem(bucketBounds(buckets));
  const where = kinds[0] === 'explicitBuckets' ? 'explicitBuckets.bounds' : kinds[0];
  if (reason !== undefined) problems.push(problem(`${field}.${where}`, reason));
}
