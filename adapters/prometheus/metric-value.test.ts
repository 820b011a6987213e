import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import { durationSeconds, metricValue, parseGoFloat } from './metric-value.js';

const ok = (value: number) => ({ ok: true, value });

describe('prometheus metric values', () => {
  it('takes doubles, int64 (bigint too), durations in seconds and numeric strings', () => {
    assert.deepEqual(metricValue(2.5), ok(2.5));
    assert.deepEqual(metricValue(42), ok(42));
    assert.deepEqual(metricValue(9007199254740993n), ok(9007199254740992));
    assert.deepEqual(metricValue(Duration.parse('1.5s')), ok(1.5));
    assert.deepEqual(metricValue(Duration.parse('15ms')), ok(0.015));
    assert.deepEqual(metricValue('1e3'), ok(1000));
    assert.deepEqual(metricValue('-0.25'), ok(-0.25));
  });

  it('converts durations like Go: whole seconds plus the fraction', () => {
    assert.equal(durationSeconds(Duration.parse('2h0m0.000000001s')), 7200.000000001);
    assert.equal(durationSeconds(Duration.parse('-1.5s')), -1.5);
  });

  it('parses strings like strconv.ParseFloat, with its errors', () => {
    assert.deepEqual(parseGoFloat('+Inf'), ok(Number.POSITIVE_INFINITY));
    assert.deepEqual(parseGoFloat('-infinity'), ok(Number.NEGATIVE_INFINITY));
    assert.ok(Number.isNaN((parseGoFloat('NaN') as { value: number }).value));
    assert.deepEqual(parseGoFloat('.5'), ok(0.5));
    assert.deepEqual(parseGoFloat('5.'), ok(5));
    assert.deepEqual(parseGoFloat('abc'), { ok: false, reason: 'strconv.ParseFloat: parsing "abc": invalid syntax' });
    assert.deepEqual(parseGoFloat(' 1'), { ok: false, reason: 'strconv.ParseFloat: parsing " 1": invalid syntax' });
    assert.deepEqual(parseGoFloat(''), { ok: false, reason: 'strconv.ParseFloat: parsing "": invalid syntax' });
    assert.deepEqual(parseGoFloat('+nan'), { ok: false, reason: 'strconv.ParseFloat: parsing "+nan": invalid syntax' });
    assert.deepEqual(parseGoFloat('1e400'), { ok: false, reason: 'strconv.ParseFloat: parsing "1e400": value out of range' });
  });

  it('refuses everything else', () => {
    assert.deepEqual(metricValue(true), { ok: false, reason: 'could not extract numeric value for true' });
    assert.deepEqual(metricValue(undefined), { ok: false, reason: 'could not extract numeric value for <nil>' });
    assert.deepEqual(metricValue(IpAddress.parse('10.0.0.1')), { ok: false, reason: 'could not extract numeric value for 10.0.0.1' });
    assert.equal(metricValue(Timestamp.fromMillis(0)).ok, false);
    assert.equal(metricValue(StringMap.fromObject({ a: 'b' })).ok, false);
    assert.deepEqual(metricValue(new Uint8Array([1, 2])), { ok: false, reason: 'could not extract numeric value for [1 2]' });
  });
});
