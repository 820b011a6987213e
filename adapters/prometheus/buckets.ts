import type { BucketsParams } from './params.js';

/** Prometheus's default histogram buckets (client_golang's DefBuckets). */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/** Which member of the buckets oneof is set (more than one is a config problem, see validate). */
export type BucketsKind = 'linearBuckets' | 'exponentialBuckets' | 'explicitBuckets';

export function bucketsKindsSet(buckets: BucketsParams | undefined): BucketsKind[] {
  if (buckets === undefined) return [];
  return (['linearBuckets', 'exponentialBuckets', 'explicitBuckets'] as const).filter((kind) => buckets[kind] !== undefined);
}

/**
 * The upper bounds of a DISTRIBUTION's finite buckets, as Istio computed them with
 * client_golang:
 * - linear: numFiniteBuckets+1 bounds from offset, each `width` above the previous (summed
 *   step by step, as LinearBuckets does, so the floats are the same);
 * - exponential: numFiniteBuckets+1 bounds scale·growthFactor^i (multiplied step by step);
 * - explicit: the bounds; none given, or no definition: the default buckets.
 */
export function bucketBounds(buckets: BucketsParams | undefined): number[] {
  if (buckets?.linearBuckets !== undefined) {
    const { numFiniteBuckets, width, offset } = buckets.linearBuckets;
    const bounds: number[] = [];
    for (let i = 0, bound = offset; i <= numFiniteBuckets; i++, bound += width) bounds.push(bound);
    return bounds;
  }
  if (buckets?.exponentialBuckets !== undefined) {
    const { numFiniteBuckets, growthFactor, scale } = buckets.exponentialBuckets;
    const bounds: number[] = [];
    for (let i = 0, bound = scale; i <= numFiniteBuckets; i++, bound *= growthFactor) bounds.push(bound);
    return bounds;
  }
  if (buckets?.explicitBuckets !== undefined && buckets.explicitBuckets.bounds.length > 0) return [...buckets.explicitBuckets.bounds];
  return [...DEFAULT_BUCKETS];
}

/** Why `bounds` cannot be a histogram's buckets (they must be finite and strictly increasing), or undefined. */
export function bucketBoundsProblem(bounds: readonly number[]): string | undefined {
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i]!;
    if (!Number.isFinite(bound)) return `bucket bound ${bound} is not a finite number`;
    if (i > 0 && bound <= bounds[i - 1]!) return `bucket bounds must be strictly increasing, got ${bounds[i - 1]} then ${bound}`;
  }
  return undefined;
}

/**
 * A bucket bound as the `le` label text client_golang wrote (strconv.FormatFloat(bound, 'g',
 * -1, 64)): the shortest digits, in exponent form from 1e+06 up and below 1e-04 (`0.005`,
 * `100000`, `1e+06`, `2.5e-05`), so series are named exactly as Istio's were.
 */
export function formatBucketBound(bound: number): string {
  if (Number.isNaN(bound)) return 'NaN';
  if (!Number.isFinite(bound)) return bound > 0 ? '+Inf' : '-Inf';
  if (bound === 0) return Object.is(bound, -0) ? '-0' : '0';
  const [mantissa = '', exponentText = '0'] = bound.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) return goExponent(mantissa, exponent);
  // JavaScript's shortest form is Go's for exponents in [-4, 6).
  return String(bound);
}

function goExponent(mantissa: string, exponent: number): string {
  const magnitude = Math.abs(exponent);
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${magnitude < 10 ? `0${magnitude}` : magnitude}`;
}
