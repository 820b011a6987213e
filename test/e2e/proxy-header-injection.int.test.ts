import assert from 'node:assert/strict';
import { connect as connectHttp2, createServer as createHttp2Server, type IncomingHttpHeaders } from 'node:http2';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HeaderOperationKind } from '../../core/config/snapshot.js';
import type { HeaderOperation, RouteDirective } from '../../core/runtime/check-outcome.js';
import type { SidecarProxy } from '../../proxy/sidecar-proxy.js';
import { call, startSidecar } from '../../proxy/testing/mesh-fixture.js';
import { ScriptedMixer } from '../../proxy/testing/scripted-mixer.js';

// Issue 13, defect 10: a route directive's `:method`, `:path`, `:authority` or header value
// from a Check answer went out as latin1, so U+010D U+010A ("čĊ") became CR LF on the wire and
// split the request. Here a Check answer carries such values (from a scripted Mixer on the real
// gRPC wire: Mixer's own config cannot name a pseudo-header, but whoever answers in its place
// can), and a raw upstream socket records the bytes that arrive.
//
// What must happen, as in Envoy, which ignores a disallowed header mutation unless told to fail
// (HeaderMutationRules.disallow_is_error): the operation is skipped, the rest of the directive
// applies, and the request is still served.

const CRLF = '\u010d\u010a';
const INJECTED = /x-injected/i;

const replace = (name: string, value: string): HeaderOperation => ({ name, value, operation: HeaderOperationKind.REPLACE });
const directive = (request: HeaderOperation[], response: HeaderOperation[] = [], directResponseCode = 0): RouteDirective => ({
  requestHeaderOperations: [...request, replace('x-applied', 'yes')],
  responseHeaderOperations: [...response, replace('x-applied-response', 'yes')],
  directResponseCode,
  directResponseBody: directResponseCode === 0 ? '' : 'moved',
});

