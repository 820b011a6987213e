import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type RequestListener, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { endToEndHeaders, HttpForwarder, InvalidHeaderError, ProxyErrorCode, requestHeadText, type ForwardOutcome } from './http-forwarder.js';
import type { HostPort } from './proxy-config.js';

/** Safety net only (a hung exchange fails the test instead of the run); no test asserts on time. */
const LIMIT = { timeout: 30_000 };

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Polls `condition` until it holds (bounded, so a bug fails rather than hangs). */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await delay(5);
  }
  assert.fail(`never happened: ${what}`);
}

function closed(socket: Socket): Promise<unknown> {
  return socket.closed ? Promise.resolve() : once(socket, 'close');
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

function newForwarder(t: TestContext, options: { idleTimeoutMs?: number; maxIdlePerUpstream?: number } = {}): HttpForwarder {
  const forwarder = new HttpForwarder(options);
  t.after(() => forwarder.close());
  return forwarder;
}

interface Upstream {
  readonly target: HostPort;
  /** Server-side sockets, in accept order. */
  readonly sockets: Socket[];
}

interface HttpUpstream extends Upstream {
  readonly server: http.Server;
  readonly requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
}

/** A node:http upstream; records its connections and the requests it saw. */
async function httpUpstream(t: TestContext, handler: RequestListener): Promise<HttpUpstream> {
  const sockets: Socket[] = [];
  const requests: HttpUpstream['requests'] = [];
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  server.on('connection', (socket: Socket) => sockets.push(socket));
  const port = await listen(server);
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { server, sockets, requests, target: { host: '127.0.0.1', port } };
}

interface RawUpstream extends Upstream {
  /** Request heads received (bodies are not parsed: use bodyless requests). */
  readonly heads: string[];
}

/** `respond` gets each request head and its index on its connection. */
type RawResponder = (socket: Socket, head: string, index: number) => void;

/** A net server answering with hand-written bytes. */
async function rawUpstream(t: TestContext, respond: RawResponder): Promise<RawUpstream> {
  const sockets: Socket[] = [];
  const heads: string[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    let buffered = '';
    let index = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0 && !socket.destroyed; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        heads.push(head);
        respond(socket, head, index++);
      }
    });
  });
  const port = await listen(server);
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { sockets, heads, target: { host: '127.0.0.1', port } };
}

const pathOf = (head: string): string => head.split(' ')[1] ?? '';

interface FrontOptions {
  retry?: () => HostPort | undefined;
  extraHeaders?: OutgoingHttpHeaders;
  onResponseHead?: (headers: IncomingHttpHeaders) => void;
  beforeForward?: (request: IncomingMessage, response: ServerResponse) => void;
}

interface Front {
  readonly port: number;
  readonly server: http.Server;
  /** The outcome of the index-th request the front server got (waits for it to arrive). */
  outcome(index: number): Promise<ForwardOutcome>;
}

/** The downstream side: a node:http server whose handler forwards every request to `target`. */
async function frontProxy(t: TestContext, forwarder: HttpForwarder, target: HostPort, options: FrontOptions = {}): Promise<Front> {
  const outcomes: Promise<ForwardOutcome>[] = [];
  const server = http.createServer((request, response) => {
    options.beforeForward?.(request, response);
    const headers = { ...endToEndHeaders(request.headers), ...options.extraHeaders };
    const outcome = forwarder.forward(request, response, target, { method: request.method ?? 'GET', path: request.url ?? '/', headers }, (responseHeaders) => options.onResponseHead?.(responseHeaders), options.retry);
    outcomes.push(outcome);
    outcome.catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(error instanceof Error ? error.name : 'error');
    });
  });
  const port = await listen(server);
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return {
    port,
    server,
    async outcome(index) {
      await waitFor(() => outcomes.length > index, `request ${index} at the front server`);
      return outcomes[index]!;
    },
  };
}

interface Reply {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
  readonly trailers: NodeJS.Dict<string>;
  readonly body: Buffer;
  /** Whether the whole body arrived (false when the response was aborted). */
  readonly complete: boolean;
  /** 1xx statuses the client saw. */
  readonly informational: number[];
}

interface SendOptions {
  method?: string;
  path?: string;
  headers?: OutgoingHttpHeaders;
  /** One buffer (sent as is, give it a content-length) or pieces (sent chunked). */
  body?: string | Buffer | (string | Buffer)[];
  /** Sends the body only once the server says 100 Continue. */
  expectContinue?: boolean;
  maxHeaderSize?: number;
  onRequest?: (request: ClientRequest) => void;
  onResponse?: (response: IncomingMessage, request: ClientRequest) => void;
}

/** A client request to the front server on its own connection; resolves when the response closes. */
function send(port: number, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers, agent: false, maxHeaderSize: options.maxHeaderSize });
    const informational: number[] = [];
    request.on('information', (info: { statusCode: number }) => informational.push(info.statusCode));
    request.on('error', reject);
    request.on('response', (response) => {
      const parts: Buffer[] = [];
      response.on('data', (chunk: Buffer) => parts.push(chunk));
      response.on('error', () => {});
      response.on('close', () =>
        resolve({
          status: response.statusCode ?? 0,
          statusMessage: response.statusMessage ?? '',
          headers: response.headers,
          trailers: response.trailers,
          body: Buffer.concat(parts),
          complete: response.complete,
          informational,
        }),
      );
      options.onResponse?.(response, request);
    });
    options.onRequest?.(request);
    const body = options.body;
    if (options.expectContinue === true) request.on('continue', () => request.end(body as string | Buffer));
    else if (Array.isArray(body)) {
      for (const piece of body) request.write(piece);
      request.end();
    } else if (body !== undefined) request.end(body);
    else request.end();
  });
}

