import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileRegex, NATIVE_MAX_INPUT_LENGTH } from './compile-regex.js';
import { GO_MATCH_CASES } from './go-oracle-cases.js';
import { UNICODE_CLASS_NAMES } from './unicode-class-names.js';

const show = (s: string): string => JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('matches like Go regexp.MatchString (results recorded from Go 1.26)', () => {
  test(`the table has enough cases (${GO_MATCH_CASES.length})`, () => {
    assert.ok(GO_MATCH_CASES.length >= 150);
  });

  for (const [pattern, input, expected] of GO_MATCH_CASES) {
    test(`${show(pattern)} on ${show(input)} → ${expected}`, () => {
      const auto = compileRegex(pattern);
      assert.equal(auto.pattern, pattern);
      assert.equal(auto.test(input), expected, `engine ${auto.engine}`);
      assert.equal(compileRegex(pattern, { engine: 're2js' }).test(input), expected, 'engine re2js (forced)');
    });
  }
});

describe('engine choice', () => {
  const cases: ReadonlyArray<readonly [string, 'v8' | 're2js', string | undefined]> = [
    ['^/api/v[0-9]+/users/[0-9]+$', 'v8', undefined],
    ['(?i)hello', 'v8', undefined],
    ['(?i)[k-s]\\W', 'v8', undefined],
    ['(?s).(?m:x)', 'v8', undefined],
    ['[^\\x{1F600}]\\x{1F601}', 'v8', undefined],
    ['(?P<n>a)\\b', 'v8', undefined],
    ['\\Bx', 'v8', undefined],
    ['(?U)a+?', 'v8', undefined],
    ['\\p{Any}\\p{ASCII}', 'v8', undefined],
    ['(?m)^a', 're2js', '(?m) line anchor'],
    ['(?m)a$', 're2js', '(?m) line anchor'],
    ['\\pL', 're2js', 'Unicode class (\\p)'],
    ['[a\\p{Greek}]', 're2js', 'Unicode class (\\p)'],
    ['(?i)é', 're2js', 'case folding of a non-ASCII letter'],
    ['(?i)[à-ÿ]', 're2js', 'case folding of a non-ASCII letter'],
    ['\\B', 're2js', '\\B in a pattern that can match the empty string'],
    ['a{2,1000}', 're2js', 'not supported by the V8 linear engine (for example a large counted repeat)'],
  ];
  for (const [pattern, engine, reason] of cases) {
    test(`${show(pattern)} runs on ${engine}`, () => {
      const regex = compileRegex(pattern);
      assert.equal(regex.engine, engine);
      assert.equal(regex.fallbackReason, reason);
    });
  }

  test('forcing re2js is reported as such', () => {
    const regex = compileRegex('abc', { engine: 're2js' });
    assert.equal(regex.engine, 're2js');
    assert.equal(regex.fallbackReason, 'forced');
  });

  test('a translated pattern answers the same on both sides of the input-length limit', () => {
    const regex = compileRegex('^a+b$');
    assert.equal(regex.engine, 'v8');
    for (const length of [NATIVE_MAX_INPUT_LENGTH - 1, NATIVE_MAX_INPUT_LENGTH, NATIVE_MAX_INPUT_LENGTH + 1, 10_000]) {
      assert.equal(regex.test(`${'a'.repeat(length - 1)}b`), true, `length ${length}`);
      assert.equal(regex.test(`${'a'.repeat(length - 1)}c`), false, `length ${length}`);
    }
    const dot = compileRegex('^x.{3}y');
    assert.equal(dot.test(`x\u{1F600}\u{1F600}\u{1F600}y${'z'.repeat(NATIVE_MAX_INPUT_LENGTH)}`), true);
    assert.equal(dot.test(`x\u{1F600}\u{1F600}y${'z'.repeat(NATIVE_MAX_INPUT_LENGTH)}`), false);
  });

  test('every Unicode class name Go accepts compiles (on re2js)', () => {
    assert.ok(UNICODE_CLASS_NAMES.length >= 190);
    for (const name of UNICODE_CLASS_NAMES) {
      assert.doesNotThrow(() => compileRegex(`\\p{${name}}\\P{${name}}(?i:[\\p{${name}}])`), name);
    }
    assert.equal(compileRegex('^\\p{Greek}$').test('λ'), true);
    assert.equal(compileRegex('^\\p{cased_letter}$').test('1'), false);
  });
});
