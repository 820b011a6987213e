import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionEvaluationError } from '../errors.js';
import { compileRegex } from './compile-regex.js';
import { matchesRegex } from './matches-regex.js';
import { RegexCache } from './regex-cache.js';
import { RegexErrorCode } from './regex-syntax-error.js';

/**
 * Patterns that take exponential or high-polynomial time in a backtracking engine, on inputs built to
 * trigger that. These are completion tests: each must return Go's answer (recorded from Go 1.26).
 * The generous timeout only turns a regression into a failure instead of a hung test run; timing
 * belongs in the benches.
 */
const CASES: ReadonlyArray<readonly [pattern: string, unit: string, times: number, suffix: string, expected: boolean]> = [
  ['(a+)+$', 'a', 100_000, 'b', false],
  ['(a+)+$', 'a', 100_000, '', true],
  ['(a|aa)*c', 'a', 100_000, '', false],
  ['(x+x+)+y', 'x', 100_000, '', false],
  ['a*a*a*a*a*a*c', 'a', 100_000, '', false],
  ['a+b', 'a', 100_000, '', false], // quadratic in V8 without counting a single backtrack
  ['a+b', 'a', 100_000, 'b', true],
  ['a.*a.*b', 'a', 100_000, '', false],
  ['^(a|a?)+$', 'a', 100_000, 'b', false],
  ['(\\w+\\s?)+$', 'word ', 20_000, '!', false],
  ['(.*,){5}x', 'a,', 50_000, '', false],
  ['(?m)^(a+)+$', 'a', 100_000, 'b', false],
  ['\\pL+\\pL+b', 'a', 100_000, '', false],
  ['(?:a|a){20}b', 'a', 100_000, '', false],
  [`${'(?:a|a)'.repeat(20)}b`, 'a', 100_000, '', false],
  ['(a+)+$', 'a', 255, 'b', false], // 256 units: still on V8, saved by the backtrack fallback
  ['(a+)+$', 'a', 256, 'b', false],
  ['a.*a.*a.*b', 'a', 256, '', false],
  ['^(a|a?)+$', 'a', 255, 'b', false],
  ['(?i)(a+)+$', 'A', 100_000, 'b', false],
  ['((a*)*)*b', 'a', 100_000, '', false],
  ['(.*)*x', '\u{1F600}', 50_000, '', false],
  ['([^x]+)+y', '\u00e9', 100_000, '', false],
];

describe('hostile inputs complete with the right answer', { timeout: 60_000 }, () => {
  for (const [pattern, unit, times, suffix, expected] of CASES) {
    const label = pattern.length > 30 ? `${pattern.slice(0, 30)}…` : pattern;
    test(`${label} on ${JSON.stringify(unit)} × ${times}${suffix === '' ? '' : ` + ${JSON.stringify(suffix)}`}`, () => {
      const regex = compileRegex(pattern);
      assert.equal(regex.test(unit.repeat(times) + suffix), expected);
    });
  }

  test('a request-supplied pattern cannot make compilation hang either', () => {
    // Go compiles this (a program of a million instructions); re2js would need seconds.
    const huge = 'a{1000}'.repeat(1000);
    assert.throws(
      () => matchesRegex(huge, 'aaa', new RegexCache()),
      (error: unknown) =>
        error instanceof ExpressionEvaluationError && error.message.startsWith('error parsing regexp: expression too large: `a{1000}'),
    );
  });

  test('patterns beyond what re2js can hold are refused as too large, even from config', () => {
    // Go's limit is 3.3 M instructions, re2js's 1.4 M: 3300 × a{1000} is 3.3 M.
    assert.throws(() => compileRegex('a{1000}'.repeat(3300)), { errorCode: RegexErrorCode.large });
  });
});
