import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { InstanceValue } from '../../templates/template.js';
import { LEVEL_TEXT } from './levels.js';
import type { Level } from './params.js';

/** One output line before formatting. */
export interface LogRecord {
  readonly level: Level;
  readonly time: Timestamp;
  /** The instance's fully qualified name. */
  readonly instance: string;
  /** Named values in output order. */
  readonly fields: ReadonlyArray<readonly [string, InstanceValue]>;
}

/**
 * A JSON line: `{"level":"info","time":"2020-01-01T00:00:00.000000Z","instance":"<fqn>",<fields>}`
 * followed by `\n`. Fields keep their order; see jsonValue for values.
 */
export function formatJsonLine(record: LogRecord): string {
  let line = `{"level":"${LEVEL_TEXT[record.level]}","time":"${formatTime(record.time)}","instance":${JSON.stringify(record.instance)}`;
  for (const [name, value] of record.fields) line += `,${JSON.stringify(name)}:${jsonValue(value)}`;
  return `${line}}\n`;
}

/**
 * A console line, zap's console layout: time, level, instance and the fields as one JSON
 * object (left out when there are none), separated by tabs.
 */
export function formatConsoleLine(record: LogRecord): string {
  const head = `${formatTime(record.time)}\t${LEVEL_TEXT[record.level]}\t${record.instance}`;
  if (record.fields.length === 0) return `${head}\n`;
  return `${head}\t{${record.fields.map(([name, value]) => `${JSON.stringify(name)}:${jsonValue(value)}`).join(',')}}\n`;
}

/** RFC 3339 in UTC with exactly six fractional digits, as Istio's stdio wrote times. */
export function formatTime(time: Timestamp): string {
  const base = time.toString().replace(/(\.[0-9]+)?Z$/, '');
  return `${base}.${String(Math.floor(time.nanos / 1000)).padStart(6, '0')}Z`;
}

/**
 * A value as JSON text: strings, booleans and numbers as themselves (INT64 beyond 2^53 as exact
 * digits; NaN and infinities as the strings "NaN", "+Inf", "-Inf"), IP addresses as text,
 * timestamps as RFC 3339, durations as Go text (`1.5s`), string maps as objects with sorted
 * keys, bytes as base64, and unset values as null.
 */
export function jsonValue(value: InstanceValue): string {
  if (value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"+Inf"' : '"-Inf"';
  }
  if (value instanceof IpAddress || value instanceof Timestamp || value instanceof Duration) return JSON.stringify(value.toString());
  if (value instanceof StringMap) return JSON.stringify(value.toObject());
  return JSON.stringify(Buffer.from(value).toString('base64'));
}
