import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repositoryRoot } from '../support/conformance.js';
import { resource } from '../support/mixer-harness.js';

// The real `mixer` executable: `mixer server` in its own process with a third-party adapter
// loaded from outside the built-ins (--adapter), driven by `mixer check` and `mixer report`.

const BIN = join(repositoryRoot(), 'dist', 'core', 'cli', 'bin.js');
const ADAPTER = join(repositoryRoot(), 'dist', 'examples', 'third-party-adapter', 'index.js');
const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('the mixer command line', () => {
  let directory: string;
  let server: ChildProcess;
  let url: string;
  let grpcAddress: string;
  let serverLog = '';

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mixer-cli-'));
    // Open only on the day after tomorrow (UTC), so "now" is closed for the whole test.
    const closedToday = WEEKDAYS[(new Date().getUTCDay() + 2) % 7]!;
    await writeFile(
      join(directory, 'hours.yaml'),
      [
        resource('handler', 'hours', `compiledAdapter: business-hours\nparams:\n  days: [ ${closedToday} ]\n  exempt_users: [ oncall@example.com ]`),
        resource('instance', 'caller', 'compiledTemplate: authorization\nparams:\n  subject:\n    user: request.headers["x-user"] | ""\n  action:\n    service: destination.service.host | ""'),
        resource('rule', 'hours', 'actions:\n- handler: hours\n  instances: [ caller ]'),
      ].join(''),
    );
    server = spawn(process.execPath, [BIN, 'server', '--config', directory, '--http-port', '0', '--grpc-port', '0', '--monitoring-port', '0', '--adapter', ADAPTER, '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${serverLog}`)), 15_000);
      server.stderr!.on('data', (chunk: Buffer) => {
        serverLog += chunk.toString();
        const match = /API\s+(http:\/\/[^/\s]+)\/v1\/check/.exec(serverLog);
        const grpc = /gRPC\s+grpc:\/\/([^\s]+)/.exec(serverLog);
        if (match !== null && grpc !== null) {
          clearTimeout(timer);
          grpcAddress = grpc[1]!;
          resolve(match[1]!);
        }
      });
      server.stdout!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
      server.on('exit', (code) => reject(new Error(`server exited with ${String(code)}:\n${serverLog}`)));
    });
  });

  after(async () => {
    server.removeAllListeners('exit');
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    await rm(directory, { recursive: true, force: true });
  });

  test('mixer check asks the server; the third-party adapter decides', async () => {
    const closed = await run(['check', '--server', url, '-a', 'request.headers={"x-user":"alice@example.com"}', '-a', 'destination.service.host=shop.default.svc']);
    assert.equal(closed.code, 0, closed.stderr);
    const denied = JSON.parse(closed.stdout) as { precondition: { status: { code: number; message: string } } };
    assert.equal(denied.precondition.status.code, 7);
    assert.match(denied.precondition.status.message, /^hours\.handler\.istio-system:.*is closed/);

    const exempt = await run(['check', '--server', url, '-a', 'request.headers={"x-user":"oncall@example.com"}']);
    assert.equal((JSON.parse(exempt.stdout) as { precondition: { status: { code: number } } }).precondition.status.code, 0);
  });

  test('mixer check --grpc and mixer report --grpc talk to the gRPC API', async () => {
    const denied = await run(['check', '--grpc', '--server', grpcAddress, '-a', 'request.headers={"x-user":"alice@example.com"}', '-q', 'requestcount=2']);
    assert.equal(denied.code, 0, denied.stderr);
    const body = JSON.parse(denied.stdout) as { precondition: { status: { code: number; message: string } }; quotas?: unknown };
    assert.equal(body.precondition.status.code, 7);
    assert.match(body.precondition.status.message, /is closed/);
    assert.equal(body.quotas, undefined, 'a denied check allocates no quota');
    const allowed = await run(['check', '--grpc', '--server', grpcAddress, '-a', 'request.headers={"x-user":"oncall@example.com"}', '-q', 'requestcount=2']);
    const granted = JSON.parse(allowed.stdout) as { precondition: { status: { code: number } }; quotas: Record<string, { grantedAmount: string }> };
    assert.equal(granted.precondition.status.code, 0);
    assert.equal(granted.quotas['requestcount']!.grantedAmount, '2');
    const reported = await run(['report', '--grpc', '--server', grpcAddress, '-a', 'request.size=10', '--repeat', '2']);
    assert.equal(reported.code, 0, reported.stderr);
    const unreachable = await run(['check', '--grpc', '--server', '127.0.0.1:1', '-a', 'x=1']);
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, /gRPC call to Mixer at 127\.0\.0\.1:1 failed \(UNAVAILABLE/);
  });

  test('mixer check --explain and --quota, mixer report', async () => {
    const explained = await run(['check', '--server', url, '--explain', '-q', 'requestcount=3', '-a', 'request.headers={"x-user":"oncall@example.com"}']);
    const body = JSON.parse(explained.stdout) as { quotas: Record<string, { grantedAmount: string }>; explanation: { rules: { rule: string; matched: boolean }[] } };
    assert.equal(body.quotas['requestcount']!.grantedAmount, '3');
    assert.deepEqual(body.explanation.rules.map((rule) => [rule.rule, rule.matched]), [['hours.rule.istio-system', true]]);
    const reported = await run(['report', '--server', url, '-a', 'request.size=10', '--repeat', '3']);
    assert.equal(reported.code, 0, reported.stderr);
  });

  test('bad input gets a clear error and exit status 2', async () => {
    const unreachable = await run(['check', '--server', 'http://127.0.0.1:1', '-a', 'x=1']);
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, /cannot reach Mixer at http:\/\/127\.0\.0\.1:1/);
    const typed = await run(['check', '--server', url, '-a', 'request.size=big']);
    assert.equal(typed.code, 1);
    assert.match(typed.stdout, /request\.size: expected INT64, got \\"big\\"/);
    const unknown = await run(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    for (const command of ['server', 'check', 'report', 'validate', 'eval']) {
      const help = await run([command, '--help']);
      assert.equal(help.code, 0, `${command} --help`);
      assert.match(help.stdout, new RegExp(`^Usage: mixer ${command}`));
    }
  });
});
