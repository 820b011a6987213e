import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeUtf8, goQuote, goQuoteBytes, goQuoteRune, goTimeQuote, goUnicodeNotation } from './go-quote.js';

// Expected values were produced by Go 1.26's strconv.Quote and strconv.QuoteRune (a differential
// oracle run outside this repository).

/** [text, strconv.Quote(text)] */
const QUOTED: ReadonlyArray<readonly [string, string]> = [
  ['', '""'],
  ['abc', '"abc"'],
  ['a"b', '"a\\"b"'],
  ['a\\b', '"a\\\\b"'],
  ['a\'b', '"a\'b"'],
  ['\u0007\u0008\u000c\n\u000d\t\u000b', '"\\a\\b\\f\\n\\r\\t\\v"'],
  ['\u0000\u001f\u007f', '"\\x00\\x1f\\x7f"'],
  ['é', '"é"'],
  ['日本', '"日本"'],
  ['😀', '"😀"'],
  ['\u00a0', '"\\u00a0"'],
  ['\u2028', '"\\u2028"'],
  ['\u200d', '"\\u200d"'],
  ['\ufeff', '"\\ufeff"'],
  ['\u{e0001}', '"\\U000e0001"'],
  ['\u{10ffff}', '"\\U0010ffff"'],
  ['\u0300', '"\u0300"'],
  ['a\u00adb', '"a\\u00adb"'],
  ['�', '"�"'],
];

/** [rune, strconv.QuoteRune(rune)] */
const RUNES: ReadonlyArray<readonly [number, string]> = [
  [0, '\'\\x00\''],
  [7, '\'\\a\''],
  [10, '\'\\n\''],
  [39, '\'\\\'\''],
  [34, '\'"\''],
  [92, '\'\\\\\''],
  [97, '\'a\''],
  [127, '\'\\x7f\''],
  [233, '\'é\''],
  [160, '\'\\u00a0\''],
  [8232, '\'\\u2028\''],
  [128512, '\'😀\''],
  [917505, '\'\\U000e0001\''],
  [55296, '\'�\''],
  [1114112, '\'�\''],
  [-1, '\'�\''],
];

describe('goQuote (strconv.Quote)', () => {
  for (const [text, quoted] of QUOTED) {
    it(`quotes ${JSON.stringify(text)}`, () => {
      assert.equal(goQuote(text), quoted);
      assert.equal(goQuoteBytes(Buffer.from(text, 'utf8').toString('latin1')), quoted);
    });
  }

  it('reads a lone surrogate as U+FFFD', () => {
    assert.equal(goQuote('a\ud800b'), '"a\ufffdb"');
  });
});

describe('goQuoteBytes (strconv.Quote of invalid UTF-8)', () => {
  it('writes bytes that are not UTF-8 as \\x escapes', () => {
    assert.equal(goQuoteBytes('%\xff'), '"%\\xff"');
    assert.equal(goQuoteBytes('%a\xc3'), '"%a\\xc3"');
    assert.equal(goQuoteBytes('\xc3\xa9'), '"é"');
    assert.equal(goQuoteBytes('\xed\xa0\x80'), '"\\xed\\xa0\\x80"');
  });

  it('decodes UTF-8 like utf8.DecodeRuneInString', () => {
    assert.deepEqual(decodeUtf8('\xf0\x9f\x98\x80', 0), { codePoint: 0x1f600, length: 4 });
    assert.deepEqual(decodeUtf8('\xc0\x80', 0), { codePoint: -1, length: 1 });
    assert.deepEqual(decodeUtf8('\xe2\x82', 0), { codePoint: -1, length: 1 });
    assert.deepEqual(decodeUtf8('a', 0), { codePoint: 0x61, length: 1 });
  });
});

describe('goQuoteRune (strconv.QuoteRune)', () => {
  for (const [rune, quoted] of RUNES) {
    it(`quotes ${rune}`, () => assert.equal(goQuoteRune(rune), quoted));
  }
});

describe('goTimeQuote (the time package quote)', () => {
  it('escapes every byte of non-ASCII and control characters', () => {
    assert.equal(goTimeQuote('1µ'), '"1\\xc2\\xb5"');
    assert.equal(goTimeQuote('a\tb'), '"a\\x09b"');
    assert.equal(goTimeQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goTimeQuote('a\x7fb'), '"a\x7fb"');
  });
});

describe('goUnicodeNotation (fmt %U)', () => {
  it('pads to four upper-case hex digits', () => {
    assert.equal(goUnicodeNotation(0x5f), 'U+005F');
    assert.equal(goUnicodeNotation(0x1f600), 'U+1F600');
  });
});
