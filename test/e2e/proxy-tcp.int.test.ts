import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';
import type { SidecarProxy } from '../../proxy/sidecar-proxy.js';
import { accessLogLines, freePort, startSidecar, startTcpEcho, type AccessLogLine } from '../../proxy/testing/mesh-fixture.js';

// Plain TCP: a client connects to its outbound sidecar's TCP port for the echo service, which
// goes to the echo workload's inbound TCP sidecar. Check at connect, Report at open and close.

/** Sends `text`, waits for it to come back, closes; resolves with what came back, or rejects when the proxy closed first. */
function echo(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.length >= text.length) socket.end();
    });
    socket.on('close', () => (received.length >= text.length ? resolve(received) : reject(new Error(`closed after ${received.length} bytes`))));
    socket.on('error', () => undefined);
    socket.write(text);
  });
}

describe('TCP through an outbound and an inbound sidecar with a real Mixer', () => {
  let directory: string;
  let logFile: string;
  let mixer: RunningMixer;
  let echoServer: { port: number; close(): Promise<void> };
  let inbound: SidecarProxy;
  let outbound: SidecarProxy;
  let outboundPort: number;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mixer-proxy-tcp-'));
    logFile = join(directory, 'tcp.log');
    mixer = await startMixer({
      'tcp.yaml': [
        resource('handler', 'filelog', `compiledAdapter: stdio\nparams:\n  logStream: FILE\n  outputPath: ${logFile}\n  outputAsJson: true`),
        resource(
          'instance',
          'tcplog',
          `compiledTemplate: logentry\nparams:\n  severity: '"Info"'\n  timestamp: context.time\n  variables:\n    reporter: context.reporter.kind | "MISSING"\n    event: connection.event | "MISSING"\n    received: connection.received.bytes | 999\n    sent: connection.sent.bytes | 999\n    receivedTotal: connection.received.bytes_total | 999\n    source: source.uid | "MISSING"\n    destination: destination.uid | "MISSING"\n    connection: connection.id | "MISSING"\n    duration: connection.duration | "999s"`,
        ),
        resource('rule', 'tcplog', 'match: context.protocol == "tcp"\nactions:\n- handler: filelog\n  instances: [ tcplog ]'),
        resource('handler', 'blocktcp', 'compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: blocked'),
        resource('instance', 'nothing', 'compiledTemplate: checknothing'),
        resource('rule', 'blocktcp', 'match: context.protocol == "tcp" && destination.labels["blocked"] == "true"\nactions:\n- handler: blocktcp\n  instances: [ nothing ]'),
      ].join(''),
    });
    echoServer = await startTcpEcho();
    const mixerBlock = `mixer:\n  address: ${mixer.grpcAddress}\n  reportBatchTimeMs: 20\n  tcpReportIntervalMs: 1000\n`;
    inbound = await startSidecar(`workload:\n  name: echo-v1\n  labels: { app: echo }\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${echoServer.port}\n  protocol: tcp\n${mixerBlock}`);
    outboundPort = await freePort();
    const blockedPort = await freePort();
    outbound = await startSidecar(
      `workload:\n  name: client-v1\n  labels: { app: client }\noutbound:\n  listen: 127.0.0.1:0\n${mixerBlock}registry: unused.yaml\n`,
      `services:\n- host: echo.default.svc.cluster.local\n  protocol: tcp\n  outboundPort: ${outboundPort}\n  endpoints:\n  - { address: "127.0.0.1:${inbound.addresses.inbound!.port}", name: echo-v1, labels: { app: echo } }\n- host: blocked.default.svc.cluster.local\n  protocol: tcp\n  outboundPort: ${blockedPort}\n  endpoints:\n  - { address: "127.0.0.1:${echoServer.port}", name: blocked-v1, labels: { blocked: "true" } }\n`,
    );
  });
  after(async () => {
    await outbound.close();
    await inbound.close();
    await echoServer.close();
    await mixer.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('bytes flow both ways; each sidecar reports open and close with byte counts', async () => {
    const text = 'hello through two sidecars';
    assert.equal(await echo(outboundPort, text), text);
    let lines: AccessLogLine[] = [];
    await eventually(async () => {
      lines = await accessLogLines(logFile);
      return lines.filter((line) => line['event'] === 'close').length >= 2;
    }, 5000, 'close reports from both sidecars');
    for (const reporter of ['outbound', 'inbound']) {
      const close = lines.find((line) => line['reporter'] === reporter && line['event'] === 'close');
      const open = lines.find((line) => line['reporter'] === reporter && line['event'] === 'open');
      assert.ok(close !== undefined && open !== undefined, `${reporter} open and close`);
      assert.equal(close['received'], text.length);
      assert.equal(close['sent'], text.length);
      assert.equal(close['receivedTotal'], text.length);
      assert.equal(open['received'], 0);
      assert.equal(close['connection'], open['connection']);
      assert.equal(close['destination'], 'kubernetes://echo-v1.default');
      assert.notEqual(close['duration'], '999s');
    }
    assert.equal(lines.find((line) => line['reporter'] === 'outbound')?.['source'], 'kubernetes://client-v1.default');
  });

  test('a client that sends and half-closes at once still gets the whole answer, and both sidecars report the close', async () => {
    const text = 'fire and half-close';
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: outboundPort }, () => socket.end(text));
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
    });
    assert.equal(answer, text);
    await eventually(async () => {
      const closes = (await accessLogLines(logFile)).filter((line) => line['event'] === 'close' && line['received'] === text.length && line['sent'] === text.length);
      return closes.length >= 2;
    }, 5000, 'close reports with the byte counts from both sidecars');
  });

  test('a denied connection is closed without reaching the upstream', async () => {
    const port = outbound.addresses.outboundTcp.get('blocked.default.svc.cluster.local')!.port;
    await assert.rejects(echo(port, 'anyone?'), /closed after 0 bytes/);
  });

  test('a long connection also reports continue every interval, with the bytes since the last report', async () => {
    const port = outboundPort;
    const socket = connect({ host: '127.0.0.1', port });
    let echoed = '';
    socket.on('data', (chunk: Buffer) => (echoed += chunk.toString()));
    socket.write('abc');
    await eventually(() => echoed === 'abc', 5000, 'the first echo');
    await new Promise((resolve) => setTimeout(resolve, 1300));
    socket.write('defg');
    await eventually(() => echoed === 'abcdefg', 5000, 'the second echo');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.end();
    await closed;
    let lines: AccessLogLine[] = [];
    const inboundLines = async (): Promise<AccessLogLine[]> => (await accessLogLines(logFile)).filter((line) => line['reporter'] === 'inbound');
    await eventually(async () => {
      lines = await inboundLines();
      const continued = lines.find((line) => line['event'] === 'continue');
      return continued !== undefined && lines.some((line) => line['event'] === 'close' && line['connection'] === continued['connection']);
    }, 8000, 'continue and close reports of the long connection');
    const continued = lines.find((line) => line['event'] === 'continue')!;
    const close = lines.find((line) => line['event'] === 'close' && line['connection'] === continued['connection'])!;
    assert.equal(continued['received'], 3);
    assert.equal(continued['sent'], 3);
    assert.equal(close['received'], 4);
    assert.equal(close['sent'], 4);
    assert.equal(close['receivedTotal'], 7);
  });
});