/** The chunked body of the decoder tests: extensions, a quoted semicolon, trailers. */
const CHUNKED_BODY = '5;name=value\r\nhello\r\n1\r\n \r\nA;q="a;b"\r\n0123456789\r\nc\r\n, chunked!!!\r\n0;last\r\nX-Trailer: one\r\n\r\n';
const CHUNKED_DECODED = 'hello 0123456789, chunked!!!';

test('requestHeadText: request line, headers in order, numbers, lists, chunked framing', () => {
  const text = requestHeadText({ method: 'POST', path: '/p?q=1', headers: { host: 'h:80', 'x-n': 5, 'x-list': ['a', 'b'], 'x-none': undefined, 'x-obs': 'caf\u00e9' } }, true);
  assert.equal(text, 'POST /p?q=1 HTTP/1.1\r\nhost: h:80\r\nx-n: 5\r\nx-list: a\r\nx-list: b\r\nx-obs: caf\u00e9\r\ntransfer-encoding: chunked\r\n\r\n');
  assert.equal(requestHeadText({ method: 'GET', path: '/', headers: {} }, false), 'GET / HTTP/1.1\r\n\r\n');
});

test('requestHeadText: a method that is not a token, a target with a space or control, values with CR, LF or other controls and bad names are InvalidHeaderErrors', () => {
  const bad: OutgoingHttpHeaders[] = [{ 'x-a': 'a\r\nx-injected: 1' }, { 'x-a': 'a\nb' }, { 'x-a': 'a\rb' }, { 'x-a': 'a\x00b' }, { 'x-a': ['fine', 'a\r\nb'] }, { 'x-a': 'wide \u2028' }, { 'bad name': 'x' }, { 'x-a\r\nx-b': 'x' }, { '': 'x' }];
  for (const headers of bad) assert.throws(() => requestHeadText({ method: 'GET', path: '/', headers }, false), InvalidHeaderError, JSON.stringify(headers));
  const badLines: [string, string][] = [['GET\u010d\u010a', '/'], ['GET /x', '/'], ['', '/'], ['GET', '/a\u010d\u010ab'], ['GET', '/a b'], ['GET', '']];
  for (const [method, path] of badLines) {
    assert.throws(() => requestHeadText({ method, path, headers: {} }, false), InvalidHeaderError, JSON.stringify([method, path]));
  }
});

test('endToEndHeaders drops hop-by-hop headers and those the Connection header names, keeps what it is told', () => {
  assert.deepEqual(
    endToEndHeaders({ host: 'h', connection: 'keep-alive', 'keep-alive': 'timeout=5', te: 'trailers', 'transfer-encoding': 'chunked', upgrade: 'ws', 'proxy-authorization': 'p', trailer: 'x', 'x-a': '1' }),
    { host: 'h', 'x-a': '1' },
  );
  assert.deepEqual(endToEndHeaders({ connection: 'X-Secret, Upgrade', 'x-secret': 's', upgrade: 'websocket', 'x-keep': 'k', 'x-drop': 'd' }, 'x-drop', new Set(['connection', 'upgrade'])), {
    connection: 'X-Secret, Upgrade',
    upgrade: 'websocket',
    'x-keep': 'k',
  });
});

test('a content-length response: status, reason, body, end-to-end headers and byte counts', LIMIT, async (t) => {
  const upstream = await httpUpstream(t, (_request, response) => {
    response.writeHead(200, 'Fine', { 'content-type': 'text/plain', 'content-length': 11, 'x-up': 'yes' });
    response.end('hello world');
  });
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  const reply = await send(front.port, { path: '/a/b?c=d', headers: { 'x-client': 'c', 'x-secret': 's', connection: 'close, x-secret', te: 'trailers' } });
  assert.equal(reply.status, 200);
  assert.equal(reply.statusMessage, 'Fine');
  assert.equal(reply.body.toString(), 'hello world');
  assert.equal(reply.headers['content-length'], '11');
  assert.equal(reply.headers['x-up'], 'yes');
  assert.equal(reply.headers['keep-alive'], undefined, "the upstream's Keep-Alive is not passed on");
  const seen = upstream.requests[0]!;
  assert.equal(seen.method, 'GET');
  assert.equal(seen.url, '/a/b?c=d');
  assert.equal(seen.headers['x-client'], 'c');
  assert.equal(seen.headers.host, `127.0.0.1:${front.port}`);
  assert.equal(seen.headers['x-secret'], undefined);
  assert.equal(seen.headers.te, undefined);
  assert.equal(seen.headers.connection, undefined);
  const outcome = await front.outcome(0);
  assert.equal(outcome.statusCode, 200);
  assert.equal(outcome.proxyErrorCode, '');
  assert.equal(outcome.requestBodyBytes, 0);
  assert.equal(outcome.responseBodyBytes, 11);
  assert.ok(outcome.responseHeadBytes > 'HTTP/1.1 200 Fine\r\n\r\n'.length);
  assert.equal(outcome.responseHeaders['x-up'], 'yes');
  assert.equal(outcome.responseHeaders.connection, undefined);
  assert.equal(outcome.responseHeaders['keep-alive'], undefined);
});

