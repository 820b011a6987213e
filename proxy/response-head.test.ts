import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BodyFraming, parseResponseHead, ResponseHeadError } from './response-head.js';

/** A head as parseResponseHead gets it: the lines joined by CRLF, without the blank line. */
const head = (...lines: string[]): string => lines.join('\r\n');

test('status line: HTTP/1.1 and HTTP/1.0, with a reason, an empty reason and none', () => {
  const ok = parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 0'), 'GET');
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.statusMessage, 'OK');
  const spaced = parseResponseHead(head('HTTP/1.1 404 Not Found Here'), 'GET');
  assert.equal(spaced.statusCode, 404);
  assert.equal(spaced.statusMessage, 'Not Found Here');
  const old = parseResponseHead(head('HTTP/1.0 503 Service Unavailable', 'Content-Length: 3'), 'GET');
  assert.equal(old.statusCode, 503);
  assert.equal(old.statusMessage, 'Service Unavailable');
  const bare = parseResponseHead('HTTP/1.1 201', 'POST');
  assert.equal(bare.statusCode, 201);
  assert.equal(bare.statusMessage, '');
  assert.deepEqual(bare.headers, {});
  const empty = parseResponseHead(head('HTTP/1.1 202 ', 'Content-Length: 0'), 'GET');
  assert.equal(empty.statusCode, 202);
  assert.equal(empty.statusMessage, '');
});

test('bad status lines are ResponseHeadErrors', () => {
  for (const line of ['HTTP/1.1 20 OK', 'HTTP/1.1 2000 OK', 'HTTP/2 200 OK', 'HTTP/1.2 200 OK', 'http/1.1 200 OK', 'HTTP/1.1  200 OK', 'HTTP/1.1 OK 200', 'ICY 200 OK', '', 'GET / HTTP/1.1']) {
    assert.throws(() => parseResponseHead(head(line, 'Content-Length: 0'), 'GET'), ResponseHeadError, JSON.stringify(line));
  }
});

test('headers: names lower-cased, values trimmed, repeats comma-joined, set-cookie kept as a list', () => {
  const parsed = parseResponseHead(
    head('HTTP/1.1 200 OK', 'Content-Type:  text/plain ', 'X-Multi: a', 'Set-Cookie: a=1; Path=/', 'x-multi: b', 'SET-COOKIE: b=2, c=3', 'X-Multi:c', 'X-Empty:', 'Content-Length: 2'),
    'GET',
  );
  assert.deepEqual(parsed.headers, {
    'content-type': 'text/plain',
    'x-multi': 'a, b, c',
    'set-cookie': ['a=1; Path=/', 'b=2, c=3'],
    'x-empty': '',
    'content-length': '2',
  });
  const single = parseResponseHead(head('HTTP/1.1 200 OK', 'Set-Cookie: only=1', 'Content-Length: 0'), 'GET');
  assert.deepEqual(single.headers['set-cookie'], ['only=1'], 'a single set-cookie is still a list');
});

test('header values keep their bytes: obs-text (UTF-8 in latin1), inner tabs and spaces; only SP and HTAB are trimmed', () => {
  // "voilà" ends in the bytes C3 A0; A0 (no-break space in latin1) must not be trimmed away.
  const utf8 = Buffer.from('voilà', 'utf8').toString('latin1');
  const leading = Buffer.from('\u00a0x', 'latin1').toString('latin1');
  const parsed = parseResponseHead(head('HTTP/1.1 200 OK', `X-Name: ${utf8}`, `X-Lead: ${leading}`, 'X-Inner: \t a \t b \t ', 'Content-Length: 0'), 'GET');
  assert.equal(Buffer.from(parsed.headers['x-name'] as string, 'latin1').toString('utf8'), 'voilà');
  assert.equal(parsed.headers['x-lead'], leading);
  assert.equal(parsed.headers['x-inner'], 'a \t b');
});

