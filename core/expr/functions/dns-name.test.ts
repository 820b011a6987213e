import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExpressionEvaluationError } from '../errors.js';
import { dnsNameEquals, toDnsName } from './dns-name.js';

// Expected values were produced by Istio's externs (ExternDNSName, ExternDNSNameEqual) compiled
// with Go 1.26 and golang.org/x/net/idna v0.62.0 (a differential oracle run outside this
// repository).

/** [input, Istio's dnsName(input): the DNS_NAME value or the error] */
const CONVERTED: ReadonlyArray<readonly [string, { ok: string } | { error: string }]> = [
  ['foo.bar.baz', { ok: 'foo.bar.baz' }],
  ['foo.bar', { ok: 'foo.bar' }],
  ['foo', { ok: 'foo' }],
  ['www.istio.io', { ok: 'www.istio.io' }],
  ['foo.Bar.baz.', { ok: 'foo.Bar.baz.' }],
  ['FOO.BAR', { ok: 'FOO.BAR' }],
  ['a.', { ok: 'a.' }],
  ['a..', { ok: 'a..' }],
  ['123', { ok: '123' }],
  ['1.2.3.4', { ok: '1.2.3.4' }],
  ['localhost', { ok: 'localhost' }],
  ['a-b-c.d-e-f', { ok: 'a-b-c.d-e-f' }],
  ['ab--c', { error: 'error converting \'ab--c\' to dns name: \'idna: invalid label "ab--c"\'' }],
  ['xn--bcher-kva.de', { ok: 'bücher.de' }],
  ['bücher.de', { ok: 'bücher.de' }],
  ['BÜCHER.de', { ok: 'BÜCHER.de' }],
  ['bu\u0308cher.de', { ok: 'bücher.de' }],
  ['xn--mgbh0fb.xn--kgbechtv', { ok: 'مثال.إختبار' }],
  ['مثال.إختبار', { ok: 'مثال.إختبار' }],
  ['пример.испытание', { ok: 'пример.испытание' }],
  ['例子.测试', { ok: '例子.测试' }],
  ['xn--ls8h.la', { ok: '💩.la' }],
  ['😀.com', { ok: '😀.com' }],
  ['ß.de', { ok: 'ß.de' }],
  ['xn--zca.de', { ok: 'ß.de' }],
  ['a'.repeat(63) + '.com', { ok: 'a'.repeat(63) + '.com' }],
  ['a'.repeat(64) + '.com', { ok: 'a'.repeat(64) + '.com' }],
  ['a'.repeat(63) + '.' + 'a'.repeat(63) + '.' + 'a'.repeat(63) + '.' + 'a'.repeat(63) + '.a', { ok: 'a'.repeat(63) + '.' + 'a'.repeat(63) + '.' + 'a'.repeat(63) + '.' + 'a'.repeat(63) + '.a' }],
  ['a'.repeat(300), { ok: 'a'.repeat(300) }],
  ['foo_bar.com', { ok: 'foo_bar.com' }],
  ['_srv._tcp.example.com', { ok: '_srv._tcp.example.com' }],
  ['a@b.com', { ok: 'a@b.com' }],
  ['a b.com', { ok: 'a b.com' }],
  ['a/b', { ok: 'a/b' }],
  ['a:b', { ok: 'a:b' }],
  ['*.example.com', { ok: '*.example.com' }],
  ['XN--bcher-kva.de', { error: 'error converting \'XN--bcher-kva.de\' to dns name: \'idna: invalid label "XN--bcher-kva"\'' }],
  ['xn--bcher-kva..', { error: 'error converting \'xn--bcher-kva..\' to dns name: \'idna: invalid label "xn--bcher-kva.."\'' }],
  ['a.xn--bcher-kva..', { error: 'error converting \'a.xn--bcher-kva..\' to dns name: \'idna: invalid label "a.xn--bcher-kva.."\'' }],
  ['क\u094d\u200dष', { ok: 'क\u094d\u200dष' }],
  ['é--x.com', { error: 'error converting \'é--x.com\' to dns name: \'idna: invalid label "é--x"\'' }],
  ['אב.com', { ok: 'אב.com' }],
  ['1א.com', { error: 'error converting \'1א.com\' to dns name: \'idna: invalid label "1א.com"\'' }],
  ['abc.אב', { ok: 'abc.אב' }],
  ['', { error: 'error converting \'\' to dns name: \'idna: invalid label ""\'' }],
  ['.', { error: 'error converting \'.\' to dns name: \'idna: invalid label "."\'' }],
  ['..', { error: 'error converting \'..\' to dns name: \'idna: invalid label ".."\'' }],
  ['...', { error: 'error converting \'...\' to dns name: \'idna: invalid label "..."\'' }],
  ['a...', { error: 'error converting \'a...\' to dns name: \'idna: invalid label "a..."\'' }],
  ['.a', { error: 'error converting \'.a\' to dns name: \'idna: invalid label ".a"\'' }],
  ['a..b', { error: 'error converting \'a..b\' to dns name: \'idna: invalid label "a..b"\'' }],
  ['-foo.-bar', { error: 'error converting \'-foo.-bar\' to dns name: \'idna: invalid label "-foo"\'' }],
  ['foo-.bar', { error: 'error converting \'foo-.bar\' to dns name: \'idna: invalid label "foo-"\'' }],
  ['ab--', { error: 'error converting \'ab--\' to dns name: \'idna: invalid label "ab--"\'' }],
  ['a--b-', { error: 'error converting \'a--b-\' to dns name: \'idna: invalid label "a--b-"\'' }],
  ['xn--', { error: 'error converting \'xn--\' to dns name: \'idna: invalid label ""\'' }],
  ['xn--.com', { error: 'error converting \'xn--.com\' to dns name: \'idna: invalid label ""\'' }],
  ['xn--a', { error: 'error converting \'xn--a\' to dns name: \'idna: invalid label "\\u0080"\'' }],
  ['xn--abc-', { error: 'error converting \'xn--abc-\' to dns name: \'idna: invalid label "abc-"\'' }],
  ['xn---abc', { error: 'error converting \'xn---abc\' to dns name: \'idna: invalid label "-abc"\'' }],
  ['xn--zz', { error: 'error converting \'xn--zz\' to dns name: \'idna: invalid label "zz"\'' }],
  ['xn--99999999999', { error: 'error converting \'xn--99999999999\' to dns name: \'idna: invalid label "99999999999"\'' }],
  ['xn--bcher-kva..de', { error: 'error converting \'xn--bcher-kva..de\' to dns name: \'idna: invalid label "xn--bcher-kva..de"\'' }],
  ['bücher..de', { error: 'error converting \'bücher..de\' to dns name: \'idna: invalid label "bücher..de"\'' }],
  ['xn--4db.1com', { error: 'error converting \'xn--4db.1com\' to dns name: \'idna: invalid label "xn--4db.1com"\'' }],
  ['א1١.com', { error: 'error converting \'א1١.com\' to dns name: \'idna: invalid label "א1١.com"\'' }],
  ['א-.com', { error: 'error converting \'א-.com\' to dns name: \'idna: invalid label "א-"\'' }],
  ['\u0300.com', { error: 'error converting \'\u0300.com\' to dns name: \'idna: invalid label "\u0300"\'' }],
  ['a\u200db', { error: 'error converting \'a\u200db\' to dns name: \'idna: invalid label "a\\u200db"\'' }],
  ['a\u200cb', { error: 'error converting \'a\u200cb\' to dns name: \'idna: invalid label "a\\u200cb"\'' }],
  ['ل\u200cا', { ok: 'ل\u200cا' }],
  ['xn--ssa.com', { error: 'error converting \'xn--ssa.com\' to dns name: \'idna: invalid label "\u0308"\'' }],
  ['xn--a-ecp.com', { error: 'error converting \'xn--a-ecp.com\' to dns name: \'idna: invalid label "a⒈"\'' }],
  ['xn--fiq228c', { ok: '中文' }],
  ['a.-b', { error: 'error converting \'a.-b\' to dns name: \'idna: invalid label "-b"\'' }],
  ['-', { error: 'error converting \'-\' to dns name: \'idna: invalid label "-"\'' }],
];

