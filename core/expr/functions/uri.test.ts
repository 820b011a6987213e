import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExpressionEvaluationError } from '../errors.js';
import { toUri, uriEquals } from './uri.js';

// Expected values were produced by Istio's externs (ExternURI, ExternURIEqual) compiled with Go
// 1.26 and golang.org/x/net/idna v0.62.0, with url.Error printed in the pre-Go-1.14 format
// Istio's messages use (`parse :/: ...`, no quotes) (a differential oracle run outside this
// repository).

/** [input, Istio's uri(input): accepted (the value is the input) or the error] */
const CONVERTED: ReadonlyArray<readonly [string, { ok: true } | { error: string }]> = [
  ['http://istio.io', { ok: true }],
  ['urn:foo', { ok: true }],
  ['https://kubernetes.io', { ok: true }],
  ['ftp://ftp.istio.io/releases', { ok: true }],
  ['www.istio.io', { ok: true }],
  ['http://istio.io:80', { ok: true }],
  ['foo.bar.com', { ok: true }],
  ['*', { ok: true }],
  ['/path', { ok: true }],
  ['//host/path', { ok: true }],
  ['///path', { ok: true }],
  ['a b', { ok: true }],
  ['?a=b', { ok: true }],
  ['#frag', { ok: true }],
  ['a#b#c', { ok: true }],
  ['mailto:a@b.com', { ok: true }],
  ['file:///etc/passwd', { ok: true }],
  ['http:', { ok: true }],
  ['http://', { ok: true }],
  ['http://[::1]:80/', { ok: true }],
  ['http://[fe80::1%25en0]/', { ok: true }],
  ['http://[::ffff:1.2.3.4]/', { ok: true }],
  ['http://user:p@ss@host/', { ok: true }],
  ['http://h:/', { ok: true }],
  ['foo://a:1:2/', { ok: true }],
  ['mongodb://a:1,b:2/', { ok: true }],
  ['http://a%C3%A9b/', { ok: true }],
  ['http://%25/', { ok: true }],
  ['http://ü.com/', { ok: true }],
  ['/é', { ok: true }],
  ['http://h/"<>', { ok: true }],
  ['http://h"/', { ok: true }],
  ['HtTp://H/', { ok: true }],
  ['./a:b', { ok: true }],
  ['a/b:c', { ok: true }],
  ['', { error: 'error converting string to uri: empty string' }],
  [':/', { error: 'error converting string to uri \':/\': \'parse :/: missing protocol scheme\'' }],
  [':', { error: 'error converting string to uri \':\': \'parse :: missing protocol scheme\'' }],
  [':foo', { error: 'error converting string to uri \':foo\': \'parse :foo: missing protocol scheme\'' }],
  ['a:b', { ok: true }],
  ['path/a:b', { ok: true }],
  ['1a:b', { error: 'error converting string to uri \'1a:b\': \'parse 1a:b: first path segment in URL cannot contain colon\'' }],
  ['http://a:1:2/', { error: 'error converting string to uri \'http://a:1:2/\': \'parse http://a:1:2/: invalid port ":1:2" after host\'' }],
  ['http://h:x/', { error: 'error converting string to uri \'http://h:x/\': \'parse http://h:x/: invalid port ":x" after host\'' }],
  ['http://h::80/', { error: 'error converting string to uri \'http://h::80/\': \'parse http://h::80/: invalid port "::80" after host\'' }],
  ['http://[::1/', { error: 'error converting string to uri \'http://[::1/\': \'parse http://[::1/: missing \']\' in host\'' }],
  ['http://a[b]/', { error: 'error converting string to uri \'http://a[b]/\': \'parse http://a[b]/: invalid IP-literal\'' }],
  ['http://[1.2.3.4]/', { error: 'error converting string to uri \'http://[1.2.3.4]/\': \'parse http://[1.2.3.4]/: invalid IP-literal\'' }],
  ['http://[::1]x/', { error: 'error converting string to uri \'http://[::1]x/\': \'parse http://[::1]x/: invalid port "x" after host\'' }],
  ['http://[]/', { error: 'error converting string to uri \'http://[]/\': \'parse http://[]/: invalid host: ParseAddr(""): unable to parse IP\'' }],
  ['http://[1::2::3]/', { error: 'error converting string to uri \'http://[1::2::3]/\': \'parse http://[1::2::3]/: invalid host: ParseAddr("1::2::3"): multiple :: in address (at ":3")\'' }],
  ['http://[fe80::1%en0]/', { error: 'error converting string to uri \'http://[fe80::1%en0]/\': \'parse http://[fe80::1%en0]/: invalid URL escape "%en"\'' }],
  ['http://[fe80::1%25]/', { error: 'error converting string to uri \'http://[fe80::1%25]/\': \'parse http://[fe80::1%25]/: invalid host: ParseAddr("fe80::1%"): zone must be a non-empty string\'' }],
  ['http://[fe80::1%25%2f]/', { error: 'error converting string to uri \'http://[fe80::1%25%2f]/\': \'parse http://[fe80::1%25%2f]/: invalid URL escape "%2f"\'' }],
  ['http://a b/', { error: 'error converting string to uri \'http://a b/\': \'parse http://a b/: invalid character " " in host name\'' }],
  ['http://%41/', { error: 'error converting string to uri \'http://%41/\': \'parse http://%41/: invalid URL escape "%41"\'' }],
  ['http://a%zzb/', { error: 'error converting string to uri \'http://a%zzb/\': \'parse http://a%zzb/: invalid URL escape "%zz"\'' }],
  ['http://h|/', { error: 'error converting string to uri \'http://h|/\': \'parse http://h|/: invalid character "|" in host name\'' }],
  ['http://us er@host/', { error: 'error converting string to uri \'http://us er@host/\': \'parse http://us er@host/: net/url: invalid userinfo\'' }],
  ['http://%zz@h/', { error: 'error converting string to uri \'http://%zz@h/\': \'parse http://%zz@h/: invalid URL escape "%zz"\'' }],
  ['a%zz', { error: 'error converting string to uri \'a%zz\': \'parse a%zz: invalid URL escape "%zz"\'' }],
  ['a%2', { error: 'error converting string to uri \'a%2\': \'parse a%2: invalid URL escape "%2"\'' }],
  ['a%', { error: 'error converting string to uri \'a%\': \'parse a%: invalid URL escape "%"\'' }],
  ['%', { error: 'error converting string to uri \'%\': \'parse %: invalid URL escape "%"\'' }],
  ['a#%zz', { error: 'error converting string to uri \'a#%zz\': \'parse a#%zz: invalid URL escape "%zz"\'' }],
  ['http://h/a\tb', { error: 'error converting string to uri \'http://h/a\tb\': \'parse http://h/a\tb: net/url: invalid control character in URL\'' }],
  ['http://h/a\nb', { error: 'error converting string to uri \'http://h/a\nb\': \'parse http://h/a\nb: net/url: invalid control character in URL\'' }],
  ['http://h/\u007f', { error: 'error converting string to uri \'http://h/\u007f\': \'parse http://h/\u007f: net/url: invalid control character in URL\'' }],
  ['http://h/%ff', { ok: true }],
  ['http://[%41::1]/', { error: 'error converting string to uri \'http://[%41::1]/\': \'parse http://[%41::1]/: invalid URL escape "%41"\'' }],
];