test('content-length: LENGTH framing, repeated equal values accepted, conflicting ones rejected', () => {
  const parsed = parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 42'), 'GET');
  assert.equal(parsed.framing, BodyFraming.LENGTH);
  assert.equal(parsed.contentLength, 42);
  assert.equal(parsed.reusable, true);
  const repeated = parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 7', 'content-length: 7'), 'GET');
  assert.equal(repeated.contentLength, 7);
  assert.equal(repeated.framing, BodyFraming.LENGTH);
  assert.throws(() => parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 7', 'Content-Length: 8'), 'GET'), { name: 'ResponseHeadError', message: /conflicting content-length/ });
  const zero = parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 0'), 'GET');
  assert.equal(zero.framing, BodyFraming.LENGTH);
  assert.equal(zero.contentLength, 0);
});

test('invalid content-length values are rejected', () => {
  for (const value of ['-1', '1.5', 'abc', '', '0x10', '+5', '5, 5', '1 2', '1234567890123456']) {
    assert.throws(() => parseResponseHead(head('HTTP/1.1 200 OK', `Content-Length: ${value}`), 'GET'), { name: 'ResponseHeadError', message: /invalid content-length/ }, JSON.stringify(value));
  }
});

test('transfer-encoding: chunked wins over content-length, which is dropped from the headers', () => {
  const parsed = parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 10', 'Transfer-Encoding: chunked'), 'GET');
  assert.equal(parsed.framing, BodyFraming.CHUNKED);
  assert.equal(parsed.headers['content-length'], undefined);
  assert.equal(parsed.headers['transfer-encoding'], 'chunked');
  const before = parseResponseHead(head('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip, chunked', 'Content-Length: 10'), 'GET');
  assert.equal(before.framing, BodyFraming.CHUNKED);
  assert.equal(before.headers['content-length'], undefined);
  assert.equal(before.reusable, true);
  const upper = parseResponseHead(head('HTTP/1.1 200 OK', 'Transfer-Encoding: CHUNKED'), 'GET');
  assert.equal(upper.framing, BodyFraming.CHUNKED);
});

test('a transfer-encoding that does not end in chunked is read until close and not reusable', () => {
  const parsed = parseResponseHead(head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked, gzip', 'Content-Length: 5'), 'GET');
  assert.equal(parsed.framing, BodyFraming.UNTIL_CLOSE);
  assert.equal(parsed.reusable, false);
  assert.equal(parsed.headers['content-length'], undefined);
});

test('no length at all: read until close, never reusable', () => {
  const parsed = parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Type: text/plain'), 'GET');
  assert.equal(parsed.framing, BodyFraming.UNTIL_CLOSE);
  assert.equal(parsed.reusable, false);
  const keepAlive = parseResponseHead(head('HTTP/1.0 200 OK', 'Connection: keep-alive'), 'GET');
  assert.equal(keepAlive.framing, BodyFraming.UNTIL_CLOSE);
  assert.equal(keepAlive.reusable, false, 'keep-alive cannot help a close-delimited body');
});

test('HEAD, 1xx, 204 and 304 have no body whatever their headers say', () => {
  const cases: [string, string][] = [
    [head('HTTP/1.1 200 OK', 'Content-Length: 100'), 'HEAD'],
    [head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'), 'HEAD'],
    [head('HTTP/1.1 200 OK'), 'HEAD'],
    [head('HTTP/1.1 100 Continue'), 'POST'],
    [head('HTTP/1.1 103 Early Hints', 'Link: </a.css>; rel=preload'), 'GET'],
    [head('HTTP/1.1 204 No Content', 'Content-Length: 10'), 'DELETE'],
    [head('HTTP/1.1 304 Not Modified', 'Content-Length: 10', 'ETag: "x"'), 'GET'],
    [head('HTTP/1.1 304 Not Modified', 'Transfer-Encoding: chunked'), 'GET'],
  ];
  for (const [text, method] of cases) {
    const parsed = parseResponseHead(text, method);
    assert.equal(parsed.framing, BodyFraming.NONE, `${method} ${text}`);
    assert.equal(parsed.reusable, true, `${method} ${text}`);
  }
  const lengthKept = parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 100'), 'HEAD');
  assert.equal(lengthKept.headers['content-length'], '100', 'the length of the body a GET would get is passed on');
});

test('reusable: connection close, HTTP/1.0 without keep-alive', () => {
  const reusable = (...lines: string[]): boolean => parseResponseHead(head(...lines), 'GET').reusable;
  assert.equal(reusable('HTTP/1.1 200 OK', 'Content-Length: 1'), true);
  assert.equal(reusable('HTTP/1.1 200 OK', 'Connection: close', 'Content-Length: 1'), false);
  assert.equal(reusable('HTTP/1.1 200 OK', 'Connection: Close', 'Content-Length: 1'), false);
  assert.equal(reusable('HTTP/1.1 200 OK', 'Connection: x-trace, close', 'Content-Length: 1'), false);
  assert.equal(reusable('HTTP/1.1 200 OK', 'Connection: keep-alive', 'Content-Length: 1'), true);
  assert.equal(reusable('HTTP/1.0 200 OK', 'Content-Length: 1'), false);
  assert.equal(reusable('HTTP/1.0 200 OK', 'Connection: keep-alive', 'Content-Length: 1'), true);
  assert.equal(reusable('HTTP/1.0 200 OK', 'Connection: Keep-Alive', 'Content-Length: 1'), true);
  assert.equal(reusable('HTTP/1.0 200 OK', 'Connection: keep-alive, close', 'Content-Length: 1'), false);
  assert.equal(reusable('HTTP/1.0 204 No Content'), false);
  assert.equal(reusable('HTTP/1.1 204 No Content', 'Connection: close'), false);
  assert.equal(reusable('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Connection: close'), false);
});

test('a header line without a colon is rejected', () => {
  assert.throws(() => parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length 0'), 'GET'), { name: 'ResponseHeadError', message: /without a colon/ });
  // The colon of a later line does not count for an earlier one.
  assert.throws(() => parseResponseHead(head('HTTP/1.1 200 OK', 'X-Broken', 'X-Fine: a:b'), 'GET'), { name: 'ResponseHeadError', message: /without a colon/ });
});

test('invalid header names are rejected: spaces, obs-fold, empty, separators', () => {
  for (const line of ['X Name: 1', 'X-Name : 1', ' X-Folded: 1', '\tX-Folded: 1', ': 1', 'X(1): 1', 'X"1": 1', 'X\u00e9: 1', 'X\x00: 1']) {
    assert.throws(() => parseResponseHead(head('HTTP/1.1 200 OK', line, 'Content-Length: 0'), 'GET'), { name: 'ResponseHeadError', message: /invalid header name/ }, JSON.stringify(line));
  }
  // An obs-fold continuation line of a previous header.
  assert.throws(() => parseResponseHead(head('HTTP/1.1 200 OK', 'X-A: 1', ' continued', 'Content-Length: 0'), 'GET'), ResponseHeadError);
});

test('invalid characters in header values are rejected, controls at the edges too', () => {
  for (const value of ['a\x00b', 'a\x7fb', 'a\rb', 'a\nb', 'a\x1bb', 'x\x0b', '\x0bx', 'x\x0c', 'x\r']) {
    assert.throws(() => parseResponseHead(head('HTTP/1.1 200 OK', `X-Bad: ${value}`, 'Content-Length: 0'), 'GET'), { name: 'ResponseHeadError', message: /invalid character in the value of header x-bad/ }, JSON.stringify(value));
  }
});

test('errors are ResponseHeadError instances with their name', () => {
  let caught: unknown;
  try {
    parseResponseHead('garbage', 'GET');
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ResponseHeadError);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'ResponseHeadError');
  assert.match(caught.message, /not an HTTP\/1\.x status line: "garbage"/);
});
