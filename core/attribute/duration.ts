import { MixerError } from '../errors/mixer-error.js';
import { goTimeQuote } from './go-quote.js';

const NANOS_PER_SECOND = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

/** Units accepted by Go's time.ParseDuration, in nanoseconds. */
const UNIT_NANOS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', NANOS_PER_SECOND],
  ['m', 60n * NANOS_PER_SECOND],
  ['h', 3600n * NANOS_PER_SECOND],
]);

/**
 * Text that Go's time.ParseDuration rejects; the message is Go's (`time: invalid duration "abc"`,
 * `time: missing unit in duration "1"`, `time: unknown unit "x" in duration "1x"`).
 */
export class DurationParseError extends MixerError {
  constructor(
    readonly text: string,
    reason: string,
  ) {
    super('MIXER_ERR_DURATION', `time: ${reason} ${goTimeQuote(text)}`);
  }
}

/**
 * A signed span of time with nanosecond precision, the range of Go's time.Duration (int64
 * nanoseconds). Immutable.
 */
export class Duration {
  static readonly ZERO = new Duration(0n);

  private constructor(readonly nanos: bigint) {}

  static ofNanos(nanos: bigint | number): Duration {
    const value = typeof nanos === 'bigint' ? nanos : BigInt(Math.trunc(nanos));
    if (value === 0n) return Duration.ZERO;
    return new Duration(clampInt64(value));
  }

  static ofMillis(millis: number): Duration {
    return Duration.ofNanos(BigInt(Math.round(millis * 1_000_000)));
  }

  /** From the protobuf form (seconds and nanos, same sign). */
  static fromParts(seconds: number | bigint, nanos: number): Duration {
    return Duration.ofNanos(BigInt(seconds) * NANOS_PER_SECOND + BigInt(nanos));
  }

  /**
   * Parses Go's duration syntax: an optional sign then one or more decimal numbers with a
   * unit (`300ms`, `-1.5h`, `2h45m`). `0` alone is accepted, as in Go.
   */
  static parse(text: string): Duration {
    const parsed = parseGoDuration(text);
    if (typeof parsed === 'string') throw new DurationParseError(text, parsed);
    return Duration.ofNanos(parsed);
  }

  /** Like parse, but returns undefined instead of throwing. */
  static tryParse(text: string): Duration | undefined {
    const parsed = parseGoDuration(text);
    return typeof parsed === 'string' ? undefined : Duration.ofNanos(parsed);
  }

  get seconds(): number {
    return Number(this.nanos / NANOS_PER_SECOND);
  }

  /** The sub-second part, with the same sign as `seconds` (protobuf convention). */
  get subsecondNanos(): number {
    return Number(this.nanos % NANOS_PER_SECOND);
  }

  toSeconds(): number {
    return Number(this.nanos) / 1e9;
  }

  toMillis(): number {
    return Number(this.nanos) / 1e6;
  }

  equals(other: Duration): boolean {
    return this.nanos === other.nanos;
  }