test('onResponseHead may edit the response headers before they are sent', LIMIT, async (t) => {
  const upstream = await rawUpstream(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nX-Up: 1\r\nX-Remove: me\r\nContent-Length: 2\r\n\r\nok'));
  const front = await frontProxy(t, newForwarder(t), upstream.target, {
    onResponseHead: (headers) => {
      headers['x-added'] = 'yes';
      delete headers['x-remove'];
    },
  });
  const reply = await send(front.port);
  assert.equal(reply.headers['x-added'], 'yes');
  assert.equal(reply.headers['x-remove'], undefined);
  assert.equal(reply.headers['x-up'], '1');
  const outcome = await front.outcome(0);
  assert.equal(outcome.responseHeaders['x-added'], 'yes');
  assert.equal(outcome.responseHeaders['x-remove'], undefined);
});

test('a chunked response is decoded and re-framed for the client; byte counts are of the decoded body', LIMIT, async (t) => {
  const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Trailer\r\nX-Up: raw\r\n\r\n';
  const upstream = await rawUpstream(t, (socket) => socket.write(head + CHUNKED_BODY));
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  const reply = await send(front.port);
  assert.equal(reply.status, 200);
  assert.equal(reply.complete, true);
  assert.equal(reply.body.toString('latin1'), CHUNKED_DECODED);
  assert.equal(reply.headers['transfer-encoding'], 'chunked');
  assert.equal(reply.headers['content-length'], undefined);
  assert.equal(reply.headers.trailer, undefined);
  assert.equal(reply.headers['x-up'], 'raw');
  assert.deepEqual(reply.trailers, {}, 'trailers are dropped');
  const outcome = await front.outcome(0);
  assert.equal(outcome.responseBodyBytes, CHUNKED_DECODED.length);
  assert.equal(outcome.responseHeadBytes, head.length);
  assert.equal(outcome.proxyErrorCode, '');
  assert.equal(forwarder.idleConnections, 1, 'the complete chunked response leaves the connection reusable');
  const again = await send(front.port);
  assert.equal(again.body.toString('latin1'), CHUNKED_DECODED);
  assert.equal(upstream.sockets.length, 1);
});

test('a response dribbled in small pieces (head and body split anywhere) arrives intact', LIMIT, async (t) => {
  const response = Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Long: ${'v'.repeat(50)}\r\n\r\n${CHUNKED_BODY}`, 'latin1');
  const upstream = await rawUpstream(t, (socket) => {
    void (async () => {
      for (let at = 0; at < response.length; at += 7) {
        socket.write(response.subarray(at, at + 7));
        await delay(1);
      }
    })();
  });
  const front = await frontProxy(t, newForwarder(t), upstream.target);
  const reply = await send(front.port);
  assert.equal(reply.body.toString('latin1'), CHUNKED_DECODED);
  assert.equal(reply.headers['x-long'], 'v'.repeat(50));
  assert.equal((await front.outcome(0)).responseBodyBytes, CHUNKED_DECODED.length);
});

test('a close-delimited response (HTTP/1.0, no length) is read until the upstream closes', LIMIT, async (t) => {
  const upstream = await rawUpstream(t, (socket, head) => {
    if (pathOf(head) === '/http10') {
      socket.write('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ');
      setImmediate(() => socket.end('the end'));
    } else socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nno length either');
  });
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  const reply = await send(front.port, { path: '/http10' });
  assert.equal(reply.status, 200);
  assert.equal(reply.complete, true);
  assert.equal(reply.body.toString(), 'until the end');
  const outcome = await front.outcome(0);
  assert.equal(outcome.proxyErrorCode, '');
  assert.equal(outcome.responseBodyBytes, 'until the end'.length);
  const http11 = await send(front.port, { path: '/http11' });
  assert.equal(http11.body.toString(), 'no length either');
  assert.equal((await front.outcome(1)).proxyErrorCode, '');
  assert.equal(forwarder.idleConnections, 0);
});

test('responses that forbid reuse are not pooled: HTTP/1.0 without keep-alive, Connection: close, bytes after the body', LIMIT, async (t) => {
  const responses: Record<string, string> = {
    '/http10': 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok',
    '/close': 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok',
    '/extra': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA',
    '/http10-keep-alive': 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok',
  };
  // The upstream never closes: the forwarder alone decides.
  const upstream = await rawUpstream(t, (socket, head) => socket.write(responses[pathOf(head)]!));
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  for (const [index, path] of ['/http10', '/close', '/extra'].entries()) {
    const reply = await send(front.port, { path });
    assert.equal(reply.body.toString(), 'ok', path);
    assert.equal(forwarder.idleConnections, 0, path);
    await closed(upstream.sockets[index]!);
  }
  assert.equal((await send(front.port, { path: '/http10-keep-alive' })).body.toString(), 'ok');
  assert.equal(forwarder.idleConnections, 1);
  assert.equal((await send(front.port, { path: '/http10-keep-alive' })).body.toString(), 'ok');
  assert.equal(upstream.sockets.length, 4, 'HTTP/1.0 with keep-alive reused its connection');
});

test('interim 1xx responses (100 Continue, 103 Early Hints) are skipped, whole or split', LIMIT, async (t) => {
  const interim = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n';
  const final = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const upstream = await rawUpstream(t, (socket, head) => {
    if (pathOf(head) === '/together') socket.write(interim + final);
    else {
      socket.write(interim);
      setTimeout(() => socket.write(final), 5);
    }
  });
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  for (const [index, path] of ['/together', '/split'].entries()) {
    const reply = await send(front.port, { path });
    assert.equal(reply.status, 200, path);
    assert.equal(reply.body.toString(), 'ok', path);
    assert.deepEqual(reply.informational, [], path);
    assert.equal(reply.headers.link, undefined, path);
    const outcome = await front.outcome(index);
    assert.equal(outcome.statusCode, 200, path);
    assert.equal(outcome.responseHeadBytes, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n'.length, path);
    assert.equal(outcome.proxyErrorCode, '', path);
  }
  assert.equal(forwarder.idleConnections, 1);
  assert.equal(upstream.sockets.length, 1);
});

test('Expect: 100-continue end to end through node:http on both sides', LIMIT, async (t) => {
  const upstream = await httpUpstream(t, (request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (chunk: Buffer) => parts.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(parts);
      response.writeHead(201, { 'content-length': body.length });
      response.end(body);
    });
  });
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  const reply = await send(front.port, { method: 'PUT', headers: { expect: '100-continue', 'content-length': 5 }, body: 'hello', expectContinue: true });
  assert.equal(reply.status, 201);
  assert.equal(reply.body.toString(), 'hello');
  assert.equal(upstream.requests[0]!.headers.expect, '100-continue');
  const outcome = await front.outcome(0);
  assert.equal(outcome.statusCode, 201);
  assert.equal(outcome.requestBodyBytes, 5);
  assert.equal(outcome.responseBodyBytes, 5);
  assert.equal(forwarder.idleConnections, 1);
});

test('HEAD: no body awaited whatever the length says, and the connection is reused', LIMIT, async (t) => {
  const upstream = await rawUpstream(t, (socket, head) => {
    if (head.startsWith('HEAD ')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nX-Kind: head\r\n\r\n');
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nget');
  });
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  const head = await send(front.port, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '1234');
  assert.equal(head.headers['x-kind'], 'head');
  assert.equal(head.body.length, 0);
  assert.equal(head.complete, true);
  const outcome = await front.outcome(0);
  assert.equal(outcome.proxyErrorCode, '');
  assert.equal(outcome.responseBodyBytes, 0);
  assert.equal(forwarder.idleConnections, 1);
  const get = await send(front.port);
  assert.equal(get.body.toString(), 'get');
  assert.equal(upstream.sockets.length, 1);
  assert.deepEqual(upstream.heads.map((text) => text.split(' ')[0]), ['HEAD', 'GET']);
});

test('204 and 304 have no body; the connection is reused for the next request', LIMIT, async (t) => {
  const upstream = await httpUpstream(t, (request, response) => {
    if (request.url === '/204') response.writeHead(204, { 'x-a': '1' }).end();
    else if (request.url === '/304') response.writeHead(304, { etag: '"e"' }).end();
    else response.writeHead(200, { 'content-length': 2 }).end('ok');
  });
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  const noContent = await send(front.port, { method: 'DELETE', path: '/204' });
  assert.equal(noContent.status, 204);
  assert.equal(noContent.headers['x-a'], '1');
  assert.equal(noContent.body.length, 0);
  const notModified = await send(front.port, { path: '/304', headers: { 'if-none-match': '"e"' } });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers.etag, '"e"');
  assert.equal(notModified.body.length, 0);
  assert.equal((await send(front.port, { path: '/ok' })).body.toString(), 'ok');
  for (const index of [0, 1, 2]) assert.equal((await front.outcome(index)).proxyErrorCode, '');
  assert.deepEqual([(await front.outcome(0)).statusCode, (await front.outcome(1)).statusCode], [204, 304]);
  assert.equal(upstream.sockets.length, 1);
  assert.equal(forwarder.idleConnections, 1);
});

test('keep-alive: sequential requests share one upstream connection', LIMIT, async (t) => {
  const upstream = await httpUpstream(t, (request, response) => response.writeHead(200, { 'content-length': request.url!.length }).end(request.url));
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  assert.equal(forwarder.idleConnections, 0);
  assert.equal((await send(front.port, { path: '/one' })).body.toString(), '/one');
  assert.equal(forwarder.idleConnections, 1);
  assert.equal((await send(front.port, { path: '/two' })).body.toString(), '/two');
  assert.equal(upstream.sockets.length, 1);
  assert.equal(upstream.requests.length, 2);
  assert.equal(forwarder.idleConnections, 1);
});

test('an idle connection the upstream closes (keepAliveTimeout) is dropped from the pool; the next request opens a new one', LIMIT, async (t) => {
  const upstream = await httpUpstream(t, (_request, response) => response.writeHead(200, { 'content-length': 2 }).end('ok'));
  upstream.server.keepAliveTimeout = 20;
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  assert.equal((await send(front.port)).body.toString(), 'ok');
  await closed(upstream.sockets[0]!);
  await waitFor(() => forwarder.idleConnections === 0, 'the pool to forget the closed connection');
  const reply = await send(front.port);
  assert.equal(reply.status, 200);
  assert.equal(reply.body.toString(), 'ok');
  assert.equal(upstream.sockets.length, 2);
});

test('an upstream that ends every connection after one response: back-to-back requests all succeed', LIMIT, async (t) => {
  // Keep-alive-looking responses (HTTP/1.1, content-length), then FIN: the next request may find the
  // pooled connection still there or already gone.
  const upstream = await rawUpstream(t, (socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const front = await frontProxy(t, newForwarder(t), upstream.target);
  for (let i = 0; i < 5; i++) {
    const reply = await send(front.port);
    assert.equal(reply.status, 200, `request ${i}`);
    assert.equal(reply.body.toString(), 'ok', `request ${i}`);
    assert.equal((await front.outcome(i)).proxyErrorCode, '', `request ${i}`);
  }
  assert.equal(upstream.sockets.length, 5);
});

test('a reused connection closed by the upstream as the request arrives: a bodyless request is sent again on a new one', LIMIT, async (t) => {
  // Each connection answers its first request and drops the second without a word.
  const upstream = await rawUpstream(t, (socket, head, index) => {
    if (index === 0) socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${pathOf(head).length}\r\n\r\n${pathOf(head)}`);
    else socket.destroy();
  });
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  assert.equal((await send(front.port, { path: '/1' })).body.toString(), '/1');
  assert.equal(forwarder.idleConnections, 1);
  const second = await send(front.port, { path: '/2' });
  assert.equal(second.status, 200);
  assert.equal(second.body.toString(), '/2');
  assert.equal((await front.outcome(1)).proxyErrorCode, '');
  assert.equal(upstream.sockets.length, 2);
  assert.deepEqual(upstream.heads.map(pathOf), ['/1', '/2', '/2']);
  // A request with a body cannot be replayed: it fails as an upstream reset.
  const post = await send(front.port, { method: 'POST', path: '/3', headers: { 'content-length': 4 }, body: 'data' });
  assert.equal(post.status, 503);
  assert.match(post.body.toString(), /remote reset/);
  const outcome = await front.outcome(2);
  assert.equal(outcome.proxyErrorCode, ProxyErrorCode.UPSTREAM_RESET);
  assert.equal(outcome.statusCode, 503);
  assert.equal(upstream.sockets.length, 2, 'not sent again');
});

