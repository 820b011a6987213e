import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';
import type { SidecarProxy } from '../../proxy/sidecar-proxy.js';
import { accessLogLines, startSidecar, type AccessLogLine } from '../../proxy/testing/mesh-fixture.js';
import { startWebSocketEcho, webSocketExchange } from '../../proxy/testing/websocket.js';
import { FORWARDED_ATTRIBUTES_HEADER } from '../../proxy/forwarded-attributes.js';

// WebSocket upgrades through both sidecars: Check at the upgrade, Report when the tunnel closes.

describe('WebSocket through an outbound and an inbound sidecar with a real Mixer', () => {
  let directory: string;
  let logFile: string;
  let mixer: RunningMixer;
  let echo: Awaited<ReturnType<typeof startWebSocketEcho>>;
  let inbound: SidecarProxy;
  let outbound: SidecarProxy;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mixer-proxy-ws-'));
    logFile = join(directory, 'ws.log');
    mixer = await startMixer({
      'ws.yaml': [
        resource('handler', 'filelog', `compiledAdapter: stdio\nparams:\n  logStream: FILE\n  outputPath: ${logFile}\n  outputAsJson: true`),
        resource(
          'instance',
          'wslog',
          `compiledTemplate: logentry\nparams:\n  severity: '"Info"'\n  timestamp: request.time\n  variables:\n    reporter: context.reporter.kind | "MISSING"\n    code: response.code | 0\n    received: connection.received.bytes | 999\n    sent: connection.sent.bytes | 999\n    source: source.uid | "MISSING"\n    upgrade: request.headers["upgrade"] | "MISSING"`,
        ),
        resource('rule', 'wslog', 'match: context.protocol == "http"\nactions:\n- handler: filelog\n  instances: [ wslog ]'),
        resource('handler', 'deny', 'compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: no chat for you'),
        resource('instance', 'nothing', 'compiledTemplate: checknothing'),
        resource('rule', 'deny', 'match: request.headers["x-deny"] == "yes"\nactions:\n- handler: deny\n  instances: [ nothing ]'),
      ].join(''),
    });
    echo = await startWebSocketEcho();
    const mixerBlock = `mixer:\n  address: ${mixer.grpcAddress}\n  reportBatchTimeMs: 20\n`;
    inbound = await startSidecar(`workload:\n  name: chat-v1\n  labels: { app: chat }\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${echo.port}\n${mixerBlock}`);
    outbound = await startSidecar(
      `workload:\n  name: web-v1\n  labels: { app: web }\noutbound:\n  listen: 127.0.0.1:0\n${mixerBlock}registry: unused.yaml\n`,
      `services:\n- host: chat.default.svc.cluster.local\n  endpoints:\n  - { address: "127.0.0.1:${inbound.addresses.inbound!.port}", name: chat-v1, labels: { app: chat } }\n`,
    );
  });
  after(async () => {
    await outbound.close();
    await inbound.close();
    await echo.close();
    await mixer.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('messages are echoed through the tunnel and both sidecars report it at close', async () => {
    const exchange = await webSocketExchange(outbound.addresses.outbound!.port, 'chat', ['hello', 'world']);
    assert.equal(exchange.status, 101);
    assert.deepEqual(exchange.replies, ['hello', 'world']);
    assert.equal(echo.upgrades.at(-1)?.[FORWARDED_ATTRIBUTES_HEADER], undefined, 'the app never sees x-istio-attributes');
    assert.equal(echo.upgrades.at(-1)?.upgrade, 'websocket');
    let lines: AccessLogLine[] = [];
    await eventually(async () => {
      lines = await accessLogLines(logFile);
      return lines.length >= 2;
    }, 5000, 'a report from each sidecar');
    for (const reporter of ['outbound', 'inbound']) {
      const line = lines.find((candidate) => candidate['reporter'] === reporter);
      assert.ok(line !== undefined, reporter);
      assert.equal(line['code'], 101);
      assert.equal(line['upgrade'], 'websocket');
      // The inbound side does not take the caller's uid from the (unauthenticated) x-istio-attributes.
      assert.equal(line['source'], reporter === 'outbound' ? 'kubernetes://web-v1.default' : 'MISSING');
      // Two masked 5-byte frames (11 bytes each) and the close frame (6) went up; two 7-byte frames and a close (2) came back.
      assert.equal(line['received'], 28);
      assert.equal(line['sent'], 16);
    }
  });

  test('a denied upgrade gets 403 and never reaches the app', async () => {
    const before = echo.upgrades.length;
    const exchange = await webSocketExchange(outbound.addresses.outbound!.port, 'chat', ['hi'], { 'x-deny': 'yes' });
    assert.equal(exchange.status, 403);
    assert.match(exchange.body, /no chat for you/);
    assert.equal(echo.upgrades.length, before);
  });
});
