import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatGoUrl, fromByteString, parseGoUrl, toByteString, urlHostname, urlPort } from './go-url.js';

// Expected values were produced by Go 1.26's net/url: url.Parse(text) then String(), Hostname(),
// Port() and Path, with url.Error printed in the pre-Go-1.14 format (a differential oracle run
// outside this repository).

type Expected = { string: string; hostname: string; port: string; path: string } | { error: string };

const PARSED: ReadonlyArray<readonly [string, Expected]> = [
  ['http://istio.io', { string: 'http://istio.io', hostname: 'istio.io', port: '', path: '' }],
  ['HTTP://Istio.IO/A/B', { string: 'http://Istio.IO/A/B', hostname: 'Istio.IO', port: '', path: '/A/B' }],
  ['urn:foo', { string: 'urn:foo', hostname: '', port: '', path: '' }],
  ['mailto:a@b.com', { string: 'mailto:a@b.com', hostname: '', port: '', path: '' }],
  ['*', { string: '*', hostname: '', port: '', path: '*' }],
  ['/path', { string: '/path', hostname: '', port: '', path: '/path' }],
  ['//host/path', { string: '//host/path', hostname: 'host', port: '', path: '/path' }],
  ['///path', { string: '///path', hostname: '', port: '', path: '///path' }],
  ['www.istio.io', { string: 'www.istio.io', hostname: '', port: '', path: 'www.istio.io' }],
  ['http:', { string: 'http:', hostname: '', port: '', path: '' }],
  ['http:/', { string: 'http:/', hostname: '', port: '', path: '/' }],
  ['http://', { string: 'http:', hostname: '', port: '', path: '' }],
  ['http:path', { string: 'http:path', hostname: '', port: '', path: '' }],
  ['http:/path', { string: 'http:/path', hostname: '', port: '', path: '/path' }],
  ['http://h?', { string: 'http://h?', hostname: 'h', port: '', path: '' }],
  ['http://h/?', { string: 'http://h/?', hostname: 'h', port: '', path: '/' }],
  ['http://h/a?b?', { string: 'http://h/a?b?', hostname: 'h', port: '', path: '/a' }],
  ['http://h#', { string: 'http://h', hostname: 'h', port: '', path: '' }],
  ['http://h/#a b', { string: 'http://h/#a%20b', hostname: 'h', port: '', path: '/' }],
  ['http://h/#a%20b', { string: 'http://h/#a%20b', hostname: 'h', port: '', path: '/' }],
  ['http://h/#!$&\'()*+,;=', { string: 'http://h/#!$&\'()*+,;=', hostname: 'h', port: '', path: '/' }],
  ['http://h/a b', { string: 'http://h/a%20b', hostname: 'h', port: '', path: '/a b' }],
  ['http://h/a%20b', { string: 'http://h/a%20b', hostname: 'h', port: '', path: '/a b' }],
  ['/a%2fb', { string: '/a%2fb', hostname: '', port: '', path: '/a/b' }],
  ['/a%2Fb', { string: '/a%2Fb', hostname: '', port: '', path: '/a/b' }],
  ['/é', { string: '/%C3%A9', hostname: '', port: '', path: '/é' }],
  ['/%C3%A9', { string: '/%C3%A9', hostname: '', port: '', path: '/é' }],
  ['/%e9', { string: '/%e9', hostname: '', port: '', path: '/�' }],
  ['http://ü.com/', { string: 'http://%C3%BC.com/', hostname: 'ü.com', port: '', path: '/' }],
  ['http://a%C3%A9b/', { string: 'http://a%C3%A9b/', hostname: 'aéb', port: '', path: '/' }],
  ['http://user:pass@host/', { string: 'http://user:pass@host/', hostname: 'host', port: '', path: '/' }],
  ['http://user@host/', { string: 'http://user@host/', hostname: 'host', port: '', path: '/' }],
  ['http://user:p@ss@host/', { string: 'http://user:p%40ss@host/', hostname: 'host', port: '', path: '/' }],
  ['http://u%3A@h/', { string: 'http://u%3A@h/', hostname: 'h', port: '', path: '/' }],
  ['http://:@h/', { string: 'http://:@h/', hostname: 'h', port: '', path: '/' }],
  ['http://@h/', { string: 'http://@h/', hostname: 'h', port: '', path: '/' }],
  ['http://[::1]:8080/', { string: 'http://[::1]:8080/', hostname: '::1', port: '8080', path: '/' }],
  ['http://[fe80::1%25%65n0]/', { string: 'http://[fe80::1%25en0]/', hostname: 'fe80::1%en0', port: '', path: '/' }],
  ['foo://a:1:2/', { string: 'foo://a:1:2/', hostname: 'a:1', port: '2', path: '/' }],
  ['./a:b', { string: './a:b', hostname: '', port: '', path: './a:b' }],
  ['a/b:c', { string: 'a/b:c', hostname: '', port: '', path: 'a/b:c' }],
  ['http://h/./../x', { string: 'http://h/./../x', hostname: 'h', port: '', path: '/./../x' }],
  ['http://h:/', { string: 'http://h:/', hostname: 'h', port: '', path: '/' }],
  ['http://h!$&\'()*+,;=/', { string: 'http://h!$&\'()*+,;=/', hostname: 'h!$&\'()*+,;=', port: '', path: '/' }],
  ['http://h/"<>', { string: 'http://h/%22%3C%3E', hostname: 'h', port: '', path: '/"<>' }],
];

describe('parseGoUrl and formatGoUrl (Go net/url)', () => {
  for (const [input, expected] of PARSED) {
    it(`parses ${JSON.stringify(input)}`, () => {
      const result = parseGoUrl(input);
      if (!result.ok) {
        assert.deepEqual({ error: result.error }, expected);
        return;
      }
      const url = result.url;
      assert.deepEqual(
        {
          string: fromByteString(formatGoUrl(url)),
          hostname: fromByteString(urlHostname(url)),
          port: urlPort(url),
          path: fromByteString(url.path),
        },
        expected,
      );
    });
  }

  it('keeps decoded bytes that are not UTF-8, and re-escapes them when the raw path is unusable', () => {
    // Go 1.26: Path "/\xff\xc3\xa9"; String() is the raw path, or a fresh escaping once the raw
    // path holds a character that needs escaping.
    const valid = parseGoUrl('http://h/%ff%C3%A9');
    assert.ok(valid.ok);
    assert.equal(valid.url.path, '/\xff\xc3\xa9');
    assert.equal(formatGoUrl(valid.url), 'http://h/%ff%C3%A9');
    const withSpace = parseGoUrl('http://h/%ff%C3%A9 x');
    assert.ok(withSpace.ok);
    assert.equal(formatGoUrl(withSpace.url), 'http://h/%FF%C3%A9%20x');
  });

  it('converts between JS strings and UTF-8 byte strings', () => {
    assert.equal(toByteString('é'), '\xc3\xa9');
    assert.equal(fromByteString('\xc3\xa9'), 'é');
    assert.equal(toByteString('plain'), 'plain');
  });
});