test('bytes from the upstream on an idle connection: the connection is dropped', LIMIT, async (t) => {
  const upstream = await rawUpstream(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  assert.equal((await send(front.port)).body.toString(), 'ok');
  assert.equal(forwarder.idleConnections, 1);
  upstream.sockets[0]!.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray');
  await closed(upstream.sockets[0]!);
  await waitFor(() => forwarder.idleConnections === 0, 'the confused connection to be dropped');
  assert.equal((await send(front.port)).body.toString(), 'ok');
  assert.equal(upstream.sockets.length, 2);
});

test('idle connections time out (idleTimeoutMs) and are capped (maxIdlePerUpstream)', LIMIT, async (t) => {
  const timing = await httpUpstream(t, (_request, response) => response.writeHead(200, { 'content-length': 2 }).end('ok'));
  const shortIdle = newForwarder(t, { idleTimeoutMs: 20 });
  const front = await frontProxy(t, shortIdle, timing.target);
  assert.equal((await send(front.port)).status, 200);
  await closed(timing.sockets[0]!);
  await waitFor(() => shortIdle.idleConnections === 0, 'the idle connection to time out');

  // Two concurrent requests need two connections; only one is kept.
  const release = deferred();
  const held: Socket[] = [];
  const concurrent = await rawUpstream(t, (socket) => {
    held.push(socket);
    if (held.length === 2) release.resolve();
    void release.promise.then(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  });
  const capped = newForwarder(t, { maxIdlePerUpstream: 1 });
  const cappedFront = await frontProxy(t, capped, concurrent.target);
  const replies = await Promise.all([send(cappedFront.port), send(cappedFront.port)]);
  assert.deepEqual(
    replies.map((reply) => reply.body.toString()),
    ['ok', 'ok'],
  );
  assert.equal(concurrent.sockets.length, 2);
  assert.equal(capped.idleConnections, 1);
  await Promise.race(concurrent.sockets.map(closed));
  assert.equal(concurrent.sockets.filter((socket) => socket.closed).length, 1);
});

test('close() closes idle connections; later requests still work but nothing is pooled', LIMIT, async (t) => {
  const upstream = await httpUpstream(t, (_request, response) => response.writeHead(200, { 'content-length': 2 }).end('ok'));
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  assert.equal((await send(front.port)).status, 200);
  assert.equal(forwarder.idleConnections, 1);
  forwarder.close();
  assert.equal(forwarder.idleConnections, 0);
  await closed(upstream.sockets[0]!);
  assert.equal((await send(front.port)).body.toString(), 'ok');
  assert.equal(forwarder.idleConnections, 0);
  await closed(upstream.sockets[1]!);
});

/** An upstream answering with what it received: lengths, framing headers and a hash. */
async function inspectingUpstream(t: TestContext): Promise<HttpUpstream> {
  return httpUpstream(t, (request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (chunk: Buffer) => parts.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(parts);
      const summary = JSON.stringify({ length: body.length, sha: sha256(body), text: body.length < 100 ? body.toString() : '', cl: request.headers['content-length'] ?? null, te: request.headers['transfer-encoding'] ?? null });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(summary) });
      response.end(summary);
    });
  });
}

