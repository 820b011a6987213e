import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionEvaluationError } from '../errors.js';
import { compileRegex, type Regex } from './compile-regex.js';
import { matchesRegex } from './matches-regex.js';
import { MAX_CACHED_PATTERN_LENGTH, RegexCache } from './regex-cache.js';
import { RegexErrorCode, RegexSyntaxError } from './regex-syntax-error.js';

function countingCache(capacity: number): { cache: RegexCache; compiled: string[] } {
  const compiled: string[] = [];
  const cache = new RegexCache(capacity, (pattern: string): Regex => {
    compiled.push(pattern);
    return compileRegex(pattern);
  });
  return { cache, compiled };
}

describe('RegexCache', () => {
  test('compiles each pattern once while it stays cached', () => {
    const { cache, compiled } = countingCache(2);
    assert.equal(cache.get('a+').test('xa'), true);
    assert.equal(cache.get('a+').test('x'), false);
    assert.deepEqual(compiled, ['a+']);
    assert.equal(cache.size, 1);
  });

  test('evicts the least recently used pattern', () => {
    const { cache, compiled } = countingCache(2);
    cache.get('a');
    cache.get('b');
    cache.get('a'); // a is now the most recent
    cache.get('c'); // evicts b
    assert.equal(cache.size, 2);
    cache.get('a');
    cache.get('b');
    assert.deepEqual(compiled, ['a', 'b', 'c', 'b']);
  });

  test('remembers rejected patterns and rethrows the same error', () => {
    const { cache, compiled } = countingCache(4);
    assert.throws(() => cache.get('('), RegexSyntaxError);
    let caught: unknown;
    try {
      cache.get('(');
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof RegexSyntaxError);
    assert.equal(caught.message, 'error parsing regexp: missing closing ): `(`');
    assert.deepEqual(compiled, ['(']);
  });

  test('does not keep very long patterns', () => {
    const { cache, compiled } = countingCache(4);
    const long = 'a'.repeat(MAX_CACHED_PATTERN_LENGTH + 1);
    cache.get(long);
    cache.get(long);
    assert.equal(compiled.length, 2);
    assert.equal(cache.size, 0);
  });

  test('by default refuses request patterns over the compile budget, as Go\'s "expression too large"', () => {
    const cache = new RegexCache();
    assert.equal(cache.get('^/api/v[0-9]+/users/[0-9]+$').test('/api/v2/users/7'), true);
    assert.equal(cache.get('\\pL{100}').test('a'.repeat(100)), true);
    assert.throws(() => cache.get('\\pL{100}'.repeat(10)), { errorCode: RegexErrorCode.large });
    assert.throws(() => cache.get('a{1000}'.repeat(30)), { errorCode: RegexErrorCode.large });
    assert.doesNotThrow(() => compileRegex('a{1000}'.repeat(30)));
  });

  test('rejects a capacity below 1', () => {
    assert.throws(() => new RegexCache(0), RangeError);
  });
});

describe('matchesRegex', () => {
  test('searches like Go regexp.MatchString', () => {
    assert.equal(matchesRegex('st.*', 'string'), true);
    assert.equal(matchesRegex('^st', 'a string'), false);
    assert.equal(matchesRegex('.*', ''), true);
  });

  test('an invalid pattern is an evaluation error with Go\'s message', () => {
    assert.throws(
      () => matchesRegex('a(b', 'ab'),
      (error: unknown) =>
        error instanceof ExpressionEvaluationError &&
        error.code === 'MIXER_ERR_EXPR_EVAL' &&
        error.message === 'error parsing regexp: missing closing ): `a(b`',
    );
  });

  test('uses the cache it is given', () => {
    const { cache, compiled } = countingCache(8);
    assert.equal(matchesRegex('x+', 'axx', cache), true);
    assert.equal(matchesRegex('x+', 'a', cache), false);
    assert.deepEqual(compiled, ['x+']);
  });
});
