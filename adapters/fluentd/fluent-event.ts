import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { LogEntryInstance } from '../../templates/definitions.js';
import type { InstanceValue } from '../../templates/template.js';

/** A msgpack-ready record value. */
export type RecordValue = string | number | boolean | Buffer | null | { readonly [key: string]: string };

/** One event for the forward protocol: its tag, time and record. */
export interface FluentEvent {
  readonly tag: string;
  readonly time: Timestamp;
  readonly record: Readonly<Record<string, RecordValue>>;
}

/**
 * A logentry instance as a Fluentd event, the way Istio's adapter built it: the record is the
 * instance's variables plus `severity`; the tag is the `tag` variable when there is one (it is
 * then removed from the record and the instance name is added as `name`), else the instance's
 * name. The time is the instance's timestamp, or `now` when unset.
 */
export function toFluentEvent(instance: LogEntryInstance, integerDuration: boolean, now: number): FluentEvent {
  const record: Record<string, RecordValue> = {};
  for (const [name, value] of Object.entries(instance.variables)) {
    if (value !== undefined) record[name] = recordValue(value, integerDuration);
  }
  record['severity'] = instance.severity ?? '';
  let tag = instance.name;
  const tagVariable = instance.variables['tag'];
  if (tagVariable !== undefined) {
    delete record['tag'];
    record['name'] = instance.name;
    const text = tagText(tagVariable, integerDuration);
    if (text !== '') tag = text;
  }
  return { tag, time: instance.timestamp ?? Timestamp.fromMillis(now), record };
}

/** A tag variable as text (validation makes it a STRING; other values are printed). */
function tagText(value: Exclude<InstanceValue, undefined>, integerDuration: boolean): string {
  const converted = recordValue(value, integerDuration);
  if (typeof converted === 'string') return converted;
  if (typeof converted === 'number' || typeof converted === 'boolean') return String(converted);
  return '';
}

/**
 * Attribute values in msgpack terms: strings, booleans and doubles as themselves; INT64 as a
 * number (as a decimal string beyond 2^53, which msgpack's JS encoder cannot carry exactly);
 * durations as Go text (`1.5s`) or integer milliseconds; timestamps as RFC 3339 text; IP
 * addresses as text; string maps as maps; bytes as msgpack binary.
 */
export function recordValue(value: Exclude<InstanceValue, undefined>, integerDuration: boolean): RecordValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Duration) return integerDuration ? Number(value.nanos / 1_000_000n) : value.toString();
  if (value instanceof Timestamp || value instanceof IpAddress) return value.toString();
  if (value instanceof StringMap) return value.toObject();
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * About how many bytes an event takes in msgpack (for batching by maxBatchSizeBytes): string
 * lengths plus a few bytes of framing per value. Cheap: no encoding on the Report path.
 */
export function estimateEventBytes(event: FluentEvent): number {
  let bytes = event.tag.length + 16;
  for (const [key, value] of Object.entries(event.record)) bytes += key.length + 2 + estimateValueBytes(value);
  return bytes;
}

function estimateValueBytes(value: RecordValue): number {
  if (typeof value === 'string') return value.length + 3;
  if (typeof value === 'number') return 9;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Buffer.isBuffer(value)) return value.length + 5;
  let bytes = 3;
  for (const [key, entry] of Object.entries(value)) bytes += key.length + entry.length + 6;
  return bytes;
}