interface Summary {
  length: number;
  sha: string;
  text: string;
  cl: string | null;
  te: string | null;
}

test('request bodies arrive intact: with content-length, chunked (no length), empty chunked', LIMIT, async (t) => {
  const upstream = await inspectingUpstream(t);
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);

  const sized = await send(front.port, { method: 'POST', headers: { 'content-length': 10 }, body: 'hello body' });
  assert.deepEqual(JSON.parse(sized.body.toString()), { length: 10, sha: sha256(Buffer.from('hello body')), text: 'hello body', cl: '10', te: null } satisfies Summary);
  assert.equal((await front.outcome(0)).requestBodyBytes, 10);

  const chunked = await send(front.port, { method: 'POST', body: ['chunk one, ', '', 'chunk two', Buffer.from([0xc3, 0xa0])] });
  const expected = Buffer.concat([Buffer.from('chunk one, chunk two'), Buffer.from([0xc3, 0xa0])]);
  assert.deepEqual(JSON.parse(chunked.body.toString()), { length: expected.length, sha: sha256(expected), text: expected.toString(), cl: null, te: 'chunked' } satisfies Summary);
  assert.equal((await front.outcome(1)).requestBodyBytes, expected.length);

  const empty = await send(front.port, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } });
  assert.deepEqual(JSON.parse(empty.body.toString()), { length: 0, sha: sha256(Buffer.alloc(0)), text: '', cl: null, te: 'chunked' } satisfies Summary);
  assert.equal((await front.outcome(2)).requestBodyBytes, 0);

  const zero = await send(front.port, { method: 'POST', headers: { 'content-length': 0 }, body: '' });
  assert.deepEqual(JSON.parse(zero.body.toString()), { length: 0, sha: sha256(Buffer.alloc(0)), text: '', cl: '0', te: null } satisfies Summary);

  // Exact framing both ways: every exchange reused the one connection.
  assert.equal(upstream.sockets.length, 1);
  assert.equal(forwarder.idleConnections, 1);
});

