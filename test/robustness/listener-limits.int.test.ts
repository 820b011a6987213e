import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { connect as http2Connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { listeningAddresses, nonLoopbackIpv4, tryConnect } from '../support/listening-sockets.js';
import { resource, startMixerProcess, type MixerProcess } from '../support/mixer-harness.js';

// A real `mixer server` process with small listener limits: idle gRPC connections (and ones that
// never send the HTTP/2 preface) are closed after --idle-timeout, gRPC connections with a call
// whose request stalls and slowloris HTTP connections after --request-timeout and
// --header-timeout, a connection past --max-connections is closed as it arrives while
// connections already open keep being served. Then where things listen: the prometheus adapter
// on the server's --host, /debug/config only on the monitoring port, which stays on loopback
// when the APIs listen on every interface.

const CAP = 4;
const LIMITS = ['--max-connections', String(CAP), '--idle-timeout', '3s', '--header-timeout', '2s', '--request-timeout', '4s'];
const PORTS = ['--grpc-port', '0', '--http-port', '0', '--monitoring-port', '0'];
/** A bound on each test: one that would wait forever fails instead. */
const LIMIT = { timeout: 60_000 };
/** How long a close the limits promise may take to be seen, on a busy machine (a bound, not a measurement). */
const CLOSE_BOUND_MS = 20_000;

const CONFIG = {
  'telemetry.yaml': [
    resource('handler', 'prom', 'compiledAdapter: prometheus\nparams:\n  port: 0\n  metrics:\n  - name: requests_total\n    instanceName: requestcount.instance.istio-system\n    kind: COUNTER'),
    resource('instance', 'requestcount', 'compiledTemplate: metric\nparams:\n  value: "1"'),
    resource('rule', 'promhttp', 'actions:\n- handler: prom\n  instances: [ requestcount ]'),
  ].join(''),
};

const portOf = (address: string): number => Number(/:(\d+)(?:\/.*)?$/.exec(address)![1]);

/** A raw TCP connection, read as it arrives, whose close can be awaited. */
interface RawConnection {
  readonly socket: Socket;
  /** Bytes received from the server. */
  received(): number;
  /** Resolves when the connection is closed (by the server: these clients never close first). */
  readonly closed: Promise<void>;
}

function rawConnection(port: number, firstBytes?: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    // A reset from the server is one way of closing.
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      if (firstBytes !== undefined) socket.write(firstBytes);
      resolve({ socket, received: () => received, closed });
    });
    socket.once('error', reject);
  });
}

/** Fails with `what` unless `promise` settles within CLOSE_BOUND_MS. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${CLOSE_BOUND_MS} ms`)), CLOSE_BOUND_MS);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

function h2Session(port: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`http://127.0.0.1:${port}`);
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** A Check with no attributes on `session`: its grpc-status. */
function grpcCheck(session: ClientHttp2Session): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/istio.mixer.v1.Mixer/Check', 'content-type': 'application/grpc', te: 'trailers' });
    let status: string | undefined;
    stream.on('response', (headers) => (status ??= headers['grpc-status'] as string | undefined));
    stream.on('trailers', (trailers: IncomingHttpHeaders) => (status = trailers['grpc-status'] as string | undefined));
    stream.on('data', () => undefined);
    stream.on('close', () => (status === undefined ? reject(new Error(`no grpc-status (stream closed with ${stream.rstCode})`)) : resolve(status)));
    stream.on('error', reject);
    stream.end(Buffer.alloc(5));
  });
}

/** GET `path` through `agent`: the status and whether the request went out on a connection opened before. */
function get(port: number, path: string, agent: Agent): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, reused: request.reusedSocket }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** mixer_listener_connections_refused_total of `listener`, if /metrics has it. */
async function refusedCount(mixer: MixerProcess, listener: string): Promise<number | undefined> {
  const text = await (await fetch(`${mixer.monitoringUrl}/metrics`)).text();
  const match = new RegExp(`^mixer_listener_connections_refused_total\\{listener="${listener}"\\} (\\d+)$`, 'm').exec(text);
  return match === null ? undefined : Number(match[1]);
}

