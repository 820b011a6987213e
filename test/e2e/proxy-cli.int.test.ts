import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../core/cli/main.js';
import { startMixer } from '../support/mixer-harness.js';
import { call, startRecordingApp } from '../../proxy/testing/mesh-fixture.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'core', 'cli', 'bin.js');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), environment: {} });
  return { code, stdout, stderr };
}

test('mixer proxy --help describes the sidecar; bad config is refused naming file, line and field', async () => {
  const help = await run(['proxy', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--inbound HOST:PORT/);
  for (const flag of ['--max-connections N', '--header-timeout-ms MS', '--idle-timeout-ms MS', '--tcp-idle-timeout-ms MS']) assert.ok(help.stdout.includes(flag), flag);
  const directory = await mkdtemp(join(tmpdir(), 'mixer-proxy-cli-'));
  try {
    const file = join(directory, 'bad.yaml');
    await writeFile(file, 'workload:\n  name: a\n  lables: {}\ninbound:\n  listen: 127.0.0.1:0\n  app: nowhere\nmixer:\n  address: grpc://127.0.0.1:9091\n');
    const bad = await run(['proxy', '--config', file]);
    assert.equal(bad.code, 2);
    assert.ok(bad.stderr.includes(`${file}:3: workload.lables: unknown field`), bad.stderr);
    assert.ok(bad.stderr.includes(`${file}:6: inbound.app: expected host:port`), bad.stderr);
    const flags = await run(['proxy', '--name', 'a', '--inbound', '127.0.0.1:0', '--app', '127.0.0.1:1', '--mixer', 'grpc://127.0.0.1:1', '--fail-policy', 'maybe']);
    assert.equal(flags.code, 2);
    assert.match(flags.stderr, /\n--fail-policy \(mixer\.failPolicy\): expected FAIL_OPEN or FAIL_CLOSE, got "maybe"\n/);
    const address = await run(['proxy', '--name', 'a', '--inbound', 'nohost', '--app', '127.0.0.1:1', '--mixer', 'grpc://127.0.0.1:1']);
    assert.equal(address.code, 2);
    assert.match(address.stderr, /\n--inbound \(inbound\.listen\): expected host:port \(port 0-65535\), got "nohost"\n/);
    const limits = await run(['proxy', '--name', 'a', '--inbound', '127.0.0.1:0', '--app', '127.0.0.1:1', '--mixer', 'grpc://127.0.0.1:1', '--max-connections', '0', '--header-timeout-ms', 'soon']);
    assert.equal(limits.code, 2);
    assert.match(limits.stderr, /\n--max-connections \(limits\.maxConnections\): expected an integer >= 1, got string "0"\n/);
    assert.match(limits.stderr, /\n--header-timeout-ms \(limits\.headerTimeoutMs\): expected an integer from 0 \(off\) to 2147483647 \(ms\), got string "soon"\n/);
    const label = await run(['proxy', '--label', 'novalue']);
    assert.equal(label.code, 2);
    assert.match(label.stderr, /--label novalue: expected key=value/);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('`mixer proxy` as its own process, from flags only, serves through a real Mixer and stops on SIGTERM', async () => {
  const mixer = await startMixer({});
  const app = await startRecordingApp();
  const child = spawn(
    process.execPath,
    [BIN, 'proxy', '--name', 'app-v1', '--label', 'app=app', '--inbound', '127.0.0.1:0', '--app', `127.0.0.1:${app.port}`, '--mixer', mixer.grpcAddress, '--log-level', 'silent'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let output = '';
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /inbound\s+127\.0\.0\.1:(\d+)/.exec(output);
        if (match !== null) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited with ${String(code)}: ${output}`)));
    });
    const reply = await call(port, '/through-cli');
    assert.equal(reply.status, 200);
    assert.equal(app.seen.at(-1)?.url, '/through-cli');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await app.close();
    await mixer.close();
  }
});
