import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { distPath, startAdapterProcess, type AdapterProcess } from '../../core/oop/testing/adapter-process.js';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// Out-of-process adapters for real: the example third-party adapter (business-hours) and a
// recording metric adapter each run in their own `mixer adapter serve` child process; Mixer
// reaches them through handlers with `adapter` + `connection`, from an ordinary config.

const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

async function unusedAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

function adapterResource(name: string, templates: readonly string[]): string {
  return resource('adapter', name, `description: ${name} served out of process\ntemplates: [ ${templates.join(', ')} ]`);
}

function remoteHandler(name: string, adapter: string, address: string, timeout: string, params: string): string {
  return resource('handler', name, `adapter: ${adapter}\nconnection:\n  address: "${address}"\n  timeout: ${timeout}\nparams:\n${params}`);
}

describe('out-of-process adapters (mixer adapter serve)', () => {
  let hours: AdapterProcess;
  let recorder: AdapterProcess;
  let mixer: RunningMixer;
  let directory: string;
  let recordFile: string;
  const closedToday = WEEKDAYS[(new Date().getUTCDay() + 2) % 7]!;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mixer-oop-'));
    recordFile = join(directory, 'instances.jsonl');
    [hours, recorder] = await Promise.all([
      startAdapterProcess(distPath('examples', 'third-party-adapter', 'index.js'), { monitoring: true }),
      startAdapterProcess(distPath('core', 'oop', 'testing', 'recording-adapter.js')),
    ]);
    const down = await unusedAddress();
    mixer = await startMixer(
      {
        'adapters.yaml': [adapterResource('business-hours', ['authorization', 'metric']), adapterResource('recording', ['metric', 'checknothing', 'quota'])].join(''),
        'hours.yaml': [
          remoteHandler('hours', 'business-hours', hours.address, '2s', `  days: [ ${closedToday} ]\n  exempt_users: [ oncall@example.com ]\n  valid_use_count: 42`),
          resource('instance', 'caller', 'compiledTemplate: authorization\nparams:\n  subject:\n    user: request.headers["x-user"] | ""\n  action:\n    service: destination.service.host | ""'),
          resource('rule', 'hours', 'match: destination.labels["app"] == "shop"\nactions:\n- handler: hours\n  instances: [ caller ]'),
        ].join(''),
        'metrics.yaml': [
          remoteHandler('recorder', 'recording', recorder.address, '2s', `  file: ${JSON.stringify(recordFile)}\n  grant: 2`),
          resource(
            'instance',
            'requestcount',
            'compiledTemplate: metric\nparams:\n  value: request.size | 0\n  dimensions:\n    source: source.name | "unknown"\n    code: response.code | 200\n    latency: response.duration | "0ms"\n    peer: source.ip | ip("0.0.0.0")\n    ratio: "0.25"\n  monitored_resource_type: \'"UNSPECIFIED"\'',
          ),
          resource('rule', 'count', 'match: context.protocol == "http"\nactions:\n- handler: recorder\n  instances: [ requestcount ]'),
          resource('instance', 'rq', 'compiledTemplate: quota\nparams:\n  dimensions:\n    user: request.headers["x-user"] | "anonymous"'),
          resource('rule', 'limit', 'match: destination.labels["app"] == "limited"\nactions:\n- handler: recorder\n  instances: [ rq ]'),
        ].join(''),
        'failures.yaml': [
          remoteHandler('hanging', 'recording', recorder.address, '300ms', '  hang: true'),
          resource('instance', 'nothing', 'compiledTemplate: checknothing'),
          resource('rule', 'slow', 'match: destination.labels["app"] == "slow"\nactions:\n- handler: hanging\n  instances: [ nothing ]'),
          remoteHandler('gone', 'recording', down, '1s', '  {}'),
          resource('rule', 'gone', 'match: destination.labels["app"] == "gone"\nactions:\n- handler: gone\n  instances: [ nothing ]'),
          resource('rule', 'gonereport', 'match: context.protocol == "tcp"\nactions:\n- handler: gone\n  instances: [ requestcount ]'),
        ].join(''),
      },
      { handlerTimeoutMs: 5000 },
    );
    const config = await mixer.getMonitoring('/debug/config');
    assert.equal(config.body['lastRejected'], null, JSON.stringify(config.body['lastRejected']));
    assert.deepEqual((config.body['active'] as { errors?: unknown[] } | undefined)?.errors, [], JSON.stringify(config.body));
  });

  after(async () => {
    await mixer?.close();
    await Promise.all([hours?.stop(), recorder?.stop()]);
    await rm(directory, { recursive: true, force: true });
  });

  const check = async (app: string, user: string, quotas?: Record<string, { amount: number; bestEffort?: boolean }>) =>
    (await mixer.check({ attributes: { 'destination.labels': { app }, 'request.headers': { 'x-user': user }, 'destination.service.host': 'shop.default.svc' }, ...(quotas === undefined ? {} : { quotas }) })).body;

  test('the example third-party adapter decides checks out of process, with its params from the handler', async () => {
    const denied = (await check('shop', 'alice@example.com')).precondition;
    assert.equal(denied.status.code, 7, JSON.stringify(denied));
    assert.match(denied.status.message ?? '', new RegExp(`^hours\\.handler\\.istio-system:shop\\.default\\.svc is closed: open ${closedToday}`));
    assert.equal(denied.validUseCount, 42);
    const exempt = (await check('shop', 'oncall@example.com')).precondition;
    assert.equal(exempt.status.code, 0);
    assert.equal(exempt.validUseCount, 42);
    // The adapter's own metrics, from its process (mixer adapter serve --monitoring-port).
    assert.ok(hours.metricsUrl !== undefined);
    const scraped = await (await fetch(hours.metricsUrl)).text();
    assert.match(scraped, /mixer_adapter_business_hours_denials_total\{[^}]*adapter="business-hours"[^}]*\} 1\n/);
  });

  test('a remote that hangs past connection.timeout is DEADLINE_EXCEEDED, not cacheable (fail closed)', async () => {
    const slow = (await check('slow', 'bob')).precondition;
    assert.equal(slow.status.code, 4, JSON.stringify(slow));
    assert.match(slow.status.message ?? '', /^hanging\.handler\.istio-system:out-of-process adapter at .* did not answer within 300 ms/);
    // The message names connection.timeout's 300 ms: the dispatcher's own 5 s handler timeout would say "handler timed out after 5000 ms".
    assert.equal(slow.validUseCount, 0);
  });

  test('a remote that is down is UNAVAILABLE; Report still succeeds', async () => {
    const gone = (await check('gone', 'bob')).precondition;
    assert.equal(gone.status.code, 14, JSON.stringify(gone));
    assert.match(gone.status.message ?? '', /^gone\.handler\.istio-system:out-of-process adapter at 127\.0\.0\.1:\d+ is unavailable/);
    const reported = await mixer.report([{ 'context.protocol': 'tcp', 'request.size': 1 }]);
    assert.equal(reported.status, 200);
    const metrics = await (await fetch(`${mixer.monitoringUrl}/metrics`)).text();
    const failures = (variety: string, outcome: string) =>
      new RegExp(`mixer_dispatch_failures_total\\{handler="gone\\.handler\\.istio-system",adapter="recording",variety="${variety}",outcome="${outcome}"\\} [1-9]`);
    assert.match(metrics, failures('check', 'error'));
    assert.match(metrics, failures('report', 'error'));
  });

  test('a metric adapter out of process receives the Report instances with their values', async () => {
    const reported = await mixer.report([
      { 'context.protocol': 'http', 'source.name': 'productpage', 'response.code': 503, 'request.size': 1234, 'response.duration': '15ms', 'source.ip': '10.0.0.7' },
      { 'context.protocol': 'http', 'request.size': 5 },
      { 'context.protocol': 'grpc', 'request.size': 99 },
    ]);
    assert.equal(reported.status, 200, JSON.stringify(reported.body));
    const lines = (await readFile(recordFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { method: string; instance: Record<string, unknown> });
    const metrics = lines.filter((line) => line.method === 'metric');
    assert.deepEqual(
      metrics.map((line) => line.instance),
      [
        {
          name: 'requestcount.instance.istio-system',
          value: 1234,
          dimensions: { source: 'productpage', code: 503, latency: '15ms', peer: '10.0.0.7', ratio: 0.25 },
          monitoredResourceType: 'UNSPECIFIED',
          monitoredResourceDimensions: {},
        },
        {
          name: 'requestcount.instance.istio-system',
          value: 5,
          dimensions: { source: 'unknown', code: 200, latency: '0s', peer: '0.0.0.0', ratio: 0.25 },
          monitoredResourceType: 'UNSPECIFIED',
          monitoredResourceDimensions: {},
        },
      ],
    );
  });

  test('changed params reach the remote adapter on the next config (a new adapter_config, a new handler there)', async () => {
    const before = Number((await mixer.get('/readyz')).body['snapshot']);
    await mixer.writeConfig(
      'hours.yaml',
      [
        remoteHandler('hours', 'business-hours', hours.address, '2s', `  days: [ ${closedToday} ]\n  exempt_users: [ oncall@example.com, alice@example.com ]\n  valid_use_count: 43`),
        resource('instance', 'caller', 'compiledTemplate: authorization\nparams:\n  subject:\n    user: request.headers["x-user"] | ""\n  action:\n    service: destination.service.host | ""'),
        resource('rule', 'hours', 'match: destination.labels["app"] == "shop"\nactions:\n- handler: hours\n  instances: [ caller ]'),
      ].join(''),
    );
    await eventually(async () => Number((await mixer.get('/readyz')).body['snapshot']) > before, 5000, 'the new config');
    const alice = (await check('shop', 'alice@example.com')).precondition;
    assert.equal(alice.status.code, 0, JSON.stringify(alice));
    assert.equal(alice.validUseCount, 43);
    assert.equal((await check('shop', 'bob@example.com')).precondition.status.code, 7);
  });

  test('a quota adapter out of process answers the allocation', async () => {
    const body = await check('limited', 'carol', { rq: { amount: 5, bestEffort: true } });
    assert.equal(body.precondition.status.code, 0);
    assert.equal(body.quotas?.['rq']?.grantedAmount, '2');
    const recorded = (await readFile(recordFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { method: string; instance: Record<string, unknown> });
    assert.deepEqual(recorded.filter((line) => line.method === 'quota').map((line) => line.instance), [{ name: 'rq.instance.istio-system', dimensions: { user: 'carol' } }]);
  });
});

describe('mixer adapter serve: bad input', () => {
  const run = (args: readonly string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [distPath('core', 'cli', 'bin.js'), 'adapter', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });

  test('a missing or wrong argument, or a module that is not an adapter, is a usage error (exit 2) saying what to fix', async () => {
    const [noAction, noModule, badPort, notAdapter, missing, help] = await Promise.all([
      run([]),
      run(['serve']),
      run(['serve', distPath('examples', 'third-party-adapter', 'index.js'), '--port', 'http']),
      run(['serve', distPath('core', 'oop', 'template-wire.js')]),
      run(['serve', './no/such/adapter.js']),
      run(['--help']),
    ]);
    assert.equal(noAction.code, 2, noAction.stderr);
    assert.match(noAction.stderr, /missing action: serve/);
    assert.equal(noModule.code, 2, noModule.stderr);
    assert.match(noModule.stderr, /missing MODULE/);
    assert.equal(badPort.code, 2, badPort.stderr);
    assert.match(badPort.stderr, /--port http: expected a port number/);
    assert.equal(notAdapter.code, 2, notAdapter.stderr);
    assert.match(notAdapter.stderr, /must export the result of defineAdapter\(\)/);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /cannot import it/);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: mixer adapter serve MODULE/);
  });
});