/** [a, b, Istio's dnsName_equal(a, b)] */
const COMPARED: ReadonlyArray<readonly [string, string, { ok: boolean } | { error: string }]> = [
  ['foo.bar.baz', 'foo.Bar.baz.', { ok: true }],
  ['foo.bar.com', 'fOO.bar.com', { ok: true }],
  ['foo.bar.com', 'bar.foo.com', { ok: false }],
  ['foo.bar.com', 'foo.bar.com', { ok: true }],
  ['a.', 'a', { ok: true }],
  ['a', 'a.', { ok: true }],
  ['a.', 'a.', { ok: true }],
  ['a..', 'a', { ok: false }],
  ['a..', 'a.', { ok: false }],
  ['.', 'a', { ok: false }],
  ['.', '', { ok: false }],
  ['', '', { ok: true }],
  ['bücher.de', 'xn--bcher-kva.de', { ok: true }],
  ['BÜCHER.DE', 'bücher.de', { ok: true }],
  ['ß.de', 'ss.de', { ok: false }],
  ['ẞ.de', 'ss.de', { ok: true }],
  ['ｅｘａｍｐｌｅ.com', 'example.com', { ok: true }],
  ['example。com', 'example.com', { ok: true }],
  ['a\u00adb', 'ab', { ok: true }],
  ['a..b', 'a.b', { ok: false }],
  ['a_b', 'a_b', { error: 'idna: disallowed rune U+005F' }],
  ['a', 'a_b', { error: 'idna: disallowed rune U+005F' }],
  ['-a', '-a', { error: 'idna: invalid label "-a"' }],
  ['a', 'xn--a', { error: 'idna: invalid label "\\u0080"' }],
  ['xn--abc-', 'abc', { error: 'idna: invalid label "abc-"' }],
  ['a b', 'a', { error: 'idna: disallowed rune U+0020' }],
  ['1א.com', '1א.com', { error: 'idna: invalid label "1א.com"' }],
];