/** [a, b, Istio's uri_equal(a, b)] */
const COMPARED: ReadonlyArray<readonly [string, string, { ok: boolean } | { error: string }]> = [
  ['http://istio.io:80', 'http://istio.io:81', { ok: false }],
  ['http://istio.io:80', 'http://istio.io:80', { ok: true }],
  ['http://foo.bar.com', 'http://fOO.bar.com', { ok: true }],
  ['http://foo.bar.baz', 'http://foo.Bar.baz.', { ok: true }],
  ['https://foo.bar.baz', 'https://foo.Bar.baz.', { ok: true }],
  ['foo.bar.com', 'https://foo.Bar.baz.', { ok: false }],
  ['HTTP://a.com/', 'http://A.COM/', { ok: true }],
  ['http://a.com/x', 'http://a.com/X', { ok: false }],
  ['ftp://A.com/', 'ftp://a.com/', { ok: false }],
  ['urn:foo', 'URN:foo', { ok: true }],
  ['urn:foo', 'urn:Foo', { ok: false }],
  ['http://u@a.com/', 'http://a.com/', { ok: false }],
  ['http://a.com/%41', 'http://a.com/A', { ok: false }],
  ['http://a.com/%2f', 'http://a.com//', { ok: false }],
  ['http://a.com:/', 'http://a.com/', { ok: true }],
  ['https://a.com:443/', 'https://a.com/', { ok: false }],
  ['http://bücher.de/', 'http://xn--bcher-kva.de/', { ok: true }],
  ['http://a.com?', 'http://a.com', { ok: false }],
  ['http://a.com/a b', 'http://a.com/a%20b', { ok: true }],
  ['http://a.com/é', 'http://a.com/%C3%A9', { ok: true }],
  ['mailto:A@B.com', 'mailto:a@b.com', { ok: false }],
  ['http://a.com/#a b', 'http://a.com/#a%20b', { ok: true }],
  ['http://[::1]/', 'http://[::1]/', { error: 'idna: disallowed rune U+003A' }],
  ['http://a_b.com/', 'http://a_b.com/', { error: 'idna: disallowed rune U+005F' }],
  ['', '', { ok: true }],
  [':/', 'a', { error: 'error converting string to uri \':/\': \'parse :/: missing protocol scheme\'' }],
  ['a', ':/', { error: 'error converting string to uri \':/\': \'parse :/: missing protocol scheme\'' }],
  ['a', 'a', { ok: true }],
  ['http://a.com', 'https://a.com', { ok: false }],
];

