import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration } from '../../core/attribute/duration.js';
import { jsonValue, JsonObjectWriter } from './json-value.js';

describe('jsonValue', () => {
  it('writes durations as milliseconds, exact to the nanosecond where a double allows', () => {
    assert.deepEqual(['1.5s', '1ns', '-2ms', '2562047h47m16.854775807s'].map((text) => jsonValue(Duration.parse(text))), ['1500', '0.000001', '-2', '9223372036854.775']);
  });

  it('writes INT64 beyond 2^53 as exact digits and non-finite doubles as null', () => {
    assert.equal(jsonValue(-9223372036854775808n), '-9223372036854775808');
    assert.deepEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -0.5].map(jsonValue), ['null', 'null', 'null', '-0.5']);
  });

  it('escapes names and strings, and leaves out unset fields and empty objects', () => {
    const text = new JsonObjectWriter().field('a"b', 'line\nbreak').field('unset', undefined).object('empty', { x: undefined }).toString();
    assert.equal(text, '{"a\\"b":"line\\nbreak"}');
    assert.deepEqual(JSON.parse(text), { 'a"b': 'line\nbreak' });
  });
});