/** An HTTP/1.1 upstream on a raw socket: records each request head as it arrived, byte for byte. */
class RawUpstream {
  readonly heads: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      let bytes = '';
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.toString('latin1');
        const end = bytes.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = bytes.slice(0, end + 4);
        bytes = '';
        this.heads.push(head);
        if (/^upgrade:/im.test(head)) socket.end('HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n');
        else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      });
    });
  }

  static async start(): Promise<RawUpstream> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new RawUpstream(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Sends `request` on a raw socket and resolves to every byte received until the sidecar closes or `done` says enough. */
function rawExchange(port: number, request: string, done: (text: string) => boolean = () => false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(request, 'latin1'));
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (done(text)) socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

describe('route directive values outside the HTTP grammar never reach the wire', () => {
  let mixer: ScriptedMixer;
  let upstream: RawUpstream;
  let http2App: ReturnType<typeof createHttp2Server>;
  const http2Seen: IncomingHttpHeaders[] = [];
  let inbound: SidecarProxy;
  let inboundHttp2: SidecarProxy;

  before(async () => {
    mixer = await ScriptedMixer.start();
    upstream = await RawUpstream.start();
    http2App = createHttp2Server();
    http2App.on('stream', (stream, headers) => {
      http2Seen.push(headers);
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    await new Promise<void>((resolve) => http2App.listen(0, '127.0.0.1', resolve));
    const mixerBlock = `mixer:\n  address: ${mixer.address}\n  checkCacheEntries: 0\n  reportBatchTimeMs: 20\n`;
    inbound = await startSidecar(`workload:\n  name: raw-v1\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${upstream.port}\n${mixerBlock}`);
    inboundHttp2 = await startSidecar(`workload:\n  name: h2-v1\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${(http2App.address() as AddressInfo).port}\n${mixerBlock}`);
  });
  after(async () => {
    await Promise.all([inbound.close(), inboundHttp2.close()]);
    http2App.close();
    await Promise.all([upstream.close(), mixer.close()]);
  });

  const lastHead = (): string => upstream.heads.at(-1) ?? '';

  test('HTTP/1.1: an injected :method, :path, :authority or header value is skipped, the rest applies, the request is served', async () => {
    const cases: [string, HeaderOperation][] = [
      ['/method', replace(':method', `GET${CRLF}X-Injected:method`)],
      ['/path', replace(':path', `/path${CRLF}X-Injected:path`)],
      ['/authority', replace(':authority', `ratings${CRLF}X-Injected:authority`)],
      ['/header', replace('x-note', `a${CRLF}X-Injected: header`)],
      ['/method-space', replace(':method', 'GET /smuggled HTTP/1.1')],
    ];
    for (const [path, operation] of cases) {
      mixer.directive = directive([operation]);
      const before = upstream.heads.length;
      const reply = await call(inbound.addresses.inbound!.port, path, { host: 'ratings' });
      assert.equal(reply.status, 200, `${path}: ${reply.body}`);
      assert.equal(reply.body, 'ok');
      assert.equal(upstream.heads.length, before + 1, `${path}: one request upstream`);
      const head = lastHead();
      assert.ok(head.startsWith(`GET ${path} HTTP/1.1\r\n`), `${path}: request line intact: ${JSON.stringify(head)}`);
      assert.doesNotMatch(head, INJECTED, path);
      assert.match(head, /\r\nhost: ratings\r\n/, `${path}: Host unchanged`);
      assert.match(head, /\r\nx-applied: yes\r\n/, `${path}: the valid operation beside it applied`);
      assert.equal(head.split('\r\n\r\n').length, 2, `${path}: exactly one head`);
    }
  });

  test('HTTP/1.1: injected response header values and direct-response headers never reach the caller', async () => {
    mixer.directive = directive([], [replace('x-note', `a${CRLF}X-Injected: response`)]);
    const forwarded = await rawExchange(inbound.addresses.inbound!.port, 'GET /response HTTP/1.1\r\nhost: ratings\r\nconnection: close\r\n\r\n');
    assert.match(forwarded, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(forwarded, /\r\nx-applied-response: yes\r\n/);
    assert.doesNotMatch(forwarded, INJECTED);

    mixer.directive = directive([], [replace('location', `/new${CRLF}X-Injected: direct`), replace('x-ok', 'fine')], 302);
    const direct = await rawExchange(inbound.addresses.inbound!.port, 'GET /direct HTTP/1.1\r\nhost: ratings\r\nconnection: close\r\n\r\n');
    assert.match(direct, /^HTTP\/1\.1 302 Found\r\n/);
    assert.match(direct, /\r\nx-ok: fine\r\n/);
    assert.doesNotMatch(direct, INJECTED);
    assert.doesNotMatch(direct, /\r\nlocation:/i, 'the refused location is left out, not mangled');
  });

  test('an upgrade (WebSocket) with an injected :method goes up as GET and is switched', async () => {
    mixer.directive = directive([replace(':method', `GET${CRLF}X-Injected:upgrade`)]);
    const before = upstream.heads.length;
    const reply = await rawExchange(
      inbound.addresses.inbound!.port,
      'GET /chat HTTP/1.1\r\nhost: ratings\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      (text) => text.includes('\r\n\r\n'),
    );
    assert.match(reply, /^HTTP\/1\.1 101 /);
    assert.equal(upstream.heads.length, before + 1);
    const head = lastHead();
    assert.ok(head.startsWith('GET /chat HTTP/1.1\r\n'), JSON.stringify(head));
    assert.doesNotMatch(head, INJECTED);
    assert.match(head, /\r\nx-applied: yes\r\n/i);
  });

  test('HTTP/2: injected pseudo-headers and values are skipped; the app gets the request as sent', async () => {
    const session = connectHttp2(`http://127.0.0.1:${inboundHttp2.addresses.inbound!.port}`);
    session.on('error', () => undefined);
    try {
      for (const operation of [replace(':method', `GET${CRLF}X-Injected:h2`), replace(':path', `/p${CRLF}x`), replace(':authority', `a${CRLF}b`), replace('x-note', `a${CRLF}X-Injected: h2`)]) {
        mixer.directive = directive([operation]);
        const before = http2Seen.length;
        const status = await new Promise<number>((resolve, reject) => {
          const stream = session.request({ ':path': '/h2', ':authority': 'h2app' });
          stream.on('response', (headers) => resolve(Number(headers[':status'])));
          stream.on('error', reject);
          stream.resume();
          stream.end();
        });
        assert.equal(status, 200, operation.name);
        assert.equal(http2Seen.length, before + 1);
        const seen = http2Seen.at(-1)!;
        assert.equal(seen[':method'], 'GET', operation.name);
        assert.equal(seen[':path'], '/h2', operation.name);
        assert.equal(seen[':authority'], 'h2app', operation.name);
        assert.equal(seen['x-applied'], 'yes', operation.name);
        assert.equal(seen['x-note'], undefined, operation.name);
        assert.doesNotMatch(JSON.stringify(seen), /\\r|\\n|\u010d|\u010a/, operation.name);
      }
    } finally {
      session.close();
    }
  });
});
