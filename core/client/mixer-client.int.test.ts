import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DictBag } from '../attribute/dict-bag.js';
import { StringMap } from '../attribute/string-map.js';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS, rpcStatus } from '../status/rpc-status.js';
import { eventually, resource, startMixer, type RunningMixer } from '../../test/support/mixer-harness.js';
import type { ServerOptions } from '../server/server-options.js';
import { GrpcMixerTransport } from '../grpc/grpc-mixer-transport.js';
import { HttpMixerTransport } from './http-transport.js';
import { MixerClient } from './mixer-client.js';
import type { TunableClientOptions } from './client-options.js';
import type { MixerTransport } from './transport.js';

// The client against a REAL Mixer server started in-process, over each transport: real config,
// real adapters (listchecker, memquota, stdio), real clock.

interface TransportCase {
  readonly name: string;
  make(mixer: RunningMixer): MixerTransport;
  /** Server options that bring a restarted Mixer back where this transport connects. */
  samePort(mixer: RunningMixer): Partial<ServerOptions>;
}

const TRANSPORTS: readonly TransportCase[] = [
  { name: 'HTTP', make: (mixer) => new HttpMixerTransport({ url: mixer.url }), samePort: (mixer) => ({ httpPort: Number(new URL(mixer.url).port) }) },
  {
    name: 'gRPC',
    make: (mixer) => new GrpcMixerTransport({ target: mixer.grpcAddress }),
    samePort: (mixer) => ({ grpcPort: Number(mixer.grpcAddress.split(':').pop()) }),
  },
];

const POLICY = [
  resource('handler', 'callers', 'compiledAdapter: listchecker\nparams:\n  overrides: ["productpage"]\n  entryType: STRINGS\n  blacklist: false'),
  resource('instance', 'caller', 'compiledTemplate: listentry\nparams:\n  value: source.labels["app"] | "unknown"'),
  resource('rule', 'detailscallers', 'match: destination.labels["app"] == "details"\nactions:\n- handler: callers\n  instances: [ caller ]'),
  resource(
    'handler',
    'quotahandler',
    'compiledAdapter: memquota\nparams:\n  quotas:\n  - name: requestcount.instance.istio-system\n    maxAmount: 5\n    validDuration: 60s',
  ),
  resource('instance', 'requestcount', 'compiledTemplate: quota\nparams:\n  dimensions:\n    destination: destination.labels["app"] | "unknown"'),
  resource('rule', 'quota', 'match: destination.labels["app"] == "reviews"\nactions:\n- handler: quotahandler\n  instances: [ requestcount ]'),
].join('');

function telemetry(logFile: string): string {
  return [
    resource('handler', 'filelog', `compiledAdapter: stdio\nparams:\n  logStream: FILE\n  outputPath: ${logFile}\n  outputAsJson: true`),
    resource('instance', 'accesslog', 'compiledTemplate: logentry\nparams:\n  severity: \'"Info"\'\n  variables:\n    path: request.path | "/"'),
    resource('rule', 'telemetry', 'match: context.protocol == "http"\nactions:\n- handler: filelog\n  instances: [ accesslog ]'),
  ].join('');
}

function request(values: Record<string, string | Record<string, string>>): DictBag {
  return new DictBag(Object.entries(values).map(([name, value]) => [name, typeof value === 'string' ? value : StringMap.fromObject(value)]));
}

