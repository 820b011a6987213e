import assert from 'node:assert/strict';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server, type ClientHttp2Session } from 'node:http2';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { SidecarProxy } from '../../proxy/sidecar-proxy.js';
import { call, listen, startRecordingApp, startSidecar, startTcpEcho, type RecordingApp } from '../../proxy/testing/mesh-fixture.js';
import { readFrame, startWebSocketEcho, textFrame } from '../../proxy/testing/websocket.js';
import { eventually, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// Issue 13, defect 9 (the sidecar's part): the inbound port held 2,000 of 2,000 slowloris
// connections at 70 s. With small configured limits, against in-process sidecars in front of
// real apps and a real Mixer: slowloris connections of every shape close after the header
// timeout while normal requests are served; the connection cap holds; idle HTTP/1.1, HTTP/2
// and TCP connections close after the idle timeout. Every wait is for an event (a 'close', a
// count); the timeouts are short only so that the test is quick.

/** Long enough that a normal request's head, written at once, arrives in time on a busy machine. */
const HEADER_TIMEOUT_MS = 1000;
const IDLE_TIMEOUT_MS = 500;
/** A hang guard: a connection the sidecar never closes fails the test instead of stalling the suite. */
const GUARD = { timeout: 60_000 };

interface RawConnection {
  readonly socket: Socket;
  /** Everything received, once the connection is closed. */
  readonly closed: Promise<string>;
}

/** Opens a TCP connection and writes `first` (if any) once connected. */
function open(port: number, first?: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<string>((done) => socket.once('close', () => done(received)));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      if (first !== undefined) socket.write(first, 'latin1');
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

/** One request on a raw keep-alive connection; resolves with the response once it is complete (content-length framed). */
function requestOn(connection: RawConnection, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text);
      if (end >= 0 && length !== null && text.length >= end + 4 + Number(length[1])) {
        connection.socket.off('data', onData);
        resolve(text);
      }
    };
    connection.socket.on('data', onData);
    connection.socket.write(`GET ${path} HTTP/1.1\r\nhost: app\r\n\r\n`);
  });
}

/** An HTTP/2 session and one request on it; resolves with the status. */
function http2Request(session: ClientHttp2Session, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path, ':authority': 'app' });
    stream.on('response', (headers) => resolve(Number(headers[':status'])));
    stream.on('error', reject);
    stream.resume();
    stream.end();
  });
}

const mixerBlock = (mixer: RunningMixer): string => `mixer:\n  address: ${mixer.grpcAddress}\n  reportBatchTimeMs: 20\n`;

