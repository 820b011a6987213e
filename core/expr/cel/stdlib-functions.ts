import { Duration } from '../../attribute/duration.js';
import { StringMap } from '../../attribute/string-map.js';
import type { Timestamp } from '../../attribute/timestamp.js';
import type { Int64 } from '../../attribute/value.js';
import { MixerError } from '../../errors/mixer-error.js';
import { toTimestamp } from '../functions/timestamp.js';
import { matchesRegex } from '../regex/index.js';
import {
  doubleToInt,
  doubleToUint,
  intToUint,
  parseDoubleText,
  parseIntText,
  parseUintText,
  uintToInt,
} from './int-math.js';
import { global, impl1, impl2, member, type Overload } from './overload.js';
import { fail } from './runtime-error.js';
import { codePointLength, decodeUtf8, encodeUtf8, formatGoFloat } from './text.js';
import {
  checkTimestampRange,
  durationField,
  type DurationField,
  formatCelDuration,
  timestampField,
  type TimestampField,
  timestampOfSeconds,
  timestampSeconds,
} from './time-math.js';
import { BOOL, BYTES, type CelType, DOUBLE, DURATION, DYN, INT, listOf, mapOf, param, STRING, TIMESTAMP, typeOf, UINT } from './types.js';
import { CelMap } from './values.js';

const A = param('A');
const B = param('B');

const identity = impl1((value: unknown) => value);

function conversion(id: string, fn: string, from: CelType, to: CelType, f: (value: never) => unknown): Overload {
  return global(id, fn, [from], to, impl1(f));
}

const BOOL_TEXT: ReadonlyMap<string, boolean> = new Map([
  ['1', true],
  ['t', true],
  ['T', true],
  ['TRUE', true],
  ['true', true],
  ['True', true],
  ['0', false],
  ['f', false],
  ['F', false],
  ['FALSE', false],
  ['false', false],
  ['False', false],
]);

function parseDuration(text: string): Duration {
  try {
    return Duration.parse(text);
  } catch (error) {
    return fail(MixerError.is(error) ? error.message : `invalid duration '${text}'`);
  }
}

function conversionOverloads(): Overload[] {
  return [
    global('int64_to_int64', 'int', [INT], INT, identity),
    conversion('uint64_to_int64', 'int', UINT, INT, (value: Int64) => uintToInt(value)),
    conversion('double_to_int64', 'int', DOUBLE, INT, (value: number) => doubleToInt(value)),
    conversion('string_to_int64', 'int', STRING, INT, (value: string) => parseIntText(value)),
    conversion('timestamp_to_int64', 'int', TIMESTAMP, INT, (value: Timestamp) => timestampSeconds(value)),
    conversion('int64_to_uint64', 'uint', INT, UINT, (value: Int64) => intToUint(value)),
    global('uint64_to_uint64', 'uint', [UINT], UINT, identity),
    conversion('double_to_uint64', 'uint', DOUBLE, UINT, (value: number) => doubleToUint(value)),
    conversion('string_to_uint64', 'uint', STRING, UINT, (value: string) => parseUintText(value)),
    conversion('int64_to_double', 'double', INT, DOUBLE, (value: Int64) => Number(value)),
    conversion('uint64_to_double', 'double', UINT, DOUBLE, (value: Int64) => Number(value)),
    global('double_to_double', 'double', [DOUBLE], DOUBLE, identity),
    conversion('string_to_double', 'double', STRING, DOUBLE, (value: string) => parseDoubleText(value)),
    conversion('int64_to_string', 'string', INT, STRING, (value: Int64) => String(value)),
    conversion('uint64_to_string', 'string', UINT, STRING, (value: Int64) => String(value)),
    conversion('double_to_string', 'string', DOUBLE, STRING, (value: number) => formatGoFloat(value)),
    global('string_to_string', 'string', [STRING], STRING, identity),
    conversion('bytes_to_string', 'string', BYTES, STRING, (value: Uint8Array) => decodeUtf8(value) ?? fail('invalid UTF-8 in bytes, cannot convert to string')),
    conversion('bool_to_string', 'string', BOOL, STRING, (value: boolean) => String(value)),
    conversion('timestamp_to_string', 'string', TIMESTAMP, STRING, (value: Timestamp) => value.toString()),
    conversion('duration_to_string', 'string', DURATION, STRING, (value: Duration) => formatCelDuration(value)),
    conversion('string_to_bytes', 'bytes', STRING, BYTES, (value: string) => encodeUtf8(value)),
    global('bytes_to_bytes', 'bytes', [BYTES], BYTES, identity),
    global('bool_to_bool', 'bool', [BOOL], BOOL, identity),
    conversion('string_to_bool', 'bool', STRING, BOOL, (value: string) => BOOL_TEXT.get(value) ?? fail(`cannot convert string '${value}' to bool`)),
    conversion('string_to_duration', 'duration', STRING, DURATION, (value: string) => parseDuration(value)),
    global('duration_to_duration', 'duration', [DURATION], DURATION, identity),
    conversion('string_to_timestamp', 'timestamp', STRING, TIMESTAMP, (value: string) => checkTimestampRange(toTimestamp(value))),
    conversion('int64_to_timestamp', 'timestamp', INT, TIMESTAMP, (value: Int64) => timestampOfSeconds(value)),
    global('timestamp_to_timestamp', 'timestamp', [TIMESTAMP], TIMESTAMP, identity),
    // type() and dyn() are compiled specially; these signatures drive the checker.
    global('type', 'type', [A], typeOf(A), identity),
    global('to_dyn', 'dyn', [DYN], DYN, identity),
  ];
}

