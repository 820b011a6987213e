import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { idnaToUnicode } from './idna.js';

// Expected values were produced by golang.org/x/net/idna v0.62.0 (Go 1.26) with the profile
// idna.New(idna.MapForLookup(), idna.BidiRule()) calling ToUnicode (a differential oracle run
// outside this repository). The validating profile is covered by dns-name.test.ts.

/** [input, ToUnicode result or error] */
const LOOKUP: ReadonlyArray<readonly [string, { ok: string } | { error: string }]> = [
  ['foo.bar.baz', { ok: 'foo.bar.baz' }],
  ['FOO.Bar.BAZ', { ok: 'foo.bar.baz' }],
  ['foo.Bar.baz.', { ok: 'foo.bar.baz.' }],
  ['a..b', { ok: 'a..b' }],
  ['..', { ok: '..' }],
  ['.', { ok: '.' }],
  ['', { ok: '' }],
  ['a_b', { error: 'idna: disallowed rune U+005F' }],
  ['a b', { error: 'idna: disallowed rune U+0020' }],
  ['a@b', { error: 'idna: disallowed rune U+0040' }],
  ['a/b', { error: 'idna: disallowed rune U+002F' }],
  ['a:b', { error: 'idna: disallowed rune U+003A' }],
  ['*', { error: 'idna: disallowed rune U+002A' }],
  ['xn--bcher-kva.de', { ok: 'bücher.de' }],
  ['XN--BCHER-KVA.DE', { ok: 'bücher.de' }],
  ['BÜCHER.DE', { ok: 'bücher.de' }],
  ['bu\u0308cher.de', { ok: 'bücher.de' }],
  ['ß.de', { ok: 'ß.de' }],
  ['ẞ.de', { ok: 'ss.de' }],
  ['ς.gr', { ok: 'ς.gr' }],
  ['İ.com', { ok: 'i\u0307.com' }],
  ['ﬀ.com', { ok: 'ff.com' }],
  ['ｅｘａｍｐｌｅ.com', { ok: 'example.com' }],
  ['example。com', { ok: 'example.com' }],
  ['a\u00adb.com', { ok: 'ab.com' }],
  ['Ⅻ.com', { ok: 'xii.com' }],
  ['❤.com', { ok: '❤.com' }],
  ['😀.com', { ok: '😀.com' }],
  ['\u2028', { error: 'idna: disallowed rune U+2028' }],
  ['a\u200db', { error: 'idna: invalid label "a\\u200db"' }],
  ['-a', { error: 'idna: invalid label "-a"' }],
  ['a-', { error: 'idna: invalid label "a-"' }],
  ['ab--c', { error: 'idna: invalid label "ab--c"' }],
  ['xn--abc-', { error: 'idna: invalid label "abc-"' }],
  ['xn--a', { error: 'idna: invalid label "\\u0080"' }],
  ['xn--', { ok: '' }],
  ['xn--.com', { ok: '.com' }],
  ['a'.repeat(64) + '.com', { ok: 'a'.repeat(64) + '.com' }],
  ['אב.com', { ok: 'אב.com' }],
  ['1א.com', { error: 'idna: invalid label "1א.com"' }],
  ['ا١۱.com', { error: 'idna: invalid label "ا١۱.com"' }],
  ['\u0300a.com', { error: 'idna: invalid label "\u0300a"' }],
  ['a\u034fb', { ok: 'ab' }],
  ['\ufeffa.com', { ok: 'a.com' }],
];

describe('idnaToUnicode, lookup profile', () => {
  for (const [input, expected] of LOOKUP) {
    it(`maps ${JSON.stringify(input)}`, () => {
      const result = idnaToUnicode(input, 'lookup');
      assert.deepEqual(result.ok ? { ok: result.value } : { error: result.error }, expected);
    });
  }
});

describe('idnaToUnicode, validate profile', () => {
  it('normalises to NFC and decodes A-labels', () => {
    assert.deepEqual(idnaToUnicode('bu\u0308cher.xn--bcher-kva.de', 'validate'), { ok: true, value: 'bücher.bücher.de' });
  });

  it('keeps the case of plain labels', () => {
    assert.deepEqual(idnaToUnicode('Foo.BAR', 'validate'), { ok: true, value: 'Foo.BAR' });
  });

  it('reads a lone surrogate as U+FFFD', () => {
    assert.deepEqual(idnaToUnicode('\ud800.com', 'validate'), { ok: true, value: '\ufffd.com' });
  });
});