describe('sidecar connection limits', () => {
  let mixer: RunningMixer;
  let app: RecordingApp;

  before(async () => {
    mixer = await startMixer({});
    app = await startRecordingApp();
  });
  after(async () => {
    await app.close();
    await mixer.close();
  });

  describe('slowloris at an HTTP listener', () => {
    let sidecar: SidecarProxy;
    before(async () => {
      sidecar = await startSidecar(`workload:\n  name: app-v1\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${app.port}\n${mixerBlock(mixer)}limits:\n  maxConnections: 64\n  headerTimeoutMs: ${HEADER_TIMEOUT_MS}\n`);
    });
    after(() => sidecar.close());

    test('connections whose head never completes are closed after the header timeout; normal requests are served meanwhile and after', GUARD, async () => {
      const port = sidecar.addresses.inbound!.port;
      const stats = sidecar.stats.get('inbound')!;
      const shapes: [string, string | undefined][] = [
        ['nothing sent', undefined],
        ['nothing sent', undefined],
        ['part of the first line', 'GET /slow HT'],
        ['part of the first line', 'GET /slow HT'],
        ['first line, part of the headers', 'GET /slow HTTP/1.1\r\nhost: app\r\nx-slow: '],
        ['part of the HTTP/2 preface', 'PRI * HTTP/2.0\r\n'],
      ];
      const slow = await Promise.all(shapes.map(([, first]) => open(port, first)));
      // One more that keeps sending a header byte every 50 ms: activity must not keep an unfinished head alive.
      const dribbler = await open(port, 'GET /slow HTTP/1.1\r\nhost: app\r\n');
      const drip = setInterval(() => dribbler.socket.write('x'), 50);
      dribbler.socket.once('close', () => clearInterval(drip));
      // And an HTTP/2 connection that sends its preface and settings but never a request.
      const silentHttp2 = connectHttp2(`http://127.0.0.1:${port}`);
      silentHttp2.on('error', () => undefined);
      const silentHttp2Closed = new Promise<void>((resolve) => silentHttp2.once('close', resolve));

      assert.equal((await call(port, '/meanwhile')).status, 200, 'served while the slow connections are open');

      const received = await Promise.all(slow.map((connection) => connection.closed));
      await dribbler.closed;
      await silentHttp2Closed;
      for (const [index, [shape, first]] of shapes.entries()) {
        // node:http answers a started HTTP/1.1 request 408; a connection that has not shown its protocol just closes.
        if (first?.startsWith('GET') === true) assert.match(received[index]!, /^HTTP\/1\.1 408 /, shape);
        else assert.equal(received[index], '', shape);
      }
      assert.equal(stats.headerTimeouts, shapes.length + 2, 'every one closed by the header timeout');
      assert.equal(stats.overCapacity, 0);
      assert.equal((await call(port, '/after')).status, 200, 'served after');
    });
  });

  describe('the connection cap', () => {
    let held: ServerResponse[] = [];
    let holdingApp: ReturnType<typeof createHttpServer>;
    let holdingPort: number;
    let http: SidecarProxy;
    let echo: { port: number; close(): Promise<void> };
    let tcp: SidecarProxy;

    before(async () => {
      // An app that holds /hold requests until the test answers them: connections with a request in flight are under no timeout.
      holdingApp = createHttpServer((request, response) => {
        request.resume();
        if (request.url === '/hold') held.push(response);
        else response.end('ok');
      });
      holdingPort = await listen(holdingApp);
      http = await startSidecar(`workload:\n  name: app-v1\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${holdingPort}\n${mixerBlock(mixer)}limits:\n  maxConnections: 3\n`);
      echo = await startTcpEcho();
      tcp = await startSidecar(`workload:\n  name: db-v1\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${echo.port}\n  protocol: tcp\n${mixerBlock(mixer)}limits:\n  maxConnections: 1\n`);
    });
    after(async () => {
      await Promise.all([http.close(), tcp.close()]);
      holdingApp.closeAllConnections();
      holdingApp.close();
      await echo.close();
    });

    test('HTTP: with maxConnections open, one more is closed at once, unread; the open ones are served, then new ones are', GUARD, async () => {
      const port = http.addresses.inbound!.port;
      const stats = http.stats.get('inbound')!;
      const open3 = await Promise.all([0, 1, 2].map(() => open(port, 'GET /hold HTTP/1.1\r\nhost: app\r\nconnection: close\r\n\r\n')));
      await eventually(() => held.length === 3, 10_000, 'three requests held at the app');

      const extra = await open(port, 'GET /extra HTTP/1.1\r\nhost: app\r\n\r\n');
      assert.equal(await extra.closed, '', 'closed without an answer');
      assert.equal(stats.overCapacity, 1);
      assert.equal(await http.openConnections('inbound'), 3);
      assert.ok(open3.every((connection) => !connection.socket.destroyed), 'the open ones stay open');

      for (const response of held) response.end('released');
      held = [];
      for (const reply of await Promise.all(open3.map((connection) => connection.closed))) assert.match(reply, /^HTTP\/1\.1 200 OK\r\n[\s\S]*released$/);
      await eventually(async () => (await http.openConnections('inbound')) === 0, 10_000, 'the closed connections to leave the listener');
      assert.equal((await call(port, '/after')).status, 200);
      assert.equal(stats.overCapacity, 1);
    });

    test('TCP: the cap holds the same way', GUARD, async () => {
      const port = tcp.addresses.inbound!.port;
      const first = await open(port, 'ping');
      await new Promise<void>((resolve) => first.socket.once('data', () => resolve()));
      const extra = await open(port, 'pong');
      assert.equal(await extra.closed, '');
      assert.equal(tcp.stats.get('inbound')!.overCapacity, 1);
      first.socket.write('still here');
      await new Promise<void>((resolve) => first.socket.once('data', () => resolve()));
      first.socket.end();
      await first.closed;
    });
  });

  describe('idle connections', () => {
    let http2App: ReturnType<typeof createHttp2Server>;
    let echo: { port: number; close(): Promise<void> };
    let webSocketEcho: { port: number; close(): Promise<void> };
    let http: SidecarProxy;
    let webSocket: SidecarProxy;
    let sniffedHttp2: SidecarProxy;
    let grpc: SidecarProxy;
    let tcp: SidecarProxy;
    const limits = `limits:\n  idleTimeoutMs: ${IDLE_TIMEOUT_MS}\n  tcpIdleTimeoutMs: ${IDLE_TIMEOUT_MS}\n  headerTimeoutMs: ${HEADER_TIMEOUT_MS}\n`;

    before(async () => {
      http2App = createHttp2Server();
      http2App.on('stream', (stream) => {
        stream.respond({ ':status': 200 });
        stream.end('ok');
      });
      await new Promise<void>((resolve) => http2App.listen(0, '127.0.0.1', resolve));
      const http2Port = (http2App.address() as AddressInfo).port;
      echo = await startTcpEcho();
      webSocketEcho = await startWebSocketEcho();
      const inbound = (name: string, appPort: number, protocol: string): Promise<SidecarProxy> =>
        startSidecar(`workload:\n  name: ${name}\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${appPort}\n  protocol: ${protocol}\n${mixerBlock(mixer)}${limits}`);
      http = await inbound('web-v1', app.port, 'http');
      webSocket = await inbound('chat-v1', webSocketEcho.port, 'http');
      sniffedHttp2 = await inbound('h2-v1', http2Port, 'http');
      grpc = await inbound('grpc-v1', http2Port, 'grpc');
      tcp = await inbound('db-v1', echo.port, 'tcp');
    });
    after(async () => {
      await Promise.all([http.close(), webSocket.close(), sniffedHttp2.close(), grpc.close(), tcp.close()]);
      http2App.close();
      await Promise.all([echo.close(), webSocketEcho.close()]);
    });

    test('an HTTP/1.1 keep-alive connection with no request is closed after the idle timeout', GUARD, async () => {
      const connection = await open(http.addresses.inbound!.port);
      assert.match(await requestOn(connection, '/one'), /^HTTP\/1\.1 200 /);
      assert.match(await requestOn(connection, '/two'), /^HTTP\/1\.1 200 /, 'kept alive between requests');
      await connection.closed;
      assert.equal(http.stats.get('inbound')!.idleTimeouts, 1);
    });

    for (const [kind, sidecar] of [
      ['on an HTTP listener (h2c by prior knowledge)', () => sniffedHttp2],
      ['on a gRPC listener', () => grpc],
    ] as const) {
      test(`an HTTP/2 connection with no open stream is closed after the idle timeout, ${kind}`, GUARD, async () => {
        const proxy = sidecar();
        const session = connectHttp2(`http://127.0.0.1:${proxy.addresses.inbound!.port}`);
        session.on('error', () => undefined);
        const closed = new Promise<void>((resolve) => session.once('close', resolve));
        assert.equal(await http2Request(session, '/one'), 200);
        assert.equal(await http2Request(session, '/two'), 200);
        // PINGs are frames but not streams: they do not keep the connection open.
        const pinging = setInterval(() => session.ping(() => undefined), 50);
        await closed;
        clearInterval(pinging);
        assert.equal(proxy.stats.get('inbound')!.idleTimeouts, 1);
      });
    }

    test('a WebSocket tunnel with no bytes either way is closed after the TCP idle timeout', GUARD, async () => {
      const connection = await open(
        webSocket.addresses.inbound!.port,
        'GET /chat HTTP/1.1\r\nhost: chat\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: MDEyMzQ1Njc4OWFiY2RlZg==\r\n\r\n',
      );
      let received = Buffer.alloc(0);
      const echoed = new Promise<string>((resolve) => {
        connection.socket.on('data', (chunk: Buffer) => {
          received = Buffer.concat([received, chunk]);
          const end = received.indexOf('\r\n\r\n');
          const frame = end < 0 ? undefined : readFrame(received.subarray(end + 4));
          if (frame !== undefined) resolve(frame.text);
        });
      });
      connection.socket.write(textFrame('hello', true));
      assert.equal(await echoed, 'hello');
      assert.match(await connection.closed, /^HTTP\/1\.1 101 /);
      assert.equal(webSocket.stats.get('inbound')!.idleTimeouts, 1);
    });

    test('a TCP connection with no bytes either way is closed after the TCP idle timeout', GUARD, async () => {
      const connection = await open(tcp.addresses.inbound!.port, 'hello');
      await new Promise<void>((resolve) => connection.socket.once('data', () => resolve()));
      assert.equal(await connection.closed, 'hello');
      assert.equal(tcp.stats.get('inbound')!.idleTimeouts, 1);
    });
  });
});