  compare(other: Duration): number {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  plus(other: Duration): Duration {
    return Duration.ofNanos(this.nanos + other.nanos);
  }

  /** Go's time.Duration.String(): `1h2m3.5s`, `1.5ms`, `0s`. */
  toString(): string {
    return formatGoDuration(this.nanos);
  }

  toJSON(): string {
    return this.toString();
  }
}

function clampInt64(value: bigint): bigint {
  if (value > MAX_INT64) return MAX_INT64;
  if (value < MIN_INT64) return MIN_INT64;
  return value;
}

const TWO_POW_63 = 1n << 63n;

/**
 * Go's time.ParseDuration: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or `0` alone. Whole parts are
 * accumulated in unsigned 64-bit arithmetic with Go's overflow checks; a fraction is scaled in
 * float64 and truncated, exactly as Go does, so `1.0000000001s` and friends agree to the
 * nanosecond.
 */
/** Returns the nanoseconds, or the reason for Go's error (`invalid duration`, ...). */
function parseGoDuration(original: string): bigint | string {
  let text = original;
  let negative = false;
  if (text !== '' && (text[0] === '-' || text[0] === '+')) {
    negative = text[0] === '-';
    text = text.slice(1);
  }
  if (text === '0') return 0n;
  if (text === '') return 'invalid duration';

  let total = 0n;
  let position = 0;
  while (position < text.length) {
    const first = text.charCodeAt(position);
    if (!(first === 0x2e || isDigit(first))) return 'invalid duration';

    // The whole part: [0-9]*, failing on overflow like Go's leadingInt.
    const wholeStart = position;
    let whole = 0n;
    for (; position < text.length && isDigit(text.charCodeAt(position)); position++) {
      if (whole > TWO_POW_63 / 10n) return 'invalid duration';
      whole = whole * 10n + BigInt(text.charCodeAt(position) - 0x30);
      if (whole > TWO_POW_63) return 'invalid duration';
    }
    const hasWhole = position !== wholeStart;

    // The fraction: (\.[0-9]*)?, which stops gaining precision instead of failing on overflow.
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (position < text.length && text.charCodeAt(position) === 0x2e) {
      position++;
      const fractionStart = position;
      let overflow = false;
      for (; position < text.length && isDigit(text.charCodeAt(position)); position++) {
        if (overflow) continue;
        if (fraction > MAX_INT64 / 10n) {
          overflow = true;
          continue;
        }
        const next = fraction * 10n + BigInt(text.charCodeAt(position) - 0x30);
        if (next > TWO_POW_63) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      hasFraction = position !== fractionStart;
    }
    if (!hasWhole && !hasFraction) return 'invalid duration';

    // The unit: everything up to the next '.' or digit.
    const unitStart = position;
    while (position < text.length) {
      const code = text.charCodeAt(position);
      if (code === 0x2e || isDigit(code)) break;
      position++;
    }
    if (position === unitStart) return 'missing unit in duration';
    const unitName = text.slice(unitStart, position);
    const unit = UNIT_NANOS.get(unitName);
    if (unit === undefined) {
      return `unknown unit ${goTimeQuote(unitName)} in duration`;
    }
    if (whole > TWO_POW_63 / unit) return 'invalid duration';
    let value = whole * unit;
    if (fraction > 0n) {
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > TWO_POW_63) return 'invalid duration';
    }
    total += value;
    if (total > TWO_POW_63) return 'invalid duration';
  }
  if (negative) return -total;
  if (total > MAX_INT64) return 'invalid duration';
  return total;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const negative = nanos < 0n;
  let u = negative ? -nanos : nanos;
  let text: string;
  if (u < NANOS_PER_SECOND) {
    // Sub-second: use the largest unit that keeps a leading non-zero digit.
    let unit: string;
    let precision: number;
    if (u < 1_000n) {
      return `${negative ? '-' : ''}${u}ns`;
    } else if (u < 1_000_000n) {
      unit = 'µs';
      precision = 3;
    } else {
      unit = 'ms';
      precision = 6;
    }
    text = formatFraction(u, precision) + unit;
  } else {
    const hours = u / (3600n * NANOS_PER_SECOND);
    u -= hours * 3600n * NANOS_PER_SECOND;
    const minutes = u / (60n * NANOS_PER_SECOND);
    u -= minutes * 60n * NANOS_PER_SECOND;
    text = `${formatFraction(u, 9)}s`;
    if (hours > 0n) text = `${hours}h${minutes}m${text}`;
    else if (minutes > 0n) text = `${minutes}m${text}`;
  }
  return negative ? `-${text}` : text;
}

/** value / 10^precision printed with the fractional digits trimmed of trailing zeros. */
function formatFraction(value: bigint, precision: number): string {
  const scale = 10n ** BigInt(precision);
  const whole = value / scale;
  const fraction = (value % scale).toString().padStart(precision, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}
