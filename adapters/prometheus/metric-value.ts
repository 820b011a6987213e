import { Duration } from '../../core/attribute/duration.js';
import { goQuote } from '../../core/attribute/go-quote.js';
import type { InstanceValue } from '../../templates/template.js';
import { labelValue } from './label-value.js';

const NANOS_PER_SECOND = 1_000_000_000n;
const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** A metric value as a float, or why it is not one (Istio's promValue, with its messages). */
export type MetricValue = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: string };

/**
 * Istio's promValue: a double as itself, an int64 (number or bigint) as the nearest double, a
 * duration in seconds (fractional), a string parsed like Go's strconv.ParseFloat; anything
 * else (bool, timestamp, IP, map, bytes, unset) is an error.
 */
export function metricValue(value: InstanceValue): MetricValue {
  if (typeof value === 'number') return { ok: true, value };
  if (typeof value === 'bigint') return { ok: true, value: Number(value) };
  if (value instanceof Duration) return { ok: true, value: durationSeconds(value) };
  if (typeof value === 'string') return parseGoFloat(value);
  return { ok: false, reason: `could not extract numeric value for ${describe(value)}` };
}

/** Go's time.Duration.Seconds(): whole seconds plus the fraction, each converted separately. */
export function durationSeconds(duration: Duration): number {
  return Number(duration.nanos / NANOS_PER_SECOND) + Number(duration.nanos % NANOS_PER_SECOND) / 1e9;
}

/**
 * Go's strconv.ParseFloat(text, 64) for decimal text: an optional sign, digits with an optional
 * fraction and exponent, or `inf`/`infinity` (signed, any case) and `nan` (any case). A value
 * too large for a double is Go's range error. Hexadecimal floats and `_` separators are not
 * accepted.
 */
export function parseGoFloat(text: string): MetricValue {
  const special = specialFloat(text);
  if (special !== undefined) return { ok: true, value: special };
  if (!DECIMAL.test(text)) return { ok: false, reason: `strconv.ParseFloat: parsing ${goQuote(text)}: invalid syntax` };
  const value = Number(text);
  if (!Number.isFinite(value)) return { ok: false, reason: `strconv.ParseFloat: parsing ${goQuote(text)}: value out of range` };
  return { ok: true, value };
}

function specialFloat(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  const sign = lower.startsWith('-') ? -1 : 1;
  const body = lower.startsWith('-') || lower.startsWith('+') ? lower.slice(1) : lower;
  return body === 'inf' || body === 'infinity' ? sign * Number.POSITIVE_INFINITY : undefined;
}

/** The value as Go's `%v` printed it: `<nil>` when unset, else as a label would show it. */
function describe(value: InstanceValue): string {
  return value === undefined ? '<nil>' : labelValue(value);
}