function outcome(run: () => unknown): { ok: unknown } | { error: string } {
  try {
    return { ok: run() };
  } catch (error) {
    assert.ok(error instanceof ExpressionEvaluationError, `unexpected error type: ${String(error)}`);
    return { error: error.message };
  }
}

describe('toDnsName (CEXL dnsName)', () => {
  for (const [input, expected] of CONVERTED) {
    it(`converts ${JSON.stringify(input)}`, () => assert.deepEqual(outcome(() => toDnsName(input)), expected));
  }

  it('matches the conformance vectors (ids 100, 102, 104, 105, 111, 112)', () => {
    assert.equal(toDnsName('foo.bar.baz'), 'foo.bar.baz');
    assert.equal(toDnsName('foo.bar'), 'foo.bar');
    assert.equal(toDnsName('foo'), 'foo');
    assert.equal(toDnsName('foo.bar.com'), 'foo.bar.com');
    assert.throws(() => toDnsName(''), { message: `error converting '' to dns name: 'idna: invalid label ""'` });
    assert.throws(() => toDnsName('-foo.-bar'), {
      message: `error converting '-foo.-bar' to dns name: 'idna: invalid label "-foo"'`,
    });
  });

  it('does not enforce DNS length limits in ToUnicode', () => {
    assert.equal(toDnsName(`${'a'.repeat(64)}.${'b'.repeat(200)}.${'c'.repeat(63)}`).length, 329);
  });
});

describe('dnsNameEquals (Istio dnsName_equal)', () => {
  for (const [a, b, expected] of COMPARED) {
    it(`compares ${JSON.stringify(a)} and ${JSON.stringify(b)}`, () => {
      assert.deepEqual(outcome(() => dnsNameEquals(a, b)), expected);
    });
  }

  it('matches the conformance vectors (ids 110, 113, 115, 118, 120)', () => {
    assert.equal(dnsNameEquals('foo.bar.com', 'fOO.bar.com'), true);
    assert.equal(dnsNameEquals('foo.bar.com', 'bar.foo.com'), false);
    assert.equal(dnsNameEquals('foo.bar.com', 'foo.bar.com'), true);
    assert.equal(dnsNameEquals(toDnsName('foo.bar.baz'), toDnsName('foo.Bar.baz.')), true);
    assert.equal(dnsNameEquals('foo.bar.com', toDnsName('foo.Bar.baz.')), false);
  });

  it('is symmetric', () => {
    for (const [a, b, expected] of COMPARED) {
      if ('ok' in expected) assert.equal(dnsNameEquals(b, a), expected.ok, `${a} vs ${b}`);
    }
  });
});
