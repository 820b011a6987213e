import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import { requestBagFromJson } from '../../core/attribute/convert.js';
import { ConfigStore } from '../../core/config/config-store.js';
import { Dispatcher } from '../../core/runtime/dispatcher.js';
import { MixerRuntime } from '../../core/runtime/mixer-runtime.js';
import { startNodeProcessMatching, stopProcess } from '../child-process.js';
import { postJsonLoad, type HttpLoadResult } from '../http-load.js';
import { printBench, type BenchOptions } from '../harness.js';
import { BENCH_REQUEST, twentyRuleConfig } from './twenty-rules.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', '..', 'core', 'cli', 'bin.js');

function load(url: string, connections: number, seconds: number): Promise<HttpLoadResult> {
  return postJsonLoad(url, BENCH_REQUEST, connections, seconds);
}

/**
 * Check throughput through the HTTP API for a 20-rule config (no cache), beside a bare fastify
 * echo route measured in the same run (the ceiling); then the in-process dispatcher alone,
 * beside a bare async call.
 */
export async function runCheckBench(options: BenchOptions): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'mixer-bench-'));
  await writeFile(join(directory, 'rules.yaml'), twentyRuleConfig());
  const seconds = options.quick ? 1 : 10;
  const levels = options.quick ? [16] : [1, 16, 64];
  const [echo, mixer] = await Promise.all([
    startNodeProcessMatching([join(HERE, 'echo-server.js')], /(http:\/\/[\d.:]+)/),
    startNodeProcessMatching(
      [BIN, 'server', '--config', directory, '--http-port', '0', '--grpc-port', '0', '--monitoring-port', '0', '--log-level', 'error', '--no-watch'],
      /API\s+(http:\/\/[\d.:]+)\/v1\/check/,
    ),
  ]);
  try {
    // Both must answer correctly before their speed means anything.
    const probe = (await (await fetch(`${mixer.ready[1]!}/v1/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BENCH_REQUEST) })).json()) as {
      precondition: { status: { code: number }; routeDirective?: unknown };
    };
    if (probe.precondition.status.code !== 0 || probe.precondition.routeDirective === undefined) {
      throw new Error(`the bench request should be allowed with a header operation: ${JSON.stringify(probe)}`);
    }
    await load(`${mixer.ready[1]!}/v1/check`, 16, options.quick ? 0.5 : 1); // warm-up
    await load(`${echo.ready[1]!}/echo`, 16, options.quick ? 0.5 : 1);
    for (const connections of levels) {
      const ceiling = await load(`${echo.ready[1]!}/echo`, connections, seconds);
      const check = await load(`${mixer.ready[1]!}/v1/check`, connections, seconds);
      if (check.errors > 0 || ceiling.errors > 0) throw new Error(`errors under load: check ${check.errors}, echo ${ceiling.errors}`);
      printBench(`check.http.c${connections}.echo_ceiling`, ceiling.requestsPerSecond, 'req/s');
      printBench(`check.http.c${connections}.check`, check.requestsPerSecond, 'req/s');
      printBench(`check.http.c${connections}.check_vs_echo`, check.requestsPerSecond / ceiling.requestsPerSecond, 'ratio');
      printBench(`check.http.c${connections}.check_avg_latency`, check.averageMs, 'ms');
      printBench(`check.http.c${connections}.echo_avg_latency`, ceiling.averageMs, 'ms');
      printBench(`check.http.c${connections}.check_p50`, check.p50Ms, 'ms');
      printBench(`check.http.c${connections}.check_p99`, check.p99Ms, 'ms');
      printBench(`check.http.c${connections}.echo_p99`, ceiling.p99Ms, 'ms');
    }
  } finally {
    await Promise.all([stopProcess(echo.child), stopProcess(mixer.child)]);
  }

  // In-process: the dispatcher alone, no HTTP, no JSON.
  const logger = pino({ level: 'silent' });
  const runtime = new MixerRuntime({ logger });
  const snapshot = await new ConfigStore(directory, { adapters: BUILT_IN_ADAPTERS.map((adapter) => adapter.info) }).load();
  if (snapshot.errors.length > 0) throw new Error(`bench config has errors: ${JSON.stringify(snapshot.errors)}`);
  await runtime.apply(snapshot);
  const dispatcher = new Dispatcher(runtime, { logger });
  const bag = requestBagFromJson(BENCH_REQUEST.attributes, snapshot.manifest);
  const count = options.quick ? 100_000 : 500_000;
  const bare = (): Promise<number> => Promise.resolve(0);
  for (let index = 0; index < 20_000; index++) await dispatcher.check(bag);
  let started = process.hrtime.bigint();
  for (let index = 0; index < count; index++) await bare();
  const bareRate = count / (Number(process.hrtime.bigint() - started) / 1e9);
  started = process.hrtime.bigint();
  for (let index = 0; index < count; index++) await dispatcher.check(bag);
  const dispatchRate = count / (Number(process.hrtime.bigint() - started) / 1e9);
  printBench('check.dispatch.bare_async_ceiling', bareRate, 'calls/s');
  printBench('check.dispatch.checks', dispatchRate, 'checks/s');
  dispatcher.close();
  await runtime.close();
  await rm(directory, { recursive: true, force: true });
}