function outcome(run: () => unknown): { ok: unknown } | { error: string } {
  try {
    return { ok: run() };
  } catch (error) {
    assert.ok(error instanceof ExpressionEvaluationError, `unexpected error type: ${String(error)}`);
    return { error: error.message };
  }
}

describe('toUri (CEXL uri)', () => {
  for (const [input, expected] of CONVERTED) {
    it(`converts ${JSON.stringify(input)}`, () => {
      assert.deepEqual(outcome(() => toUri(input)), 'ok' in expected ? { ok: input } : expected);
    });
  }

  it('matches the conformance vectors (ids 141, 143, 145, 146, 150)', () => {
    assert.equal(toUri('http://istio.io'), 'http://istio.io');
    assert.equal(toUri('urn:foo'), 'urn:foo');
    assert.equal(toUri('www.istio.io'), 'www.istio.io');
    assert.throws(() => toUri(''), { message: 'error converting string to uri: empty string' });
    assert.throws(() => toUri(':/'), { message: `error converting string to uri ':/': 'parse :/: missing protocol scheme'` });
  });
});

describe('uriEquals (Istio uri_equal)', () => {
  for (const [a, b, expected] of COMPARED) {
    it(`compares ${JSON.stringify(a)} and ${JSON.stringify(b)}`, () => {
      assert.deepEqual(outcome(() => uriEquals(a, b)), expected);
    });
  }

  it('matches the conformance vectors (ids 151, 154, 156, 159, 161)', () => {
    assert.equal(uriEquals('http://foo.bar.com', 'http://fOO.bar.com'), true);
    assert.equal(uriEquals('http://istio.io:80', 'http://istio.io:81'), false);
    assert.equal(uriEquals('http://istio.io:80', 'http://istio.io:80'), true);
    assert.equal(uriEquals(toUri('http://foo.bar.baz'), toUri('http://foo.Bar.baz.')), true);
    assert.equal(uriEquals('foo.bar.com', toUri('https://foo.Bar.baz.')), false);
  });
});