test('large bodies both ways (backpressure): 8 MiB with content-length streamed back chunked, and chunked answered with a length', LIMIT, async (t) => {
  const size = 8 * 1024 * 1024;
  const payload = randomBytes(size);
  const upstream = await httpUpstream(t, (request, response) => {
    if (request.url === '/echo') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      request.pipe(response);
      return;
    }
    const parts: Buffer[] = [];
    request.on('data', (chunk: Buffer) => parts.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(parts);
      response.writeHead(200, { 'content-length': body.length, 'x-request-te': request.headers['transfer-encoding'] ?? '' });
      response.end(body);
    });
  });
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);

  const echoed = await send(front.port, { method: 'POST', path: '/echo', headers: { 'content-length': size }, body: payload });
  assert.equal(echoed.status, 200);
  assert.equal(echoed.headers['transfer-encoding'], 'chunked');
  assert.equal(echoed.body.length, size);
  assert.equal(sha256(echoed.body), sha256(payload));
  const first = await front.outcome(0);
  assert.equal(first.requestBodyBytes, size);
  assert.equal(first.responseBodyBytes, size);
  assert.equal(first.proxyErrorCode, '');

  const pieces: Buffer[] = [];
  for (let at = 0; at < size; at += 65_536) pieces.push(payload.subarray(at, at + 65_536));
  const buffered = await send(front.port, { method: 'PUT', path: '/buffer', body: pieces });
  assert.equal(buffered.headers['x-request-te'], 'chunked');
  assert.equal(buffered.headers['content-length'], String(size));
  assert.equal(sha256(buffered.body), sha256(payload));
  const second = await front.outcome(1);
  assert.equal(second.requestBodyBytes, size);
  assert.equal(second.responseBodyBytes, size);
  assert.equal(upstream.sockets.length, 1);
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('an upstream refusing connections: 503 with UF', LIMIT, async (t) => {
  const front = await frontProxy(t, newForwarder(t), { host: '127.0.0.1', port: await closedPort() });
  const reply = await send(front.port);
  assert.equal(reply.status, 503);
  assert.equal(reply.headers['content-type'], 'text/plain');
  assert.match(reply.body.toString(), /connection failure/);
  const outcome = await front.outcome(0);
  assert.equal(outcome.statusCode, 503);
  assert.equal(outcome.proxyErrorCode, ProxyErrorCode.UPSTREAM_CONNECT_FAILURE);
  assert.equal(outcome.responseHeaders['content-length'], String(reply.body.length));
});

test('a connect failure asks retry for another target, as often as it offers one; bodies are never retried', LIMIT, async (t) => {
  const live = await httpUpstream(t, (request, response) => response.writeHead(200, { 'content-length': 4 }).end('live'));
  const dead = { host: '127.0.0.1', port: await closedPort() };
  const offers = [{ host: '127.0.0.1', port: await closedPort() }, live.target];
  let calls = 0;
  const retry = (): HostPort | undefined => offers[calls++];
  const front = await frontProxy(t, newForwarder(t), dead, { retry });
  const reply = await send(front.port);
  assert.equal(reply.status, 200);
  assert.equal(reply.body.toString(), 'live');
  assert.equal(calls, 2);
  assert.equal((await front.outcome(0)).proxyErrorCode, '');

  // Nothing more to offer: 503 UF after asking once.
  const exhausted = await send(front.port);
  assert.equal(exhausted.status, 503);
  assert.equal((await front.outcome(1)).proxyErrorCode, ProxyErrorCode.UPSTREAM_CONNECT_FAILURE);
  assert.equal(calls, 3);

  const post = await send(front.port, { method: 'POST', headers: { 'content-length': 4 }, body: 'body' });
  assert.equal(post.status, 503);
  assert.equal((await front.outcome(2)).proxyErrorCode, ProxyErrorCode.UPSTREAM_CONNECT_FAILURE);
  assert.equal(calls, 3, 'retry not asked for a request with a body');
  assert.equal(live.requests.length, 1);
});

