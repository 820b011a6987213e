import { MixerError } from '../errors/mixer-error.js';
import { Duration } from './duration.js';

const NANOS_PER_SECOND = 1_000_000_000;

export class TimestampParseError extends MixerError {
  constructor(readonly text: string) {
    super('MIXER_ERR_TIMESTAMP', `cannot parse ${JSON.stringify(text)} as an RFC 3339 timestamp`);
  }
}

// RFC 3339 as Go's time.RFC3339 layout accepts it: a 'T' separator, optional fraction of any
// length, and 'Z' or a numeric offset.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An instant with nanosecond precision, stored like google.protobuf.Timestamp: whole seconds
 * since the Unix epoch and a non-negative nanosecond part. Immutable.
 */
export class Timestamp {
  static readonly EPOCH = new Timestamp(0, 0);

  private constructor(
    readonly seconds: number,
    readonly nanos: number,
  ) {}

  static fromParts(seconds: number, nanos: number): Timestamp {
    const carry = Math.floor(nanos / NANOS_PER_SECOND);
    return new Timestamp(seconds + carry, nanos - carry * NANOS_PER_SECOND);
  }

  static fromMillis(millis: number): Timestamp {
    const seconds = Math.floor(millis / 1000);
    return new Timestamp(seconds, Math.round((millis - seconds * 1000) * 1_000_000));
  }

  static fromDate(date: Date): Timestamp {
    return Timestamp.fromMillis(date.getTime());
  }

  static now(): Timestamp {
    return Timestamp.fromMillis(Date.now());
  }

  /** Parses RFC 3339 text the way Go's time.Parse(time.RFC3339, text) does. */
  static parse(text: string): Timestamp {
    const parsed = Timestamp.tryParse(text);
    if (parsed === undefined) throw new TimestampParseError(text);
    return parsed;
  }

  static tryParse(text: string): Timestamp | undefined {
    const match = RFC3339.exec(text);
    if (match === null) return undefined;
    const [, y, mo, d, h, mi, s, fraction, zone] = match as unknown as string[];
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    let offsetSeconds = 0;
    if (zone !== 'Z') {
      const zoneHours = Number(zone!.slice(1, 3));
      const zoneMinutes = Number(zone!.slice(4, 6));
      if (zoneHours > 23 || zoneMinutes > 59) return undefined;
      offsetSeconds = (zoneHours * 3600 + zoneMinutes * 60) * (zone![0] === '-' ? -1 : 1);
    }
    const epochSeconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetSeconds;
    // Date.UTC maps years 0..99 to 1900..1999; correct that.
    const corrected = year < 100 ? epochSeconds + yearShiftSeconds(year) : epochSeconds;
    const nanos = fraction === undefined ? 0 : Number(fraction.slice(0, 9).padEnd(9, '0'));
    return new Timestamp(corrected, nanos);
  }

  equals(other: Timestamp): boolean {
    return this.seconds === other.seconds && this.nanos === other.nanos;
  }

  compare(other: Timestamp): number {
    if (this.seconds !== other.seconds) return this.seconds < other.seconds ? -1 : 1;
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  plus(duration: Duration): Timestamp {
    const total = BigInt(this.seconds) * 1_000_000_000n + BigInt(this.nanos) + duration.nanos;
    const seconds = total / 1_000_000_000n;
    const nanos = total % 1_000_000_000n;
    return Timestamp.fromParts(Number(seconds), Number(nanos));
  }

  /** The duration from `other` to this instant. */
  since(other: Timestamp): Duration {
    return Duration.ofNanos(
      (BigInt(this.seconds) - BigInt(other.seconds)) * 1_000_000_000n + BigInt(this.nanos - other.nanos),
    );
  }

  toMillis(): number {
    return this.seconds * 1000 + this.nanos / 1_000_000;
  }

  toDate(): Date {
    return new Date(this.toMillis());
  }

  /** RFC 3339 in UTC with the fraction trimmed of trailing zeros (Go's RFC3339Nano). */
  toString(): string {
    const date = new Date(this.seconds * 1000);
    const iso = date.toISOString(); // yyyy-mm-ddThh:mm:ss.000Z for years 0..9999
    const base = iso.slice(0, 19);
    const fraction = this.nanos === 0 ? '' : `.${String(this.nanos).padStart(9, '0').replace(/0+$/, '')}`;
    return `${base}${fraction}Z`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function yearShiftSeconds(year: number): number {
  const wanted = new Date(0);
  wanted.setUTCFullYear(year, 0, 1);
  const mapped = Date.UTC(year, 0, 1);
  return (wanted.getTime() - mapped) / 1000;
}
