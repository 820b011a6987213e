import { MixerError } from '../errors/mixer-error.js';
import { Duration } from './duration.js';
import { goTimeQuote } from './go-quote.js';

const NANOS_PER_SECOND = 1_000_000_000;
const SECONDS_PER_DAY = 86_400;
const RFC3339_LAYOUT = '2006-01-02T15:04:05Z07:00';

/** Text that Go's time.Parse(time.RFC3339, text) rejects; the message is Go's ParseError text. */
export class TimestampParseError extends MixerError {
  constructor(
    readonly text: string,
    message: string,
  ) {
    super('MIXER_ERR_TIMESTAMP', message);
  }
}

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

  /**
   * Parses text the way Go's time.Parse(time.RFC3339, text) does. That is more lenient than RFC
   * 3339: the hour may have one digit, the fraction may follow a comma and have any length (it is
   * truncated to nanoseconds), and offsets go up to ±24:60. Lower-case `t`/`z`, `24:00:00`, leap
   * seconds (`:60`) and years outside 0000–9999 are rejected.
   */
  static parse(text: string): Timestamp {
    const parsed = parseRfc3339(text);
    if (typeof parsed === 'string') throw new TimestampParseError(text, parsed);
    return parsed;
  }

  static tryParse(text: string): Timestamp | undefined {
    const parsed = parseRfc3339(text);
    return typeof parsed === 'string' ? undefined : parsed;
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
    let seconds = total / 1_000_000_000n;
    let nanos = total % 1_000_000_000n;
    if (nanos < 0n) {
      seconds -= 1n;
      nanos += 1_000_000_000n;
    }
    return new Timestamp(Number(seconds), Number(nanos));
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

  /**
   * Go's `t.UTC().Format(time.RFC3339Nano)`: the fraction trimmed of trailing zeros, the year
   * padded to four digits (`-0001`, `10000` outside 0000–9999).
   */
  toString(): string {
    const days = Math.floor(this.seconds / SECONDS_PER_DAY);
    const secondOfDay = this.seconds - days * SECONDS_PER_DAY;
    const { year, month, day } = civilFromDays(days);
    const hour = Math.floor(secondOfDay / 3600);
    const minute = Math.floor((secondOfDay % 3600) / 60);
    const second = secondOfDay % 60;
    const yearText = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
    let fraction = '';
    if (this.nanos !== 0) {
      let digits = pad(this.nanos, 9);
      let end = digits.length;
      while (digits.charCodeAt(end - 1) === 0x30) end--;
      digits = digits.slice(0, end);
      fraction = `.${digits}`;
    }
    const date = `${yearText}-${pad(month, 2)}-${pad(day, 2)}`;
    return `${date}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${fraction}Z`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Go's generic layout parser applied to the RFC 3339 layout (time.Parse tries a strict fast path
 * first, but falls back to this, which accepts everything the fast path does). Returns the
 * instant, or Go's error message.
 */
function parseRfc3339(value: string): Timestamp | string {
  const reader = new LayoutReader(value);
  const year = reader.longYear();
  if (year === undefined) return reader.error;
  const month = reader.literal('-') && reader.number('01', true, (n) => n >= 1 && n <= 12, 'month');
  if (month === undefined) return reader.error;
  const day = reader.literal('-') && reader.number('02', true, () => true, '');
  if (day === undefined) return reader.error;
  const hour = reader.literal('T') && reader.number('15', false, (n) => n < 24, 'hour');
  if (hour === undefined) return reader.error;
  const minute = reader.literal(':') && reader.number('04', true, (n) => n < 60, 'minute');
  if (minute === undefined) return reader.error;
  const second = reader.literal(':') && reader.number('05', true, (n) => n < 60, 'second');
  if (second === undefined) return reader.error;
  const nanos = reader.optionalFraction();
  const offset = reader.zone();
  if (offset === undefined) return reader.error;
  if (!reader.atEnd()) return reader.extraText();
  if (day < 1 || day > daysIn(month, year)) return reader.rangeError('day');
  const seconds = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset;
  return Timestamp.fromParts(seconds, nanos);
}

/** A cursor over the value with Go's ParseError texts. */
class LayoutReader {
  private rest: string;
  error = '';

  constructor(private readonly value: string) {
    this.rest = value;
  }

  atEnd(): boolean {
    return this.rest === '';
  }

  /** `2006`: exactly four digits. */
  longYear(): number | undefined {
    const rest = this.rest;
    if (rest.length < 4 || !isDigitAt(rest, 0) || !isDigitAt(rest, 1) || !isDigitAt(rest, 2) || !isDigitAt(rest, 3)) {
      return this.cannotParse(rest, '2006');
    }
    this.rest = rest.slice(4);
    return Number(rest.slice(0, 4));
  }

  /** The literal text between two layout elements. */
  literal(text: string): true | undefined {
    if (this.rest.startsWith(text)) {
      this.rest = this.rest.slice(text.length);
      return true;
    }
    return this.cannotParse(this.rest, text);
  }

  /** A one- or two-digit number (Go's getnum); `fixed` requires two digits. */
  number(element: string, fixed: boolean, inRange: (n: number) => boolean, rangeName: string): number | undefined {
    const rest = this.rest;
    if (!isDigitAt(rest, 0)) return this.cannotParse(rest, element);
    let digits = 1;
    if (isDigitAt(rest, 1)) digits = 2;
    else if (fixed) return this.cannotParse(rest, element);
    const result = Number(rest.slice(0, digits));
    this.rest = rest.slice(digits);
    if (!inRange(result)) return this.rangeFailure(rangeName);
    return result;
  }

  /** A fraction after the seconds: `.` or `,` then any number of digits, truncated to 9. */
  optionalFraction(): number {
    const rest = this.rest;
    if (rest.length < 2 || (rest[0] !== '.' && rest[0] !== ',') || !isDigitAt(rest, 1)) return 0;
    let end = 2;
    while (isDigitAt(rest, end)) end++;
    this.rest = rest.slice(end);
    return Number(rest.slice(1, Math.min(end, 10)).padEnd(9, '0'));
  }

  /** `Z07:00`: `Z`, or a sign, two digits, `:` and two digits (hours up to 24, minutes up to 60). */
  zone(): number | undefined {
    const rest = this.rest;
    if (rest.startsWith('Z')) {
      this.rest = rest.slice(1);
      return 0;
    }
    if (rest.length < 6 || rest[3] !== ':') return this.cannotParse(rest, 'Z07:00');
    // Go reads the hour, then the minute; a range error wins over a malformed part or sign.
    let hours = 0;
    let minutes = 0;
    let malformed = true;
    if (isDigitAt(rest, 1) && isDigitAt(rest, 2)) {
      hours = Number(rest.slice(1, 3));
      if (isDigitAt(rest, 4) && isDigitAt(rest, 5)) {
        minutes = Number(rest.slice(4, 6));
        malformed = false;
      }
    }
    this.rest = rest.slice(6);
    if (minutes > 60) return this.rangeFailure('time zone offset minute');
    if (hours > 24) return this.rangeFailure('time zone offset hour');
    if (malformed || (rest[0] !== '+' && rest[0] !== '-')) return this.cannotParse(rest, 'Z07:00');
    const offset = hours * 3600 + minutes * 60;
    return rest[0] === '-' ? -offset : offset;
  }

  extraText(): string {
    return `parsing time ${goTimeQuote(this.value)}: extra text: ${goTimeQuote(this.rest)}`;
  }

  rangeError(name: string): string {
    return `parsing time ${goTimeQuote(this.value)}: ${name} out of range`;
  }

  private rangeFailure(name: string): undefined {
    this.error = this.rangeError(name);
    return undefined;
  }

  private cannotParse(valueElement: string, layoutElement: string): undefined {
    this.error =
      `parsing time ${goTimeQuote(this.value)} as ${goTimeQuote(RFC3339_LAYOUT)}: ` +
      `cannot parse ${goTimeQuote(valueElement)} as ${goTimeQuote(layoutElement)}`;
    return undefined;
  }
}

function isDigitAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 0x30 && code <= 0x39;
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (any year). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The proleptic Gregorian date of a day count since 1970-01-01. */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}
