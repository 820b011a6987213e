import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MixerError } from '../errors/mixer-error.js';
import { Duration, DurationParseError } from './duration.js';

// Expected values were produced by Go 1.26's time.ParseDuration and time.Duration.String() on
// the same inputs (a differential oracle run outside this repository).

/** [text, nanoseconds, Go's String() of the result] */
const ACCEPTED: ReadonlyArray<readonly [string, bigint, string]> = [
  ['0', 0n, '0s'],
  ['-0', 0n, '0s'],
  ['+0', 0n, '0s'],
  ['10s', 10000000000n, '10s'],
  ['0s', 0n, '0s'],
  ['1h30m', 5400000000000n, '1h30m0s'],
  ['19ms', 19000000n, '19ms'],
  ['20ms', 20000000n, '20ms'],
  ['30s', 30000000000n, '30s'],
  ['1m', 60000000000n, '1m0s'],
  ['1.5h', 5400000000000n, '1h30m0s'],
  ['-1.5h', -5400000000000n, '-1h30m0s'],
  ['.5s', 500000000n, '500ms'],
  ['5.s', 5000000000n, '5s'],
  ['300ms', 300000000n, '300ms'],
  ['2h45m', 9900000000000n, '2h45m0s'],
  ['1µs', 1000n, '1µs'],
  ['1μs', 1000n, '1µs'],
  ['1us', 1000n, '1µs'],
  ['1ns', 1n, '1ns'],
  ['1h2m3.5s', 3723500000000n, '1h2m3.5s'],
  ['1h1h', 7200000000000n, '2h0m0s'],
  ['0.3h', 1080000000000n, '18m0s'],
  ['0.7ms', 700000n, '700µs'],
  ['1.1h', 3960000000000n, '1h6m0s'],
  ['3.000000001s', 3000000001n, '3.000000001s'],
  ['1.0000000001s', 1000000000n, '1s'],
  ['0.1234567891234s', 123456789n, '123.456789ms'],
  ['1.999999999999999999999s', 2000000000n, '2s'],
  ['0.0000000001s', 0n, '0s'],
  ['9223372036854775807ns', 9223372036854775807n, '2562047h47m16.854775807s'],
  ['-9223372036854775808ns', -9223372036854775808n, '-2562047h47m16.854775808s'],
  ['2562047h47m16.854775807s', 9223372036854775807n, '2562047h47m16.854775807s'],
  ['-2562047h47m16.854775808s', -9223372036854775808n, '-2562047h47m16.854775808s'],
  ['100.00000000000000000001ns', 100n, '100ns'],
  ['1.00000000000000000000000000000001s', 1000000000n, '1s'],
  ['0.9999999999999999999999999999h', 3600000000000n, '1h0m0s'],
  ['+5m', 300000000000n, '5m0s'],
  ['1m0.5s', 60500000000n, '1m0.5s'],
  ['1h0m0s', 3600000000000n, '1h0m0s'],
];