describe('listener limits of a real mixer server (--max-connections 4, --idle-timeout 3s, --header-timeout 2s, --request-timeout 4s)', () => {
  let mixer: MixerProcess;
  let grpcPort: number;
  let httpPort: number;
  let monitoringPort: number;

  before(async () => {
    mixer = await startMixerProcess(CONFIG, ['--host', '127.0.0.1', ...PORTS, ...LIMITS, '--log-level', 'info']);
    grpcPort = portOf(mixer.grpcAddress);
    httpPort = portOf(mixer.url);
    monitoringPort = portOf(mixer.monitoringUrl);
  });
  after(() => mixer.stop());

  test('idle gRPC connections are closed after the idle timeout, including one that never sent the HTTP/2 preface', LIMIT, async () => {
    const sessions = [await h2Session(grpcPort), await h2Session(grpcPort)];
    for (const session of sessions) assert.equal(await grpcCheck(session), '0');
    const silent = await rawConnection(grpcPort);
    const sessionsClosed = sessions.map((session) => new Promise<void>((resolve) => session.once('close', () => resolve())));
    await within(Promise.all([...sessionsClosed, silent.closed]), 'idle gRPC connections closed');
  });

  test('a gRPC connection with a call whose request never completes is closed after the request timeout; other connections are not', LIMIT, async () => {
    const stalled = await h2Session(grpcPort);
    const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    stalled.on('error', () => undefined);
    const stream = stalled.request({ ':method': 'POST', ':path': '/istio.mixer.v1.Mixer/Check', 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('error', () => undefined);
    // A message announced as 100 bytes, of which 3 arrive.
    stream.write(Buffer.from([0, 0, 0, 0, 100, 1, 2, 3]));
    let stalledClosed = false;
    void closed.then(() => (stalledClosed = true));
    // Another connection, kept busy (a call every 200 ms, so it never idles out), is served throughout.
    const busy = await h2Session(grpcPort);
    try {
      const served = (async () => {
        let calls = 0;
        while (!stalledClosed) {
          assert.equal(await grpcCheck(busy), '0', 'a call on another connection');
          calls++;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        return calls;
      })();
      await within(closed, 'the connection with the stalled call closed');
      assert.ok((await served) > 0);
      assert.equal(busy.closed || busy.destroyed, false, 'the busy connection is still open');
    } finally {
      busy.close();
    }
  });

  test('slowloris connections to the HTTP API and the monitoring port are closed after the header timeout', LIMIT, async () => {
    for (const port of [httpPort, monitoringPort]) {
      const silent = await rawConnection(port);
      const partial = await rawConnection(port, 'GET /readyz HTTP/1.1\r\nHost: mixer\r\n');
      // Trickling header bytes does not extend the header timeout.
      const trickle = setInterval(() => partial.socket.write('X-Slow: y\r\n'), 200);
      try {
        await within(Promise.all([silent.closed, partial.closed]), `slowloris connections to port ${port} closed`);
      } finally {
        clearInterval(trickle);
      }
    }
  });

  test('at the cap a new HTTP connection is closed as it arrives; calls on open connections are served, new ones once the slowloris connections are gone', LIMIT, async () => {
    const refusedBefore = await refusedCount(mixer, 'http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal((await get(httpPort, '/readyz', agent)).status, 200);
      const slowloris = await Promise.all(Array.from({ length: CAP - 1 }, () => rawConnection(httpPort, 'POST /v1/check HTTP/1.1\r\n')));
      let slowlorisClosed = false;
      const allClosed = Promise.all(slowloris.map((connection) => connection.closed)).then(() => (slowlorisClosed = true));

      const extra = await rawConnection(httpPort, 'GET /readyz HTTP/1.1\r\nHost: mixer\r\n\r\n');
      await within(extra.closed, 'the connection past the cap closed');
      assert.equal(extra.received(), 0, 'the connection past the cap got no answer');
      assert.equal(slowlorisClosed, false, 'it was closed before the slowloris connections timed out, not after');

      const onOpen = await get(httpPort, '/readyz', agent);
      assert.deepEqual(onOpen, { status: 200, reused: true }, 'a call on the connection opened before is served');
      assert.ok(((await refusedCount(mixer, 'http')) ?? 0) > (refusedBefore ?? 0), 'the refused connection is counted');

      await within(allClosed, 'the slowloris connections closed');
      for (const connection of slowloris) assert.ok(connection.received() > 0, 'a slowloris connection was accepted, and answered 408 at its header timeout');
      const fresh = new Agent({ keepAlive: false });
      assert.deepEqual(await get(httpPort, '/readyz', fresh), { status: 200, reused: false }, 'a new connection is served again');
    } finally {
      agent.destroy();
    }
  });

  test('at the cap a new gRPC connection is closed as it arrives; calls on open connections are served, new ones once the idle ones are gone', LIMIT, async () => {
    const refusedBefore = await refusedCount(mixer, 'grpc');
    const legit = await h2Session(grpcPort);
    try {
      assert.equal(await grpcCheck(legit), '0');
      const idle = await Promise.all(Array.from({ length: CAP - 1 }, () => rawConnection(grpcPort)));
      let idleClosed = false;
      const allClosed = Promise.all(idle.map((connection) => connection.closed)).then(() => (idleClosed = true));

      // An accepted connection hears the server's HTTP/2 SETTINGS at once; a refused one hears nothing.
      const extra = await rawConnection(grpcPort);
      await within(extra.closed, 'the connection past the cap closed');
      assert.equal(extra.received(), 0, 'the connection past the cap was not served');
      assert.equal(idleClosed, false, 'it was closed before the idle connections timed out, not after');

      assert.equal(await grpcCheck(legit), '0', 'a call on the connection opened before is served');
      assert.ok(((await refusedCount(mixer, 'grpc')) ?? 0) > (refusedBefore ?? 0), 'the refused connection is counted');

      await within(allClosed, 'the idle connections closed');
      for (const connection of idle) assert.ok(connection.received() > 0, 'an idle connection was accepted (SETTINGS, then GOAWAY at its idle timeout)');
      const fresh = await h2Session(grpcPort);
      try {
        assert.equal(await grpcCheck(fresh), '0', 'a new connection is served again');
      } finally {
        fresh.close();
      }
    } finally {
      legit.close();
    }
  });

  test('the prometheus adapter listens on the server\'s --host (127.0.0.1), not on every interface', LIMIT, async () => {
    const [, url] = await mixer.waitForOutput(/"url":"(http:\/\/[^"]+\/metrics)"[^\n]*serving prometheus metrics/);
    const port = portOf(url!);
    assert.equal(new URL(url!).hostname, '127.0.0.1');
    const bound = listeningAddresses(port);
    if (bound !== undefined) assert.deepEqual(bound, ['127.0.0.1'], 'the kernel\'s listening socket');
    assert.equal((await fetch(url!)).status, 200);
    const external = nonLoopbackIpv4();
    if (external !== undefined) assert.equal(await tryConnect(external, port), 'ECONNREFUSED', `not reachable on ${external}`);
  });

  test('SIGTERM stops the server while slowloris connections are open (node stops timing headers out once closing)', LIMIT, async () => {
    const open = [
      await rawConnection(httpPort, 'POST /v1/check HTTP/1.1\r\n'),
      await rawConnection(monitoringPort, 'GET /metrics HTTP/1.1\r\n'),
      await rawConnection(grpcPort, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    ];
    try {
      await within(mixer.stop(), 'the server exited');
    } finally {
      for (const connection of open) connection.socket.destroy();
    }
  });
});

describe('a mixer server on every interface (--host 0.0.0.0)', () => {
  let mixer: MixerProcess;

  before(async () => {
    mixer = await startMixerProcess(CONFIG, ['--host', '0.0.0.0', ...PORTS, '--log-level', 'warn']);
  });
  after(() => mixer.stop());

  test('/debug/config is served on the monitoring port, which stays on loopback, and not on the HTTP API', LIMIT, async () => {
    const httpPort = portOf(mixer.url);
    const monitoringPort = portOf(mixer.monitoringUrl);
    assert.equal((await fetch(`http://127.0.0.1:${httpPort}/debug/config`)).status, 404);
    const debug = await fetch(`http://127.0.0.1:${monitoringPort}/debug/config`);
    assert.equal(debug.status, 200);
    assert.equal(((await debug.json()) as { active: { rules: unknown[] } }).active.rules.length, 1);
    assert.equal((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status, 200, 'probes stay on the API');

    const monitoringBound = listeningAddresses(monitoringPort);
    if (monitoringBound !== undefined) {
      assert.deepEqual(monitoringBound, ['127.0.0.1']);
      assert.deepEqual(listeningAddresses(httpPort), ['0.0.0.0']);
    }
    const external = nonLoopbackIpv4();
    if (external !== undefined) {
      assert.equal(await tryConnect(external, monitoringPort), 'ECONNREFUSED', `monitoring not reachable on ${external}`);
      assert.equal(await tryConnect(external, httpPort), true, `the API reachable on ${external}`);
    }
  });
});