test('an upstream that resets or closes mid-body: UR, and the client sees an aborted response', LIMIT, async (t) => {
  const clientHasHead = new Map<string, () => void>();
  const upstream = await rawUpstream(t, (socket, head) => {
    const path = pathOf(head);
    const headArrived = deferred();
    clientHasHead.set(path, headArrived.resolve);
    if (path === '/chunked') socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    else socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(100)}`);
    void headArrived.promise.then(() => (path === '/reset' ? socket.resetAndDestroy() : socket.end()));
  });
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  for (const [index, path] of ['/reset', '/close', '/chunked'].entries()) {
    const reply = await send(front.port, { path, onResponse: () => clientHasHead.get(path)!() });
    assert.equal(reply.status, 200, path);
    assert.equal(reply.complete, false, path);
    const outcome = await front.outcome(index);
    assert.equal(outcome.proxyErrorCode, ProxyErrorCode.UPSTREAM_RESET, path);
    assert.equal(outcome.statusCode, 200, path);
    assert.equal(outcome.responseBodyBytes, path === '/chunked' ? 5 : 100, path);
  }
  assert.equal(forwarder.idleConnections, 0);
});

test('an upstream closing before a whole head: 503 UR', LIMIT, async (t) => {
  const upstream = await rawUpstream(t, (socket, head) => (pathOf(head) === '/partial' ? socket.end('HTTP/1.1 200 OK\r\nContent-') : socket.destroy()));
  const front = await frontProxy(t, newForwarder(t), upstream.target);
  for (const [index, path] of ['/partial', '/nothing'].entries()) {
    const reply = await send(front.port, { path });
    assert.equal(reply.status, 503, path);
    assert.match(reply.body.toString(), /remote reset/, path);
    assert.equal((await front.outcome(index)).proxyErrorCode, ProxyErrorCode.UPSTREAM_RESET, path);
  }
});

test('an upstream silent for the idle timeout before its head: 504 UT; a body that pauses as long is left alone', LIMIT, async (t) => {
  const upstream = await rawUpstream(t, (socket, head) => {
    if (pathOf(head) === '/silent') return; // never answers
    // Head and half the body at once, the rest after three idle timeouts of silence.
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab');
    setTimeout(() => socket.write('cd'), 150);
  });
  const forwarder = newForwarder(t, { idleTimeoutMs: 50 });
  const front = await frontProxy(t, forwarder, upstream.target);
  const silent = await send(front.port, { path: '/silent' });
  assert.equal(silent.status, 504);
  assert.equal(silent.body.toString(), 'upstream request timeout');
  const outcome = await front.outcome(0);
  assert.equal(outcome.proxyErrorCode, ProxyErrorCode.UPSTREAM_REQUEST_TIMEOUT);
  assert.equal(outcome.statusCode, 504);
  await waitFor(() => upstream.sockets[0]?.closed === true, 'the silent connection dropped');
  const paused = await send(front.port, { path: '/paused' });
  assert.equal(paused.status, 200);
  assert.equal(paused.body.toString(), 'abcd');
  assert.equal((await front.outcome(1)).proxyErrorCode, '');
});

test('invalid response heads: 502 with UPE, connection dropped', LIMIT, async (t) => {
  const responses: Record<string, string> = {
    '/no-colon': 'HTTP/1.1 200 OK\r\nBad Header\r\n\r\n',
    '/not-http': 'NOT HTTP AT ALL\r\n\r\n',
    '/conflict': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    '/bad-length': 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    '/bad-value': 'HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\nContent-Length: 0\r\n\r\n',
    '/bad-name': 'HTTP/1.1 200 OK\r\nX Bad: 1\r\nContent-Length: 0\r\n\r\n',
    '/switching': 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    '/after-continue': 'HTTP/1.1 100 Continue\r\n\r\nHTTP/9.9 200 OK\r\n\r\n',
  };
  const upstream = await rawUpstream(t, (socket, head) => socket.write(responses[pathOf(head)]!));
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  for (const [index, path] of Object.keys(responses).entries()) {
    const reply = await send(front.port, { path });
    assert.equal(reply.status, 502, path);
    assert.match(reply.body.toString(), /^upstream sent an invalid HTTP response: /, path);
    const outcome = await front.outcome(index);
    assert.equal(outcome.statusCode, 502, path);
    assert.equal(outcome.proxyErrorCode, ProxyErrorCode.UPSTREAM_PROTOCOL_ERROR, path);
    await closed(upstream.sockets[index]!);
  }
  assert.equal(forwarder.idleConnections, 0);
});

test('an invalid chunked body after the head: UPE, the client response is aborted', LIMIT, async (t) => {
  const upstream = await rawUpstream(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n'));
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  // Whether the client gets the head before the abort depends on socket timing; it never gets a whole response.
  const reply = await send(front.port).catch(() => undefined);
  if (reply !== undefined) assert.equal(reply.complete, false);
  const outcome = await front.outcome(0);
  assert.equal(outcome.proxyErrorCode, ProxyErrorCode.UPSTREAM_PROTOCOL_ERROR);
  assert.equal(outcome.statusCode, 200);
  await closed(upstream.sockets[0]!);
  assert.equal(forwarder.idleConnections, 0);
});

test('a response head over 64 KiB: 502 UPE, whether it ends or not; one just under is fine', LIMIT, async (t) => {
  const big = `X-Big: ${'a'.repeat(100_000)}\r\n`;
  const many = Array.from({ length: 1000 }, (_, i) => `X-Header-${i}: ${'b'.repeat(70)}\r\n`).join('');
  const responses: Record<string, string> = {
    '/endless': `HTTP/1.1 200 OK\r\n${big}`,
    '/complete': `HTTP/1.1 200 OK\r\n${big}Content-Length: 2\r\n\r\nok`,
    '/many': `HTTP/1.1 200 OK\r\n${many}Content-Length: 2\r\n\r\nok`,
    '/under': `HTTP/1.1 200 OK\r\nX-Big: ${'c'.repeat(60_000)}\r\nContent-Length: 2\r\n\r\nok`,
  };
  const upstream = await rawUpstream(t, (socket, head) => socket.write(responses[pathOf(head)]!));
  const front = await frontProxy(t, newForwarder(t), upstream.target);
  for (const [index, path] of ['/endless', '/complete', '/many'].entries()) {
    const reply = await send(front.port, { path, maxHeaderSize: 256 * 1024 });
    assert.equal(reply.status, 502, path);
    assert.match(reply.body.toString(), /invalid HTTP response: response head over 65536 bytes/, path);
    assert.equal((await front.outcome(index)).proxyErrorCode, ProxyErrorCode.UPSTREAM_PROTOCOL_ERROR, path);
  }
  const under = await send(front.port, { path: '/under', maxHeaderSize: 256 * 1024 });
  assert.equal(under.status, 200);
  assert.equal(under.body.toString(), 'ok');
  assert.equal(under.headers['x-big'], 'c'.repeat(60_000));
});

test('an outgoing header with CR/LF (or a bad name): forward() rejects with InvalidHeaderError before connecting', LIMIT, async (t) => {
  const upstream = await rawUpstream(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  const forwarder = newForwarder(t);
  const split = await frontProxy(t, forwarder, upstream.target, { extraHeaders: { 'x-directive': 'a\r\nx-injected: 1' } });
  const reply = await send(split.port);
  assert.equal(reply.status, 500);
  assert.equal(reply.body.toString(), 'InvalidHeaderError');
  await assert.rejects(split.outcome(0), (error: unknown) => error instanceof InvalidHeaderError && /x-directive/.test(error.message));
  const badName = await frontProxy(t, forwarder, upstream.target, { extraHeaders: { 'bad name': 'x' } });
  assert.equal((await send(badName.port)).status, 500);
  await assert.rejects(badName.outcome(0), InvalidHeaderError);
  assert.equal(upstream.sockets.length, 0, 'nothing was sent upstream');
});

test('a client going away mid-response: DC, the upstream connection is dropped', LIMIT, async (t) => {
  const upstream = await rawUpstream(t, (socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n${'y'.repeat(1000)}`));
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  const reply = await send(front.port, { onResponse: (response, request) => response.once('data', () => request.destroy()) });
  assert.equal(reply.complete, false);
  const outcome = await front.outcome(0);
  assert.equal(outcome.proxyErrorCode, ProxyErrorCode.DOWNSTREAM_TERMINATED);
  assert.equal(outcome.statusCode, 200);
  await closed(upstream.sockets[0]!);
  assert.equal(forwarder.idleConnections, 0);
});