/** [text, Go's error message] */
const REJECTED: ReadonlyArray<readonly [string, string]> = [
  ['', 'time: invalid duration ""'],
  ['-', 'time: invalid duration "-"'],
  ['+', 'time: invalid duration "+"'],
  ['1', 'time: missing unit in duration "1"'],
  ['1x', 'time: unknown unit "x" in duration "1x"'],
  ['abc', 'time: invalid duration "abc"'],
  ['.s', 'time: invalid duration ".s"'],
  ['-.s', 'time: invalid duration "-.s"'],
  ['1.', 'time: missing unit in duration "1."'],
  ['s', 'time: invalid duration "s"'],
  ['ms', 'time: invalid duration "ms"'],
  ['s1', 'time: invalid duration "s1"'],
  ['1H', 'time: unknown unit "H" in duration "1H"'],
  ['1m ', 'time: unknown unit "m " in duration "1m "'],
  [' 1m', 'time: invalid duration " 1m"'],
  ['1e3s', 'time: unknown unit "e" in duration "1e3s"'],
  ['1µ', 'time: unknown unit "\\xc2\\xb5" in duration "1\\xc2\\xb5"'],
  ['1é', 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'],
  ['1"s', 'time: unknown unit "\\"s" in duration "1\\"s"'],
  ['1\\s', 'time: unknown unit "\\\\s" in duration "1\\\\s"'],
  ['1\ts', 'time: unknown unit "\\x09s" in duration "1\\x09s"'],
  ['1\u0000s', 'time: unknown unit "\\x00s" in duration "1\\x00s"'],
  ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
  ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
  ['2562048h', 'time: invalid duration "2562048h"'],
  ['2562047h47m16.854775808s', 'time: invalid duration "2562047h47m16.854775808s"'],
  ['9223372036854775807', 'time: missing unit in duration "9223372036854775807"'],
  ['100000000000000000000000000000000000000s', 'time: invalid duration "100000000000000000000000000000000000000s"'],
  ['12345678901234567890ns', 'time: invalid duration "12345678901234567890ns"'],
  ['1s2', 'time: missing unit in duration "1s2"'],
  ['1..5s', 'time: missing unit in duration "1..5s"'],
  ['--1s', 'time: invalid duration "--1s"'],
  ['1s-1s', 'time: unknown unit "s-" in duration "1s-1s"'],
  ['0x10s', 'time: unknown unit "x" in duration "0x10s"'],
];

/** [nanoseconds, Go's Duration.String()] */
const FORMATTED: ReadonlyArray<readonly [bigint, string]> = [
  [0n, '0s'],
  [1n, '1ns'],
  [999n, '999ns'],
  [1000n, '1µs'],
  [1001n, '1.001µs'],
  [1500n, '1.5µs'],
  [999999n, '999.999µs'],
  [1000000n, '1ms'],
  [1500000n, '1.5ms'],
  [1000001n, '1.000001ms'],
  [999999999n, '999.999999ms'],
  [1000000000n, '1s'],
  [1500000000n, '1.5s'],
  [59999999999n, '59.999999999s'],
  [60000000000n, '1m0s'],
  [61000000000n, '1m1s'],
  [3600000000000n, '1h0m0s'],
  [3600000000001n, '1h0m0.000000001s'],
  [3723500000000n, '1h2m3.5s'],
  [86400000000000n, '24h0m0s'],
  [-1n, '-1ns'],
  [-1500000n, '-1.5ms'],
  [-3723500000000n, '-1h2m3.5s'],
  [9223372036854775807n, '2562047h47m16.854775807s'],
  [-9223372036854775808n, '-2562047h47m16.854775808s'],
];

describe('Duration.parse (Go time.ParseDuration)', () => {
  for (const [text, nanos, printed] of ACCEPTED) {
    it(`accepts ${JSON.stringify(text)}`, () => {
      const duration = Duration.parse(text);
      assert.equal(duration.nanos, nanos);
      assert.equal(duration.toString(), printed);
      assert.equal(Duration.tryParse(text)?.nanos, nanos);
    });
  }

  for (const [text, message] of REJECTED) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => Duration.parse(text),
        (error: unknown) => error instanceof DurationParseError && error.message === message && error.text === text,
      );
      assert.equal(Duration.tryParse(text), undefined);
    });
  }

  it('raises a coded MixerError', () => {
    assert.throws(() => Duration.parse('1x'), (error: unknown) => MixerError.is(error) && error.code === 'MIXER_ERR_DURATION');
  });
});

describe('Duration.toString (Go time.Duration.String)', () => {
  for (const [nanos, printed] of FORMATTED) {
    it(`prints ${nanos}ns as ${printed}`, () => {
      assert.equal(Duration.ofNanos(nanos).toString(), printed);
      assert.equal(Duration.ofNanos(nanos).toJSON(), printed);
    });
  }

  it('round-trips its own output through parse', () => {
    for (const [nanos] of FORMATTED) {
      assert.equal(Duration.parse(Duration.ofNanos(nanos).toString()).nanos, nanos);
    }
  });
});

describe('Duration arithmetic and conversions', () => {
  it('clamps to the int64 range like a Go Duration', () => {
    assert.equal(Duration.ofNanos(1n << 70n).nanos, (1n << 63n) - 1n);
    assert.equal(Duration.ofNanos(-(1n << 70n)).nanos, -(1n << 63n));
  });

  it('builds from protobuf parts and exposes them with matching signs', () => {
    const duration = Duration.fromParts(-1, -500_000_000);
    assert.equal(duration.nanos, -1_500_000_000n);
    assert.equal(duration.seconds, -1);
    assert.equal(duration.subsecondNanos, -500_000_000);
    assert.equal(duration.toString(), '-1.5s');
  });

  it('converts milliseconds and seconds', () => {
    assert.equal(Duration.ofMillis(1.5).nanos, 1_500_000n);
    assert.equal(Duration.parse('1500ms').toSeconds(), 1.5);
    assert.equal(Duration.parse('2s').toMillis(), 2000);
  });

  it('compares, adds and tests equality', () => {
    const short = Duration.parse('19ms');
    const long = Duration.parse('20ms');
    assert.equal(short.compare(long), -1);
    assert.equal(long.compare(short), 1);
    assert.equal(short.compare(Duration.parse('19000us')), 0);
    assert.ok(short.equals(Duration.parse('0.019s')));
    assert.ok(!short.equals(long));
    assert.equal(short.plus(long).toString(), '39ms');
    assert.equal(Duration.ofNanos(0), Duration.ZERO);
  });
});
