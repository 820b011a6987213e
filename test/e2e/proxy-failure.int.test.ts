import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';
import type { SidecarProxy } from '../../proxy/sidecar-proxy.js';
import { accessLogLines, call, freePort, startRecordingApp, startSidecar, type RecordingApp } from '../../proxy/testing/mesh-fixture.js';

// Mixer goes away mid-run: a FAIL_OPEN sidecar keeps serving, a FAIL_CLOSE one refuses; the
// reports made while Mixer was down reach it once it is back on the same port.

function config(logFile: string): Record<string, string> {
  return {
    'mesh.yaml': [
      resource('handler', 'filelog', `compiledAdapter: stdio\nparams:\n  logStream: FILE\n  outputPath: ${logFile}\n  outputAsJson: true`),
      resource('instance', 'accesslog', `compiledTemplate: logentry\nparams:\n  severity: '"Info"'\n  timestamp: request.time\n  variables:\n    path: request.path | "MISSING"\n    reporter: context.reporter.uid | "MISSING"`),
      resource('rule', 'telemetry', 'match: context.protocol == "http"\nactions:\n- handler: filelog\n  instances: [ accesslog ]'),
    ].join(''),
  };
}

async function loggedPaths(file: string, reporter: string): Promise<string[]> {
  return (await accessLogLines(file)).filter((line) => line['reporter'] === reporter).map((line) => String(line['path']));
}

describe('the network fail policy and report retention when Mixer restarts', () => {
  let directory: string;
  let logFile: string;
  let grpcPort: number;
  let mixer: RunningMixer;
  let app: RecordingApp;
  let open: SidecarProxy;
  let closed: SidecarProxy;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mixer-proxy-fail-'));
    logFile = join(directory, 'access.log');
    grpcPort = await freePort();
    mixer = await startMixer(config(logFile), { grpcPort });
    app = await startRecordingApp();
    const sidecar = (name: string, policy: string) =>
      startSidecar(
        `workload:\n  name: ${name}\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${app.port}\nmixer:\n  address: grpc://127.0.0.1:${grpcPort}\n  failPolicy: ${policy}\n  timeoutMs: 1000\n  checkCacheEntries: 0\n  reportBatchTimeMs: 20\n`,
      );
    open = await sidecar('fail-open', 'FAIL_OPEN');
    closed = await sidecar('fail-close', 'FAIL_CLOSE');
  });
  after(async () => {
    await open.close();
    await closed.close();
    await app.close();
    await mixer.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('with Mixer up both serve; with Mixer down FAIL_OPEN serves and FAIL_CLOSE answers 503; reports made meanwhile arrive after the restart', async () => {
    assert.equal((await call(open.addresses.inbound!.port, '/before')).status, 200);
    assert.equal((await call(closed.addresses.inbound!.port, '/before')).status, 200);
    await eventually(async () => (await loggedPaths(logFile, 'kubernetes://fail-open.default')).includes('/before'), 5000, 'the first report');

    await mixer.close();
    const during = await call(open.addresses.inbound!.port, '/during-outage');
    assert.equal(during.status, 200, 'FAIL_OPEN lets the request through');
    const refused = await call(closed.addresses.inbound!.port, '/during-outage');
    assert.equal(refused.status, 503, `FAIL_CLOSE refuses: ${refused.body}`);
    assert.match(refused.body, /UNAVAILABLE|DEADLINE_EXCEEDED/);
    assert.equal(app.seen.filter((seen) => seen.url === '/during-outage').length, 1, 'only the fail-open call reached the app');

    // Mixer comes back on the same port after a short outage.
    await new Promise((resolve) => setTimeout(resolve, 300));
    mixer = await startMixer(config(logFile), { grpcPort });
    await eventually(async () => (await loggedPaths(logFile, 'kubernetes://fail-open.default')).includes('/during-outage'), 15_000, 'the report buffered during the outage');
    await eventually(async () => (await loggedPaths(logFile, 'kubernetes://fail-close.default')).includes('/during-outage'), 15_000, 'the refused request is reported too');
    await eventually(async () => (await call(closed.addresses.inbound!.port, '/after')).status === 200, 15_000, 'FAIL_CLOSE serves again');
  });
});
