import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isLinearCapable, linearRegexpSupport, REGEXP_V8_FLAGS } from './v8-regexp-flags.js';

describe('V8 regexp flags', () => {
  test('took effect on this Node (otherwise every pattern would run on re2js)', () => {
    assert.deepEqual(linearRegexpSupport, { available: true });
    assert.ok(REGEXP_V8_FLAGS.includes('--enable-experimental-regexp-engine-on-excessive-backtracks'));
  });

  test('the l flag tells which sources the linear engine runs', () => {
    assert.equal(isLinearCapable('a+b|[^\\n\\ud800-\\udfff]*'), true);
    assert.equal(isLinearCapable('(a)\\1'), false);
    assert.equal(isLinearCapable('(?=a)'), false);
    assert.equal(isLinearCapable('a{2,1000}'), false);
  });
});
