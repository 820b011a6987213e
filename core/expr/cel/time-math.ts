import { Duration } from '../../attribute/duration.js';
import { Timestamp } from '../../attribute/timestamp.js';
import { normalizeInt64, type Int64 } from '../../attribute/value.js';
import { MAX_INT64, MIN_INT64 } from './literals.js';
import { fail } from './runtime-error.js';

/**
 * Timestamp and duration arithmetic with CEL's range checks. Timestamps span the years 1 to
 * 9999; durations are Go durations (int64 nanoseconds), as Istio's attribute model has them.
 */
const MIN_TIMESTAMP_SECONDS = -62135596800; // 0001-01-01T00:00:00Z
const MAX_TIMESTAMP_SECONDS = 253402300799; // 9999-12-31T23:59:59Z
const NANOS = 1_000_000_000n;

function checkedDuration(nanos: bigint): Duration {
  if (nanos > MAX_INT64 || nanos < MIN_INT64) fail('duration out of range');
  return Duration.ofNanos(nanos);
}

function checkedTimestamp(totalNanos: bigint): Timestamp {
  let seconds = totalNanos / NANOS;
  let nanos = totalNanos % NANOS;
  if (nanos < 0n) {
    nanos += NANOS;
    seconds -= 1n;
  }
  if (seconds < BigInt(MIN_TIMESTAMP_SECONDS) || seconds > BigInt(MAX_TIMESTAMP_SECONDS)) fail('timestamp out of range');
  return Timestamp.fromParts(Number(seconds), Number(nanos));
}

function totalNanos(timestamp: Timestamp): bigint {
  return BigInt(timestamp.seconds) * NANOS + BigInt(timestamp.nanos);
}

export function addTimestampDuration(timestamp: Timestamp, duration: Duration): Timestamp {
  if (duration.nanos === 0n) return timestamp;
  return checkedTimestamp(totalNanos(timestamp) + duration.nanos);
}

export function subtractTimestampDuration(timestamp: Timestamp, duration: Duration): Timestamp {
  if (duration.nanos === 0n) return timestamp;
  return checkedTimestamp(totalNanos(timestamp) - duration.nanos);
}

export function subtractTimestamps(a: Timestamp, b: Timestamp): Duration {
  return checkedDuration(totalNanos(a) - totalNanos(b));
}

export function addDurations(a: Duration, b: Duration): Duration {
  return checkedDuration(a.nanos + b.nanos);
}

export function subtractDurations(a: Duration, b: Duration): Duration {
  return checkedDuration(a.nanos - b.nanos);
}

/** timestamp(int): seconds since the epoch. */
export function timestampOfSeconds(seconds: Int64): Timestamp {
  return checkedTimestamp(BigInt(seconds) * NANOS);
}

export function timestampSeconds(timestamp: Timestamp): Int64 {
  return normalizeInt64(BigInt(timestamp.seconds));
}

/** string(duration): seconds with the fraction trimmed, then `s` (`1.5s`, `60s`). */
export function formatCelDuration(duration: Duration): string {
  const negative = duration.nanos < 0n;
  const magnitude = negative ? -duration.nanos : duration.nanos;
  const whole = magnitude / NANOS;
  const fraction = (magnitude % NANOS).toString().padStart(9, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}s`;
}

export function checkTimestampRange(timestamp: Timestamp): Timestamp {
  if (timestamp.seconds < MIN_TIMESTAMP_SECONDS || timestamp.seconds > MAX_TIMESTAMP_SECONDS) fail('timestamp out of range');
  return timestamp;
}

const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** The UTC offset, in seconds, of a CEL time zone (`UTC`, `-08:00`, `America/New_York`) at an instant. */
function zoneOffsetSeconds(zone: string, epochSeconds: number): number {
  if (zone === 'UTC' || zone === 'Z' || zone === '') return 0;
  const fixed = FIXED_OFFSET.exec(zone);
  if (fixed !== null) {
    const seconds = Number(fixed[2]) * 3600 + Number(fixed[3]) * 60;
    return fixed[1] === '-' ? -seconds : seconds;
  }
  let formatter = zoneFormatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      return fail(`unknown time zone '${zone}'`);
    }
    zoneFormatters.set(zone, formatter);
  }
  const parts = formatter.formatToParts(new Date(epochSeconds * 1000));
  const part = (type: string): number => Number(parts.find((entry) => entry.type === type)?.value ?? 0);
  const local = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) / 1000;
  return local - epochSeconds;
}

export type TimestampField = 'fullYear' | 'month' | 'dayOfYear' | 'dayOfMonth' | 'date' | 'dayOfWeek' | 'hours' | 'minutes' | 'seconds' | 'milliseconds';

/** The timestamp accessors (`getFullYear`, `getMonth`, ...), in UTC or the given zone. */
export function timestampField(timestamp: Timestamp, field: TimestampField, zone = 'UTC'): number {
  const local = timestamp.seconds + zoneOffsetSeconds(zone, timestamp.seconds);
  const date = new Date(local * 1000);
  switch (field) {
    case 'fullYear':
      return date.getUTCFullYear();
    case 'month':
      return date.getUTCMonth();
    case 'dayOfYear': {
      const startOfYear = new Date(0);
      startOfYear.setUTCFullYear(date.getUTCFullYear(), 0, 1);
      return Math.floor((date.getTime() - startOfYear.getTime()) / 86_400_000);
    }
    case 'dayOfMonth':
      return date.getUTCDate() - 1;
    case 'date':
      return date.getUTCDate();
    case 'dayOfWeek':
      return date.getUTCDay();
    case 'hours':
      return date.getUTCHours();
    case 'minutes':
      return date.getUTCMinutes();
    case 'seconds':
      return date.getUTCSeconds();
    case 'milliseconds':
      return Math.floor(timestamp.nanos / 1_000_000);
  }
}

export type DurationField = 'hours' | 'minutes' | 'seconds' | 'milliseconds';

const DURATION_UNITS: Readonly<Record<DurationField, bigint>> = {
  hours: 3600n * NANOS,
  minutes: 60n * NANOS,
  seconds: NANOS,
  milliseconds: 1_000_000n,
};

/** The duration accessors: the whole duration in the unit, truncated. */
export function durationField(duration: Duration, field: DurationField): Int64 {
  return normalizeInt64(duration.nanos / DURATION_UNITS[field]);
}
