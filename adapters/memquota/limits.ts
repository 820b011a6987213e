import type { InstanceValue } from '../../templates/template.js';
import { dimensionsMatch } from './dimensions.js';
import type { MemQuotaParams } from './params.js';
import { TICKS_PER_SECOND } from './rolling-window.js';

/** One limit: an allocation quota (validDurationMs 0) or a rate limit over a rolling window. */
export interface Limit {
  readonly maxAmount: number;
  readonly validDurationMs: number;
  /** Window length in 100 ms ticks: ceil(seconds) × 10 (0 for allocation quotas). */
  readonly ticks: number;
}

/** A quota's default limit and its overrides, compiled once when the handler is built. */
export interface QuotaLimits {
  readonly name: string;
  readonly limit: Limit;
  readonly overrides: ReadonlyArray<{ readonly dimensions: ReadonlyArray<readonly [string, string]>; readonly limit: Limit }>;
}

export function compileLimits(params: MemQuotaParams): ReadonlyMap<string, QuotaLimits> {
  const byName = new Map<string, QuotaLimits>();
  for (const quota of params.quotas) {
    const limit = makeLimit(quota.maxAmount, quota.validDuration.nanos);
    byName.set(quota.name, {
      name: quota.name,
      limit,
      overrides: quota.overrides.map((override) => ({
        dimensions: Object.entries(override.dimensions),
        limit: makeLimit(override.maxAmount, (override.validDuration ?? quota.validDuration).nanos),
      })),
    });
  }
  return byName;
}

/** The first override whose every dimension matches, else the quota's own limit. */
export function selectLimit(quota: QuotaLimits, dimensions: Readonly<Record<string, InstanceValue>>): Limit {
  return quota.overrides.find((override) => dimensionsMatch(override.dimensions, dimensions))?.limit ?? quota.limit;
}

function makeLimit(maxAmount: number, validDurationNanos: bigint): Limit {
  const seconds = (validDurationNanos + 999_999_999n) / 1_000_000_000n;
  return {
    maxAmount,
    validDurationMs: Number(validDurationNanos) / 1e6,
    ticks: validDurationNanos > 0n ? Number(seconds) * TICKS_PER_SECOND : 0,
  };
}