test('a client going away before the response head: DC, the upstream connection is dropped', LIMIT, async (t) => {
  const arrived = deferred();
  const upstream = await rawUpstream(t, () => arrived.resolve());
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  let clientRequest: ClientRequest | undefined;
  const pending = send(front.port, { onRequest: (request) => (clientRequest = request) });
  await arrived.promise;
  clientRequest!.destroy();
  await pending.catch(() => undefined);
  const outcome = await front.outcome(0);
  assert.equal(outcome.proxyErrorCode, ProxyErrorCode.DOWNSTREAM_TERMINATED);
  assert.equal(outcome.statusCode, 0);
  await closed(upstream.sockets[0]!);
  assert.equal(forwarder.idleConnections, 0);
});

test('a chunked response whose last read meets backpressure: the next request on that connection is still answered', LIMIT, async (t) => {
  // One 40 KiB chunk and the last chunk in one write: the read that ends the body also fills the
  // client's buffer (over the 16 KiB high-water mark), and a response emits no 'drain' once ended.
  const size = 40 * 1024;
  const upstream = await rawUpstream(t, (socket, head) =>
    socket.write(pathOf(head) === '/big' ? `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size.toString(16)}\r\n${'a'.repeat(size)}\r\n0\r\n\r\n` : 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext'),
  );
  const forwarder = newForwarder(t);
  const front = await frontProxy(t, forwarder, upstream.target);
  for (let i = 0; i < 3; i++) {
    const big = await send(front.port, { path: '/big' });
    assert.equal(big.body.length, size);
    assert.equal(forwarder.idleConnections, 1);
    const next = await send(front.port, { path: '/next' });
    assert.equal(next.body.toString(), 'next');
  }
  assert.equal(upstream.sockets.length, 1);
});

/** A client connection that takes written bytes but never acknowledges them: the slowest client. */
class StalledClientTransport extends Duplex {
  readonly written: Buffer[] = [];

  constructor() {
    super({ writableHighWaterMark: 1 });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, _callback: (error?: Error | null) => void): void {
    this.written.push(chunk);
  }
}

test('a slow client does not stall the pooled connection its response came on, nor pile up drain listeners', LIMIT, async (t) => {
  // The whole chunked response arrives in one read, so the client's backpressure and the end of the
  // body are seen together: the connection goes back to the pool while the client is still behind.
  const slowBody = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'5\r\nhello\r\n'.repeat(20)}0\r\n\r\n`;
  const upstream = await rawUpstream(t, (socket, head) => socket.write(pathOf(head) === '/slow' ? slowBody : 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfast'));
  const forwarder = newForwarder(t);
  let slowResponse: ServerResponse | undefined;
  const front = await frontProxy(t, forwarder, upstream.target, {
    beforeForward: (request, response) => {
      if (request.url === '/slow') slowResponse = response;
    },
  });
  const stalled = new StalledClientTransport();
  t.after(() => stalled.destroy());
  front.server.emit('connection', stalled);
  stalled.push('GET /slow HTTP/1.1\r\nHost: slow\r\n\r\n');
  await waitFor(() => forwarder.idleConnections === 1, 'the slow exchange to give its connection back');
  assert.ok(Buffer.concat(stalled.written).toString('latin1').startsWith('HTTP/1.1 200 OK'));
  assert.ok(slowResponse!.listenerCount('drain') <= 1, `${slowResponse!.listenerCount('drain')} drain listeners`);

  const fast = await send(front.port, { path: '/fast' });
  assert.equal(fast.status, 200);
  assert.equal(fast.body.toString(), 'fast');
  assert.equal(upstream.sockets.length, 1, 'the pooled connection was reused');
  assert.equal((await front.outcome(1)).proxyErrorCode, '');

  // The slow client gives up: its exchange is DC, and the pooled connection still works.
  stalled.destroy();
  const slow = await front.outcome(0);
  assert.equal(slow.proxyErrorCode, ProxyErrorCode.DOWNSTREAM_TERMINATED);
  assert.equal(slow.responseBodyBytes, 100);
  assert.equal((await send(front.port, { path: '/fast' })).body.toString(), 'fast');
  assert.equal(upstream.sockets.length, 1);
});