function sizeOf(value: unknown): number {
  if (typeof value === 'string') return codePointLength(value);
  if (Array.isArray(value) || value instanceof Uint8Array) return value.length;
  if (value instanceof CelMap) return value.size;
  if (value instanceof StringMap) return fail('size not implemented on stringmaps');
  return fail('no such overload: size');
}

function stringOverloads(): Overload[] {
  const size = impl1(sizeOf);
  const out: Overload[] = [];
  for (const [suffix, type] of [
    ['string', STRING],
    ['bytes', BYTES],
    ['list', listOf(A)],
    ['map', mapOf(A, B)],
  ] as const) {
    out.push(global(`size_${suffix}`, 'size', [type], INT, size));
    out.push(member(`${suffix}_size`, 'size', [type], INT, size));
  }
  out.push(
    member('contains_string', 'contains', [STRING, STRING], BOOL, impl2<string, string>((a, b) => a.includes(b))),
    member('starts_with_string', 'startsWith', [STRING, STRING], BOOL, impl2<string, string>((a, b) => a.startsWith(b))),
    member('ends_with_string', 'endsWith', [STRING, STRING], BOOL, impl2<string, string>((a, b) => a.endsWith(b))),
    member('matches_string', 'matches', [STRING, STRING], BOOL, impl2<string, string>((text, pattern) => matchesRegex(pattern, text))),
    global('matches', 'matches', [STRING, STRING], BOOL, impl2<string, string>((text, pattern) => matchesRegex(pattern, text))),
  );
  return out;
}

const TIMESTAMP_ACCESSORS: readonly (readonly [string, TimestampField])[] = [
  ['getFullYear', 'fullYear'],
  ['getMonth', 'month'],
  ['getDayOfYear', 'dayOfYear'],
  ['getDayOfMonth', 'dayOfMonth'],
  ['getDate', 'date'],
  ['getDayOfWeek', 'dayOfWeek'],
  ['getHours', 'hours'],
  ['getMinutes', 'minutes'],
  ['getSeconds', 'seconds'],
  ['getMilliseconds', 'milliseconds'],
];

const DURATION_ACCESSORS: readonly (readonly [string, DurationField])[] = [
  ['getHours', 'hours'],
  ['getMinutes', 'minutes'],
  ['getSeconds', 'seconds'],
  ['getMilliseconds', 'milliseconds'],
];

function timeOverloads(): Overload[] {
  const out: Overload[] = [];
  for (const [fn, field] of TIMESTAMP_ACCESSORS) {
    out.push(member(`timestamp_${fn}`, fn, [TIMESTAMP], INT, impl1<Timestamp>((t) => timestampField(t, field))));
    out.push(
      member(`timestamp_${fn}_with_tz`, fn, [TIMESTAMP, STRING], INT, impl2<Timestamp, string>((t, zone) => timestampField(t, field, zone))),
    );
  }
  for (const [fn, field] of DURATION_ACCESSORS) {
    out.push(member(`duration_${fn}`, fn, [DURATION], INT, impl1<Duration>((d) => durationField(d, field))));
  }
  return out;
}

/** The standard CEL functions: conversions, size, string and time functions. */
export function functionOverloads(): Overload[] {
  return [...conversionOverloads(), ...stringOverloads(), ...timeOverloads()];
}
