import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { InstanceValue } from '../../templates/template.js';

/**
 * An attribute value as JSON text for a document:
 * - strings and booleans as themselves; INT64 as a number (exact digits beyond 2^53, which
 *   Elasticsearch's `long` holds); doubles as numbers, NaN and the infinities as null (JSON
 *   has no such numbers);
 * - timestamps as RFC 3339 / ISO 8601 in UTC (`2019-05-06T07:08:09.123456789Z`);
 * - durations as milliseconds, a number (`1.5s` → 1500, `250us` → 0.25);
 * - IP addresses as text (`10.1.2.3`, `2001:db8::1`), which the `ip` field type reads;
 * - string maps as objects; bytes as base64 text;
 * - unset values as null.
 */
export function jsonValue(value: InstanceValue): string {
  if (value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value instanceof Timestamp || value instanceof IpAddress) return JSON.stringify(value.toString());
  if (value instanceof Duration) return String(durationMillis(value));
  if (value instanceof StringMap) return JSON.stringify(value.toObject());
  return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
}

/** Milliseconds, exact to the nanosecond as far as a double allows. */
export function durationMillis(duration: Duration): number {
  const whole = duration.nanos / 1_000_000n;
  const rest = duration.nanos % 1_000_000n;
  return Number(whole) + Number(rest) / 1e6;
}

/** Builds a JSON object as text, field by field, skipping unset values. */
export class JsonObjectWriter {
  private text = '{';

  field(name: string, value: InstanceValue): this {
    if (value === undefined) return this;
    this.raw(name, jsonValue(value));
    return this;
  }

  /** A field whose value is already JSON text. */
  raw(name: string, json: string): this {
    if (this.text.length > 1) this.text += ',';
    this.text += `${JSON.stringify(name)}:${json}`;
    return this;
  }

  /** A nested object of named values, left out when it has none set. */
  object(name: string, values: Readonly<Record<string, InstanceValue>>): this {
    const nested = new JsonObjectWriter();
    for (const key of Object.keys(values)) nested.field(key, values[key]);
    if (!nested.empty) this.raw(name, nested.toString());
    return this;
  }

  get empty(): boolean {
    return this.text.length === 1;
  }

  toString(): string {
    return `${this.text}}`;
  }
}
