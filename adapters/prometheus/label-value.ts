import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { InstanceValue } from '../../templates/template.js';

/**
 * A dimension value as label text, Istio's adapter.Stringify: strings as themselves, integers
 * in decimal, doubles in Go's shortest non-exponent form (`0.25`, `1e21` as
 * `1000000000000000000000`, `NaN`, `+Inf`), booleans as `true`/`false`, timestamps in UTC with
 * six fractional digits (`2020-01-02T03:04:05.678000Z`), durations in Go's text (`1.5s`), IP
 * addresses as text, string maps as `k=v&k=v` in key order (Go's map order was random), bytes
 * as Go prints them (`[1 2 3]`), and unset values as `""`.
 */
export function labelValue(value: InstanceValue): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return formatGoFloat(value);
  if (value instanceof Timestamp) return formatTimestamp(value);
  if (value instanceof Duration || value instanceof IpAddress) return value.toString();
  if (value instanceof StringMap) {
    const entries = value.entries;
    return [...entries.keys()]
      .sort()
      .map((key) => `${key}=${entries.get(key)}`)
      .join('&');
  }
  return `[${[...value].join(' ')}]`;
}

/** Go's strconv.FormatFloat(value, 'f', -1, 64): the shortest digits that round-trip, never an exponent. */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (Object.is(value, -0)) return '-0';
  const text = String(value);
  const exponentAt = text.indexOf('e');
  if (exponentAt < 0) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, exponentAt);
  const exponent = Number(text.slice(exponentAt + 1));
  const point = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  // The decimal point sits after `integerDigits` digits of `digits`.
  const integerDigits = (point < 0 ? mantissa.length : point) + exponent;
  let out: string;
  if (integerDigits <= 0) out = `0.${'0'.repeat(-integerDigits)}${digits}`;
  else if (integerDigits >= digits.length) out = `${digits}${'0'.repeat(integerDigits - digits.length)}`;
  else out = `${digits.slice(0, integerDigits)}.${digits.slice(integerDigits)}`;
  return negative ? `-${out}` : out;
}

/** Istio's serializeTime: UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds, always six digits). */
export function formatTimestamp(time: Timestamp): string {
  const date = new Date(time.seconds * 1000);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const micros = Math.floor(time.nanos / 1000);
  return (
    `${pad(date.getUTCFullYear() % 10_000, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(micros, 6)}Z`
  );
}
