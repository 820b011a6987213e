import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisServer, redisServerBinary } from '../../test/support/redis-server.js';
import { postJsonLoad, type HttpLoadResult } from '../http-load.js';
import { printBench, type BenchOptions } from '../harness.js';
import { metricValue, startMixerProcess, type MixerProcess } from './mixer-process.js';
import { QUOTA_BENCH_REQUEST, quotaBenchConfig, type QuotaBackend } from './quota-config.js';

const ECHO_SERVER = join(dirname(fileURLToPath(import.meta.url)), '..', 'check', 'echo-server.js');

const BACKENDS: readonly QuotaBackend[] = ['memquota', 'redisquota_fixed', 'redisquota_rolling'];

function load(url: string, connections: number, seconds: number): Promise<HttpLoadResult> {
  return postJsonLoad(url, QUOTA_BENCH_REQUEST, connections, seconds);
}

/** One Check must be granted before a figure means anything. */
async function probe(mixer: MixerProcess, backend: QuotaBackend): Promise<void> {
  const response = await fetch(`${mixer.url}/v1/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(QUOTA_BENCH_REQUEST) });
  const body = (await response.json()) as { quotas?: Record<string, { grantedAmount?: string; status?: { code?: number } }> };
  const quota = body.quotas?.['requestcount'];
  if (quota?.grantedAmount !== '1') throw new Error(`${backend}: the bench request should be granted 1 unit: ${JSON.stringify(body)}`);
}

function average(results: readonly HttpLoadResult[]): HttpLoadResult {
  const mean = (pick: (result: HttpLoadResult) => number): number => results.reduce((sum, result) => sum + pick(result), 0) / results.length;
  return {
    requestsPerSecond: mean((result) => result.requestsPerSecond),
    requests: mean((result) => result.requests),
    averageMs: mean((result) => result.averageMs),
    p50Ms: mean((result) => result.p50Ms),
    p99Ms: Math.max(...results.map((result) => result.p99Ms)),
    errors: mean((result) => result.errors),
  };
}

/** Every redisquota allocation so far must have been granted (none UNAVAILABLE), or the figures mean nothing. */
async function verifyGranted(mixers: ReadonlyMap<QuotaBackend, MixerProcess>): Promise<void> {
  for (const [backend, mixer] of mixers) {
    if (backend === 'memquota') continue;
    const failed = await metricValue(mixer.metricsUrl, /^mixer_redisquota_allocations_total\{.*outcome="(unavailable|error|exhausted)"/);
    const granted = await metricValue(mixer.metricsUrl, /^mixer_redisquota_allocations_total\{.*outcome="granted"/);
    if (failed > 0 || granted === 0) throw new Error(`${backend}: ${failed} allocations were not granted (${granted} granted): the figures are void`);
  }
}

interface EchoServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** The check bench's bare fastify echo route (bench/check/echo-server.ts) in its own process: the HTTP ceiling. */
function startEchoServer(): Promise<EchoServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ECHO_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const url = /(http:\/\/[\d.:]+)/.exec(output)?.[1];
      if (url === undefined) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      child.removeAllListeners('exit');
      const stop = async (): Promise<void> => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      };
      resolve({ url, stop });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`echo server exited with ${String(code)}`)));
  });
}

/**
 * Checks per second through the HTTP Check API with a quota asked for in every Check: one Mixer
 * process per backend (memquota, redisquota FIXED_WINDOW, redisquota ROLLING_WINDOW against one
 * redis-server), loaded in turn by autocannon from this process, and the bare fastify echo
 * route of the check bench with the same body (the HTTP ceiling). The ratio to memquota says
 * what sharing the quota through Redis costs (goal: at least 0.5). For redisquota, the handler's own
 * metrics must show every allocation granted (none UNAVAILABLE), so a failing Redis cannot pass
 * for a fast one.
 */
export async function runQuotaBench(options: BenchOptions): Promise<void> {
  if (redisServerBinary() === undefined) throw new Error('the quota bench needs redis-server (set REDIS_SERVER or install it)');
  const seconds = options.quick ? 1 : 8;
  const levels = options.quick ? [16] : [16, 64];
  const redis = await RedisServer.start();
  const directory = await mkdtemp(join(tmpdir(), 'mixer-quota-bench-'));
  const mixers = new Map<QuotaBackend, MixerProcess>();
  let echo: EchoServer | undefined;
  try {
    await Promise.all(
      BACKENDS.map(async (backend) => {
        const configDir = join(directory, backend);
        await mkdir(configDir);
        await writeFile(join(configDir, 'quota.yaml'), quotaBenchConfig(backend, redis.address));
        mixers.set(backend, await startMixerProcess(configDir));
      }),
    );
    for (const backend of BACKENDS) {
      const mixer = mixers.get(backend)!;
      await probe(mixer, backend);
      await load(`${mixer.url}/v1/check`, 16, options.quick ? 0.5 : 1); // warm-up
    }
    echo = await startEchoServer();
    await load(`${echo.url}/echo`, 16, options.quick ? 0.5 : 1);
    for (const connections of levels) {
      // Each backend runs twice, in mirrored order (A B C C B A), and the runs are averaged, so a
      // drift in the machine's load (others share it) weighs on every backend alike. A quick run
      // goes through them once.
      const runs = new Map<QuotaBackend, HttpLoadResult[]>();
      for (const backend of options.quick ? BACKENDS : [...BACKENDS, ...[...BACKENDS].reverse()]) {
        const result = await load(`${mixers.get(backend)!.url}/v1/check`, connections, seconds);
        if (result.errors > 0) throw new Error(`${backend}: ${result.errors} errors under load`);
        runs.set(backend, [...(runs.get(backend) ?? []), result]);
      }
      const results = new Map<QuotaBackend, HttpLoadResult>([...runs].map(([backend, pair]) => [backend, average(pair)]));
      await verifyGranted(mixers);
      const ceiling = await load(`${echo.url}/echo`, connections, seconds);
      printBench(`quota.http.c${connections}.echo_ceiling`, ceiling.requestsPerSecond, 'req/s');
      const memquota = results.get('memquota')!;
      for (const backend of BACKENDS) {
        const result = results.get(backend)!;
        printBench(`quota.http.c${connections}.${backend}`, result.requestsPerSecond, 'req/s');
        printBench(`quota.http.c${connections}.${backend}_avg_latency`, result.averageMs, 'ms');
        printBench(`quota.http.c${connections}.${backend}_p99`, result.p99Ms, 'ms');
        if (backend !== 'memquota') printBench(`quota.http.c${connections}.${backend}_vs_memquota`, result.requestsPerSecond / memquota.requestsPerSecond, 'ratio');
        printBench(`quota.http.c${connections}.${backend}_vs_echo`, result.requestsPerSecond / ceiling.requestsPerSecond, 'ratio');
      }
    }
  } finally {
    await Promise.all([...mixers.values()].map((mixer) => mixer.stop()));
    await echo?.stop();
    await redis.stop();
    await rm(directory, { recursive: true, force: true });
  }
}
