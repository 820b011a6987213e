import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_REPORT } from '../../core/client/client-options.js';
import { freePort, startRecordingApp } from '../../proxy/testing/mesh-fixture.js';
import { resource } from '../support/mixer-harness.js';
import { AccessLogTail, startMixerProcess, startProxyProcess, type ChildProcessHandle } from './mixer-kill-processes.js';

// Issue 13, defect 6: with a sidecar in front of an app and Mixer SIGKILLed under load and
// started again on the same port, every report the sidecar made must reach a Mixer's stdio
// output in the end. What a Mixer acknowledged must already be written to the OS (a killed
// process loses what it only held in memory), and what it did not acknowledge must be sent
// again by the sidecar's client. Everything here is real: two `mixer server` processes in
// turn, a `mixer proxy` process, an HTTP app, loopback sockets and a file.

const REQUESTS = 3000;
const CONCURRENCY = 16;
/** Requests answered before the kill, and answered while Mixer is down. */
const BEFORE_KILL = 1000;
const WHILE_DOWN = 600;
/**
 * Mixer stays down until the sidecar has failed this many Report sends: more than one batch's
 * whole retry budget (maxRetries, plus the batches in flight at the kill), so that a client
 * that spent retries on a Mixer that is not there would have dropped a batch by then.
 */
const FAILED_SENDS_WHILE_DOWN = DEFAULT_REPORT.maxRetries + DEFAULT_REPORT.maxInFlight + 2;
/** A bound for the reports to arrive on a busy machine, not a measurement. */
const DEADLINE_MS = 45_000;

function telemetryConfig(logFile: string): string {
  return [
    resource('handler', 'accessfile', `compiledAdapter: stdio\nparams:\n  logStream: FILE\n  outputPath: ${logFile}\n  outputAsJson: true`),
    resource('instance', 'accesslog', 'compiledTemplate: logentry\nparams:\n  severity: \'"info"\'\n  timestamp: request.time\n  variables:\n    id: request.id | ""\n    code: response.code | 0'),
    resource('rule', 'inboundlog', 'match: context.reporter.kind == "inbound"\nactions:\n- handler: accessfile\n  instances: [ accesslog ]'),
  ].join('');
}

test('Mixer SIGKILLed and restarted under load: every request the sidecar answered reaches a Mixer’s stdio output', { timeout: 150_000 }, async () => {
  const directory = await mkdtemp(join(tmpdir(), 'mixer-kill-'));
  const logFile = join(directory, 'access.log');
  const configDir = join(directory, 'config');
  await mkdir(configDir);
  await writeFile(join(configDir, 'telemetry.yaml'), telemetryConfig(logFile));
  const grpcPort = await freePort();
  const app = await startRecordingApp();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const children: ChildProcessHandle[] = [];
  try {
    const first = await startMixerProcess(configDir, grpcPort);
    children.push(first);
    const proxy = await startProxyProcess(app.port, `grpc://127.0.0.1:${grpcPort}`);
    children.push(proxy);

    const answered: string[] = [];
    let sent = 0;
    let gate: Promise<void> = Promise.resolve();
    const worker = async (): Promise<void> => {
      for (;;) {
        await gate;
        if (sent >= REQUESTS) return;
        const id = `kill-${sent++}`;
        const status = await get(agent, proxy.port, `/r/${id}`, id);
        assert.equal(status, 200, `request ${id}`);
        answered.push(id);
      }
    };
    const answeredAtLeast = async (count: number): Promise<void> => {
      while (answered.length < count) await new Promise((resolve) => setImmediate(resolve));
    };
    const load = Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));

    await answeredAtLeast(BEFORE_KILL);
    const failedSends = proxy.waitForCount('"msg":"Mixer Report failed"', FAILED_SENDS_WHILE_DOWN);
    failedSends.catch(() => undefined); // awaited below
    await first.kill('SIGKILL');
    // FAIL_OPEN keeps answering while Mixer is away; those requests are reported too.
    await answeredAtLeast(answered.length + WHILE_DOWN);
    let release = (): void => undefined;
    gate = new Promise((resolve) => (release = resolve));
    await failedSends;
    children.push(await startMixerProcess(configDir, grpcPort));
    release();
    await load;
    assert.equal(answered.length, REQUESTS);

    const tail = new AccessLogTail(logFile);
    const missing = await tail.waitForIds(answered, DEADLINE_MS);
    assert.deepEqual(
      missing.slice(0, 10),
      [],
      `${missing.length} of ${REQUESTS} answered requests never reached Mixer's output; what the sidecar printed:\n${proxy.printed().slice(-20).join('\n')}`,
    );
    assert.ok(tail.lines >= REQUESTS, 'one line per request at least (duplicates after a lost answer are allowed)');
  } finally {
    agent.destroy();
    for (const child of children.reverse()) await child.kill('SIGKILL');
    await app.close();
    await rm(directory, { recursive: true, force: true });
  }
});

function get(agent: Agent, port: number, path: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, agent, headers: { 'x-request-id': id } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}
