import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MixerError } from '../../errors/mixer-error.js';
import { compileRegex } from './compile-regex.js';
import { GO_SYNTAX_ERROR_CASES } from './go-oracle-cases.js';
import { parseRegex } from './regex-parser.js';
import { RegexErrorCode, RegexSyntaxError } from './regex-syntax-error.js';

function syntaxError(pattern: string): RegexSyntaxError {
  try {
    compileRegex(pattern);
  } catch (error) {
    if (error instanceof RegexSyntaxError) return error;
    throw error;
  }
  assert.fail(`expected ${JSON.stringify(pattern)} to be rejected`);
}

describe('RE2 syntax errors (messages recorded from Go 1.26)', () => {
  for (const [pattern, message] of GO_SYNTAX_ERROR_CASES) {
    const label = pattern.length > 40 ? `${pattern.slice(0, 20)}… (${pattern.length} chars)` : pattern;
    test(`rejects ${JSON.stringify(label)}`, () => {
      const error = syntaxError(pattern);
      assert.equal(error.message, message);
      assert.equal(error.code, 'MIXER_ERR_REGEX');
      assert.equal(error.pattern, pattern);
      assert.ok(MixerError.is(error));
      assert.equal(`error parsing regexp: ${error.errorCode}: \`${error.expr}\``, message);
    });
  }

  test('a lone surrogate is invalid UTF-8, reported from that point on as Go does for the bytes ED A0 80', () => {
    // Go: regexp.Compile("a\xed\xb0\x80b") → invalid UTF-8: `\xed\xb0\x80b`; for a name it reports
    // the rest of the name only: (?P<\xed\xa0\x80>a) → `\xed\xa0\x80`.
    assert.equal(syntaxError('a\udc00b').message, 'error parsing regexp: invalid UTF-8: `\udc00b`');
    assert.equal(syntaxError('[\ud800]').message, 'error parsing regexp: invalid UTF-8: `\ud800]`');
    assert.equal(syntaxError('(?P<\ud800>a)').message, 'error parsing regexp: invalid UTF-8: `\ud800`');
    assert.equal(syntaxError('a\ud800').errorCode, RegexErrorCode.invalidUtf8);
  });
});

describe('RE2 syntax that Go accepts', () => {
  const accepted = [
    '', '(?i)', '(?)', '(?:)', '()', 'a{,5}', '{', 'a{1,2', '\\Q', '(?P<n>x)(?P<n>y)', '(?<n>x)', 'a*(?i)*', '\\p{Cased_Letter}',
    '\\p{cased letter}', '\\p{ASCII}', '\\pN', '[\\p{^Greek}\\P{Lu}]', '(?i-m:a)', '(?U)a+?', 'x{0}', 'x{1000}', '[[:^word:]]',
  ];
  for (const pattern of accepted) {
    test(`accepts ${JSON.stringify(pattern)}`, () => {
      assert.doesNotThrow(() => compileRegex(pattern));
    });
  }

  test('nesting of non-capturing groups is not limited (Go builds no node for them)', () => {
    const depth = 100_000;
    const regex = compileRegex(`${'(?:'.repeat(depth)}a${')'.repeat(depth)}`);
    assert.equal(regex.test('xa'), true);
    assert.equal(regex.test('x'), false);
  });

  test('capture groups nest up to Go\'s height limit of 1000', () => {
    assert.doesNotThrow(() => parseRegex(`${'('.repeat(999)}ab${')'.repeat(999)}`));
    assert.throws(() => parseRegex(`${'('.repeat(999)}a*${')'.repeat(999)}`), { errorCode: RegexErrorCode.nestingDepth });
  });

  test('program size is limited as in Go (3300 × a{1000} fits, 3400 do not)', () => {
    assert.doesNotThrow(() => parseRegex('a{1000}'.repeat(3300)));
    assert.throws(() => parseRegex('a{1000}'.repeat(3400)), { errorCode: RegexErrorCode.large });
  });
});
