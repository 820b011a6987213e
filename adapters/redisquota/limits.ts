import type { Duration } from '../../core/attribute/duration.js';
import type { InstanceValue } from '../../templates/template.js';
import { dimensionsMatch } from '../memquota/dimensions.js';
import { overrideHash } from './keys.js';
import type { Algorithm, RedisQuotaParams } from './params.js';

/** The limit an allocation is held to, and the suffix its bucket key gets ('' for the quota's own limit). */
export interface Limit {
  readonly maxAmount: number;
  readonly keySuffix: string;
}

/** One quota, compiled once when the handler is built. */
export interface QuotaLimits {
  readonly name: string;
  readonly algorithm: Algorithm;
  /** The window, in whole milliseconds (at least 1). */
  readonly windowMs: number;
  /** ROLLING_WINDOW: the bucket length in whole milliseconds (at least 1); FIXED_WINDOW: 0. */
  readonly bucketMs: number;
  readonly limit: Limit;
  readonly overrides: ReadonlyArray<{ readonly dimensions: ReadonlyArray<readonly [string, string]>; readonly limit: Limit }>;
}

export function compileLimits(params: RedisQuotaParams): ReadonlyMap<string, QuotaLimits> {
  const byName = new Map<string, QuotaLimits>();
  for (const quota of params.quotas) {
    if (byName.has(quota.name)) continue; // validate() reports duplicates; the first one wins
    byName.set(quota.name, {
      name: quota.name,
      algorithm: quota.rateLimitAlgorithm,
      windowMs: wholeMillis(quota.validDuration),
      bucketMs: quota.rateLimitAlgorithm === 'ROLLING_WINDOW' ? wholeMillis(quota.bucketDuration) : 0,
      limit: { maxAmount: quota.maxAmount, keySuffix: '' },
      overrides: quota.overrides.map((override) => ({
        dimensions: Object.entries(override.dimensions),
        limit: { maxAmount: override.maxAmount, keySuffix: overrideHash(override.dimensions) },
      })),
    });
  }
  return byName;
}

/** The first override whose every dimension matches (memquota's rule), else the quota's own limit. */
export function selectLimit(quota: QuotaLimits, dimensions: Readonly<Record<string, InstanceValue>>): Limit {
  for (const override of quota.overrides) if (dimensionsMatch(override.dimensions, dimensions)) return override.limit;
  return quota.limit;
}

/** Durations run in whole milliseconds in Redis; anything shorter rounds up to 1 ms. */
function wholeMillis(duration: Duration): number {
  return Math.max(1, Math.ceil(Number(duration.nanos) / 1e6));
}
