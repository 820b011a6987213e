import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { InstanceValue } from '../../templates/template.js';
import { FieldLayouts } from './field-layout.js';
import { LEVEL_TEXT } from './levels.js';
import type { Level } from './params.js';

/** A leading field printed before the sorted ones (a metric's `value`). */
export interface LeadingField {
  readonly name: string;
  readonly value: InstanceValue;
}

/**
 * Formats log and metric lines in one of two layouts:
 * - JSON: `{"level":"info","time":"2020-01-01T00:00:00.000000Z","instance":"<fqn>",<fields>}`;
 * - console (zap's console layout): time, level, instance and the fields as one JSON object
 *   (left out when there are none), separated by tabs.
 * Fields come in name order, unset ones left out; see jsonValue for values. Each line ends in
 * `\n`. The sorted, quoted field names and the date part of the time are cached, so a line costs
 * little more than its values.
 */
export class LineFormatter {
  private readonly layouts = new FieldLayouts();
  private readonly quotedInstances = new Map<string, string>();
  private readonly times = new TimeText();

  constructor(private readonly asJson: boolean) {}

  line(level: Level, time: Timestamp, instance: string, leading: LeadingField | undefined, values: Readonly<Record<string, InstanceValue>>): string {
    const layout = this.layouts.layoutFor(instance, values);
    let fields = '';
    if (leading !== undefined) fields = `${JSON.stringify(leading.name)}:${jsonValue(leading.value)}`;
    const { names, quotedNames } = layout;
    for (let index = 0; index < names.length; index++) {
      const value = values[names[index]!];
      if (value === undefined) continue;
      fields += fields.length === 0 ? `${quotedNames[index]!}${jsonValue(value)}` : `,${quotedNames[index]!}${jsonValue(value)}`;
    }
    const timeText = this.times.format(time);
    if (this.asJson) {
      const head = `{"level":"${LEVEL_TEXT[level]}","time":"${timeText}","instance":${this.quoted(instance)}`;
      return fields.length === 0 ? `${head}}\n` : `${head},${fields}}\n`;
    }
    const head = `${timeText}\t${LEVEL_TEXT[level]}\t${instance}`;
    return fields.length === 0 ? `${head}\n` : `${head}\t{${fields}}\n`;
  }

  private quoted(instance: string): string {
    let text = this.quotedInstances.get(instance);
    if (text === undefined) {
      text = JSON.stringify(instance);
      this.quotedInstances.set(instance, text);
    }
    return text;
  }
}

/**
 * RFC 3339 in UTC with exactly six fractional digits, as Istio's stdio wrote times. The text up
 * to the seconds is kept for the last second seen, since lines of one batch share it.
 */
export class TimeText {
  private lastSeconds = Number.NaN;
  private lastBase = '';

  format(time: Timestamp): string {
    if (time.seconds !== this.lastSeconds) {
      this.lastBase = Timestamp.fromParts(time.seconds, 0).toString().slice(0, -1);
      this.lastSeconds = time.seconds;
    }
    const micros = Math.floor(time.nanos / 1000);
    return `${this.lastBase}.${micros < 100000 ? String(micros).padStart(6, '0') : String(micros)}Z`;
  }
}

/** `formatTime` for a single time (no cache): see TimeText. */
export function formatTime(time: Timestamp): string {
  return new TimeText().format(time);
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
