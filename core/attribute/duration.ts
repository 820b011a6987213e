import { MixerError } from '../errors/mixer-error.js';

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

export class DurationParseError extends MixerError {
  constructor(readonly text: string, reason: string) {
    super('MIXER_ERR_DURATION', `time: ${reason} ${goQuote(text)}`);
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
    return Duration.ofNanos(parseGoDuration(text));
  }

  /** Like parse, but returns undefined instead of throwing. */
  static tryParse(text: string): Duration | undefined {
    try {
      return Duration.parse(text);
    } catch {
      return undefined;
    }
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

/** Quotes like Go's strconv.Quote for the ASCII subset that error messages need. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}

function parseGoDuration(original: string): bigint {
  let text = original;
  let negative = false;
  if (text !== '' && (text[0] === '-' || text[0] === '+')) {
    negative = text[0] === '-';
    text = text.slice(1);
  }
  if (text === '0') return 0n;
  if (text === '') throw new DurationParseError(original, 'invalid duration');

  let total = 0n;
  while (text !== '') {
    // The integer part.
    let index = 0;
    while (index < text.length && isDigit(text.charCodeAt(index))) index++;
    const whole = text.slice(0, index);
    text = text.slice(index);
    let fraction = '';
    if (text.startsWith('.')) {
      text = text.slice(1);
      index = 0;
      while (index < text.length && isDigit(text.charCodeAt(index))) index++;
      fraction = text.slice(0, index);
      text = text.slice(index);
      if (whole === '' && fraction === '') throw new DurationParseError(original, 'invalid duration');
    } else if (whole === '') {
      throw new DurationParseError(original, 'invalid duration');
    }
    // The unit.
    index = 0;
    while (index < text.length) {
      const code = text.charCodeAt(index);
      if (code === 0x2e || isDigit(code)) break;
      index++;
    }
    if (index === 0) throw new DurationParseError(original, 'missing unit in duration');
    const unitName = text.slice(0, index);
    text = text.slice(index);
    const unit = UNIT_NANOS.get(unitName);
    if (unit === undefined) {
      throw new MixerError('MIXER_ERR_DURATION', `time: unknown unit ${goQuote(unitName)} in duration ${goQuote(original)}`);
    }
    let value = whole === '' ? 0n : BigInt(whole) * unit;
    if (fraction !== '') {
      // Scale the fraction by the unit, truncating like Go does.
      value += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    }
    total += value;
    if (total > MAX_INT64 + (negative ? 1n : 0n)) throw new DurationParseError(original, 'invalid duration');
  }
  return negative ? -total : total;
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
