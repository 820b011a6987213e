import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import { formatGoFloat, labelValue } from './label-value.js';

describe('prometheus label values (Istio adapter.Stringify)', () => {
  it('stringifies every value type', () => {
    assert.equal(labelValue('reviews'), 'reviews');
    assert.equal(labelValue(200), '200');
    assert.equal(labelValue(9223372036854775807n), '9223372036854775807');
    assert.equal(labelValue(0.25), '0.25');
    assert.equal(labelValue(true), 'true');
    assert.equal(labelValue(false), 'false');
    assert.equal(labelValue(Duration.parse('1500ms')), '1.5s');
    assert.equal(labelValue(IpAddress.parse('10.1.2.3')), '10.1.2.3');
    assert.equal(labelValue(IpAddress.parse('2001:db8::1')), '2001:db8::1');
    assert.equal(labelValue(Timestamp.parse('2020-01-02T03:04:05.678901234+01:00')), '2020-01-02T02:04:05.678901Z');
    assert.equal(labelValue(Timestamp.fromMillis(0)), '1970-01-01T00:00:00.000000Z');
    assert.equal(labelValue(StringMap.fromObject({ version: 'v1', app: 'reviews' })), 'app=reviews&version=v1');
    assert.equal(labelValue(StringMap.EMPTY), '');
    assert.equal(labelValue(new Uint8Array([1, 2, 255])), '[1 2 255]');
    assert.equal(labelValue(undefined), '');
  });

  it("formats doubles like Go's FormatFloat(v, 'f', -1, 64)", () => {
    assert.equal(formatGoFloat(1e21), '1000000000000000000000');
    assert.equal(formatGoFloat(1.2345e22), '12345000000000000000000');
    assert.equal(formatGoFloat(1e-7), '0.0000001');
    assert.equal(formatGoFloat(-1.5e-7), '-0.00000015');
    assert.equal(formatGoFloat(123.456), '123.456');
    assert.equal(formatGoFloat(-0), '-0');
    assert.equal(formatGoFloat(Number.NaN), 'NaN');
    assert.equal(formatGoFloat(Number.POSITIVE_INFINITY), '+Inf');
    assert.equal(formatGoFloat(Number.NEGATIVE_INFINITY), '-Inf');
  });
});
