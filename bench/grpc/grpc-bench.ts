import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestBagFromJson } from '../../core/attribute/convert.js';
import { DictBag } from '../../core/attribute/dict-bag.js';
import { AttributeManifest } from '../../core/attribute/manifest.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { MixerClient } from '../../core/client/index.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import { encodeCheckRequest } from '../../core/grpc/check-request-codec.js';
import { GLOBAL_WORD_COUNT } from '../../core/grpc/global-dictionary.js';
import { GrpcMixerTransport } from '../../core/grpc/grpc-mixer-transport.js';
import { BENCH_REQUEST, twentyRuleConfig } from '../check/twenty-rules.js';
import { startNodeProcessMatching, stopProcess } from '../child-process.js';
import { printBench, type BenchOptions } from '../harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', '..', 'core', 'cli', 'bin.js');

interface LoadResult {
  readonly calls: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Runs the load generator in its own process against one target. */
function load(target: string, payload: Buffer, concurrency: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, 'grpc-load.js'), target, '/istio.mixer.v1.Mixer/Check', payload.toString('base64'), String(concurrency), String(seconds)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`load generator failed: ${output}`));
      else resolve(JSON.parse(output) as LoadResult);
    });
  });
}

/**
 * Check over gRPC without cache against a bare grpc-js echo (the ceiling), load from a
 * separate process; Check through the client library with a 95% cache-hit mix; Report
 * attribute sets per second through the client's batcher.
 */
export async function runGrpcBench(options: BenchOptions): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'mixer-grpc-bench-'));
  await writeFile(join(directory, 'rules.yaml'), twentyRuleConfig());
  const seconds = options.quick ? 1 : 8;
  const levels = options.quick ? [16] : [1, 16, 64];
  const manifest = AttributeManifest.standard();
  const bag = requestBagFromJson(BENCH_REQUEST.attributes, manifest);
  const payload = encodeCheckRequest({ attributes: bag, quotas: new Map(), deduplicationId: '' }, manifest, GLOBAL_WORD_COUNT);

  const [echo, mixer] = await Promise.all([
    startNodeProcessMatching([join(HERE, 'echo-server.js')], /grpc:\/\/([\d.:]+)/),
    startNodeProcessMatching(
      [BIN, 'server', '--config', directory, '--grpc-port', '0', '--http-port', '0', '--monitoring-port', '0', '--log-level', 'error', '--no-watch'],
      /gRPC\s+grpc:\/\/([\d.:]+)/,
    ),
  ]);
  let uncached = 0;
  try {
    // The server must answer correctly before its speed means anything.
    const probe = new GrpcMixerTransport({ target: mixer.ready[1]! });
    const answer = await probe.check({ attributes: bag, quotas: new Map(), deduplicationId: '' });
    await probe.close();
    if (answer.precondition?.status.code !== RpcCode.OK || answer.precondition.routeDirective === undefined) {
      throw new Error(`the bench request should be allowed with a header operation: ${JSON.stringify(answer.precondition)}`);
    }
    for (const connections of levels) {
      const ceiling = await load(echo.ready[1]!, payload, connections, seconds);
      const check = await load(mixer.ready[1]!, payload, connections, seconds);
      if (ceiling.errors > 0 || check.errors > 0) throw new Error(`errors under load: check ${check.errors}, echo ${ceiling.errors}`);
      printBench(`grpc.c${connections}.echo_ceiling`, ceiling.perSecond, 'calls/s');
      printBench(`grpc.c${connections}.check`, check.perSecond, 'calls/s');
      printBench(`grpc.c${connections}.check_vs_echo`, check.perSecond / ceiling.perSecond, 'ratio');
      printBench(`grpc.c${connections}.check_p50`, check.p50Ms, 'ms');
      printBench(`grpc.c${connections}.check_p99`, check.p99Ms, 'ms');
      printBench(`grpc.c${connections}.echo_p99`, ceiling.p99Ms, 'ms');
      if (connections === 16) uncached = check.perSecond;
    }
    if (uncached === 0) uncached = (await load(mixer.ready[1]!, payload, 16, seconds)).perSecond;

    // Through the client: 95% of checks repeat one of 20 request shapes already cached; 5% carry a
    // new request.path, which a rule reads, so they miss and go to Mixer. 320 checks are in
    // flight, so that the misses alone keep as many calls in flight (16) as the uncached run.
    const client = new MixerClient({ transport: new GrpcMixerTransport({ target: mixer.ready[1]! }) });
    const repeated = Array.from({ length: 20 }, (_, index) => withPath(bag, `/details/${index}`));
    for (const request of repeated) await client.check(request);
    const count = options.quick ? 40_000 : 200_000;
    let misses = 0;
    const started = performance.now();
    const inFlight = 320;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const index = next++;
        const decision = await client.check(index % 20 === 19 ? withPath(bag, `/details/new-${index}`) : repeated[index % 20]!);
        if (!decision.checkCacheHit) misses++;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const cachedRate = count / ((performance.now() - started) / 1000);
    printBench('grpc.client_95pct_hits.checks', cachedRate, 'checks/s');
    printBench('grpc.client_95pct_hits.vs_uncached_c16', cachedRate / uncached, 'ratio');
    printBench('grpc.client_95pct_hits.hit_ratio', 1 - misses / count, 'ratio');

    // Reports through the client's batcher (100 per batch, INDEPENDENT encoding).
    // Offered in bursts of 5000 (half the client's default buffer), each sent before the next.
    const reports = options.quick ? 50_000 : 200_000;
    const reportStarted = performance.now();
    for (let sent = 0; sent < reports; sent += 5000) {
      for (let index = 0; index < 5000; index++) client.report(bag);
      await client.whenIdle();
    }
    const reportRate = reports / ((performance.now() - reportStarted) / 1000);
    const delivered = client.statistics().report;
    printBench('grpc.client_reports.attribute_sets', reportRate, 'sets/s');
    await client.close();
    if (delivered.dropped > 0) throw new Error(`reports were dropped: ${JSON.stringify(delivered)}`);
  } finally {
    await Promise.all([stopProcess(echo.child), stopProcess(mixer.child)]);
    await rm(directory, { recursive: true, force: true });
  }
}

function withPath(base: DictBag, path: string): DictBag {
  const entries = base.names().map((name) => [name, base.get(name)!] as const);
  return new DictBag([
    ...entries.filter(([name]) => name !== 'request.path' && name !== 'request.headers'),
    ['request.path', path],
    ['request.headers', StringMap.fromObject({ ...(base.get('request.headers') as StringMap).toObject(), ':path': path })],
  ]);
}
