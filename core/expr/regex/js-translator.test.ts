import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { translateToJs } from './js-translator.js';
import { parseRegex } from './regex-parser.js';

function source(pattern: string): string {
  const translation = translateToJs(parseRegex(pattern));
  if (!translation.ok) assert.fail(`${pattern} not translated: ${translation.reason}`);
  return translation.source;
}

describe('translateToJs', () => {
  test('drops leading and trailing parts that match the empty string everywhere', () => {
    assert.equal(source('.*foo.*'), source('foo'));
    assert.equal(source('(?:x*)(foo)[a-z]?'), source('foo'));
    assert.equal(source('(.*a|b.*)'), source('a|b'));
    assert.equal(source('.*'), '(?:)');
    assert.equal(source('x*|y'), '(?:)');
  });

  test('keeps anchors and what sits between them', () => {
    assert.notEqual(source('^.*foo'), source('^foo'));
    assert.notEqual(source('foo.*$'), source('foo$'));
  });

  test('never lets an atom match half of a surrogate pair', () => {
    const dot = new RegExp(`^${source('..')}$`);
    assert.equal(dot.test('\u{1F600}'), false);
    assert.equal(dot.test('ab'), true);
    const negated = new RegExp(source('[^a]'));
    assert.equal(negated.test('\ud83d'), false);
    assert.equal(negated.test('\u{1F600}'), true);
  });

  test('writes astral ranges as surrogate pairs', () => {
    const range = new RegExp(`^${source('[\\x{1F600}-\\x{1F64F}\\x{20000}-\\x{2FFFF}]')}$`);
    for (const c of ['\u{1F600}', '\u{1F64F}', '\u{20000}', '\u{2A6D6}', '\u{2FFFF}']) assert.equal(range.test(c), true, c);
    for (const c of ['\u{1F5FF}', '\u{1F650}', '\u{1FFFF}', '\u{30000}', 'a']) assert.equal(range.test(c), false, c);
  });

  test('refuses what it cannot translate exactly', () => {
    for (const [pattern, reason] of [
      ['(?m)^x', '(?m) line anchor'],
      ['\\pL', 'Unicode class (\\p)'],
      ['(?i)ß', 'case folding of a non-ASCII letter'],
      ['x?\\B', '\\B in a pattern that can match the empty string'],
    ] as const) {
      assert.deepEqual(translateToJs(parseRegex(pattern)), { ok: false, reason });
    }
  });
});