/** Check calls Mixer answered, from its own /metrics. */
async function serverChecks(mixer: RunningMixer): Promise<number> {
  const text = await (await fetch(`${mixer.monitoringUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('mixer_check_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function logPaths(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => String((JSON.parse(line) as { path?: unknown }).path));
}

for (const transport of TRANSPORTS) {
  const clientFor = (mixer: RunningMixer, options: TunableClientOptions = {}): MixerClient => new MixerClient({ ...options, transport: transport.make(mixer) });

  describe(`MixerClient against a real Mixer (${transport.name})`, () => {
    let mixer: RunningMixer;
    let logDirectory: string;
    let logFile: string;
    before(async () => {
      logDirectory = await mkdtemp(join(tmpdir(), 'mixer-client-'));
      logFile = join(logDirectory, 'access.log');
      mixer = await startMixer({ 'policy.yaml': POLICY, 'telemetry.yaml': telemetry(logFile) });
    });
    after(async () => {
      await mixer.close();
      await rm(logDirectory, { recursive: true, force: true });
    });

    test('a whitelisted call is cached, then served from the cache; a referenced change goes to Mixer', async () => {
      const client = clientFor(mixer);
      const before = await serverChecks(mixer);
      const base = { 'destination.labels': { app: 'details' }, 'source.labels': { app: 'productpage' } };
      const first = await client.check(request({ ...base, 'request.path': '/a' }));
      const second = await client.check(request({ ...base, 'request.path': '/b' }));
      assert.deepEqual(first.status, OK_STATUS);
      assert.equal(first.checkCacheHit, false);
      assert.deepEqual(second.status, OK_STATUS);
      assert.equal(second.checkCacheHit, true, 'request.path is not referenced by the policy');
      assert.equal(await serverChecks(mixer), before + 1);
      const other = await client.check(request({ ...base, 'source.labels': { app: 'reviews' } }));
      assert.deepEqual(other.status, rpcStatus(RpcCode.PERMISSION_DENIED, 'callers.handler.istio-system:reviews is not whitelisted'));
      assert.equal(other.checkCacheHit, false);
      const again = await client.check(request({ ...base, 'source.labels': { app: 'reviews' } }));
      assert.equal(again.checkCacheHit, true, 'the denial is cached too');
      assert.equal(again.status.code, RpcCode.PERMISSION_DENIED);
      assert.equal(await serverChecks(mixer), before + 2);
      await client.close();
    });

    test('a quota rate limit is exhausted through prefetch: exactly the limit passes', async () => {
      const client = clientFor(mixer);
      const before = await serverChecks(mixer);
      const results: string[] = [];
      for (let index = 0; index < 9; index++) {
        const decision = await client.check(request({ 'destination.labels': { app: 'reviews' }, 'request.path': `/${index}` }), { requestcount: 1 });
        results.push(decision.status.code === RpcCode.OK ? 'ok' : decision.status.message);
        await client.whenIdle(); // let each background prefetch land, so the count is exact
      }
      const exhausted = 'Quota is exhausted for: requestcount';
      assert.deepEqual(results, ['ok', 'ok', 'ok', 'ok', 'ok', exhausted, exhausted, exhausted, exhausted]);
      const remote = (await serverChecks(mixer)) - before;
      assert.ok(remote < 9, `the quota cache answered locally (${remote} calls reached Mixer for 9 requests)`);
      assert.ok(client.statistics().prefetchCalls >= 1);
      await client.close();
    });

    test('reports arrive at the stdio file, batched', async () => {
      const client = clientFor(mixer, { report: { maxBatchEntries: 2 } });
      for (const path of ['/r1', '/r2', '/r3']) client.report(request({ 'context.protocol': 'http', 'request.path': path }));
      await client.close(); // flushes the last, partial batch
      assert.equal(client.statistics().report.batchesSent, 2);
      await eventually(async () => (await logPaths(logFile)).filter((path) => path.startsWith('/r')).length === 3, 5000, 'three log lines');
      assert.deepEqual((await logPaths(logFile)).filter((path) => path.startsWith('/r')).sort(), ['/r1', '/r2', '/r3']);
    });
  });

  describe(`MixerClient when Mixer goes away (${transport.name})`, () => {
    let logDirectory: string;
    before(async () => {
      logDirectory = await mkdtemp(join(tmpdir(), 'mixer-client-down-'));
    });
    after(() => rm(logDirectory, { recursive: true, force: true }));

    test('Mixer stopped mid-run: fail-open allows, fail-close denies UNAVAILABLE, cached answers keep serving', async () => {
      const mixer = await startMixer({ 'policy.yaml': POLICY });
      const open = clientFor(mixer, { checkCache: { maxEntries: 0 } });
      const close = clientFor(mixer, { failPolicy: { failOpen: false } });
      const details = request({ 'destination.labels': { app: 'details' }, 'source.labels': { app: 'productpage' } });
      const other = request({ 'destination.labels': { app: 'ratings' } });
      assert.deepEqual((await open.check(details)).status, OK_STATUS);
      assert.deepEqual((await close.check(details)).status, OK_STATUS);
      await mixer.close();

      const allowed = await open.check(details);
      assert.deepEqual(allowed.status, OK_STATUS);
      assert.equal(allowed.transportError?.rpcCode, RpcCode.UNAVAILABLE);
      const denied = await close.check(other);
      assert.equal(denied.status.code, RpcCode.UNAVAILABLE);
      const cached = await close.check(details);
      assert.deepEqual(cached.status, OK_STATUS);
      assert.equal(cached.checkCacheHit, true);
      await Promise.all([open.close(), close.close()]);
    });

    test('reports are buffered across a short Mixer restart, then delivered', async () => {
      const logFile = join(logDirectory, 'restart.log');
      const files = { 'telemetry.yaml': telemetry(logFile) };
      let mixer = await startMixer(files);
      const samePort = transport.samePort(mixer);
      const client = clientFor(mixer, { report: { maxBatchEntries: 1, baseRetryMs: 20, maxRetryMs: 200, maxRetries: 100 } });
      const report = (path: string) => client.report(request({ 'context.protocol': 'http', 'request.path': path }));

      report('/before');
      await eventually(async () => (await logPaths(logFile)).includes('/before'), 5000, 'the first report');
      await mixer.close();

      report('/during-1');
      report('/during-2');
      await eventually(() => client.statistics().report.batchFailures > 0, 5000, 'a failed Report');
      assert.equal(client.statistics().report.buffered, 2);

      mixer = await startMixer(files, samePort);
      try {
        await eventually(async () => (await logPaths(logFile)).length === 3, 10_000, 'the buffered reports');
        assert.deepEqual((await logPaths(logFile)).sort(), ['/before', '/during-1', '/during-2']);
        assert.equal(client.statistics().report.dropped, 0);
      } finally {
        await client.close();
        await mixer.close();
      }
    });
  });
}
