import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import { requestBagFromJson } from '../../core/attribute/convert.js';
import type { AttributeManifest } from '../../core/attribute/manifest.js';
import { ConfigStore } from '../../core/config/config-store.js';
import { GLOBAL_WORD_COUNT } from '../../core/grpc/global-dictionary.js';
import { reportBags } from '../../core/grpc/report-bags.js';
import { decodeReportRequest, encodeReportRequests, ReportEncoding } from '../../core/grpc/report-request-codec.js';
import { distPath, startAdapterProcess, type AdapterProcess } from '../../core/oop/testing/adapter-process.js';
import { Dispatcher } from '../../core/runtime/dispatcher.js';
import { MixerRuntime } from '../../core/runtime/mixer-runtime.js';
import { printBench, type BenchOptions } from '../harness.js';
import { cpuSecondsOf, runGrpcReport } from './grpc-report-variant.js';
import { attributeSet, instancesPerSet, reportConfig, type ReportBackend } from './report-config.js';

/** Attribute sets per ReportRequest: Envoy batches reports, so Mixer ingests them in batches. */
const BATCH = 100;
/** Report calls in flight at once (several proxies reporting). */
const CONCURRENCY = 4;
/** Distinct pre-encoded requests cycled through. */
const DISTINCT_REQUESTS = 16;

interface Variant {
  readonly name: string;
  readonly backends: readonly ReportBackend[];
}

interface Measured {
  readonly setsPerSecond: number;
  /** Attribute sets per CPU-second of the Mixer process: the per-core rate. */
  readonly setsPerCpuSecond: number;
  /** Per CPU-second of Mixer plus the out-of-process adapter (when there is one). */
  readonly setsPerCpuSecondWithAdapter: number | undefined;
}

/**
 * Report ingest: attribute sets per second through the gRPC Report API's work (decode the
 * compressed ReportRequest, build the bags, dispatch; no socket), in batches of 100 sets with 4
 * calls in flight, for Istio's default telemetry instances sent to stdio (a file, /dev/null),
 * prometheus, both, and an out-of-process metric adapter (`mixer adapter serve`). The ceiling
 * is the same path with no rule at all. Then stdio + prometheus through the real gRPC Report API
 * (`mixer server` in its own process, loaded from another). Per-core figures divide by the CPU
 * time the Mixer process (and, for out of process, the adapter process) used.
 */
export async function runReportBench(options: BenchOptions): Promise<void> {
  const seconds = options.quick ? 0.8 : 5;
  const hasPrometheus = BUILT_IN_ADAPTERS.some((module) => module.info.name === 'prometheus');
  const variants: Variant[] = [
    { name: 'ceiling_no_rules', backends: ['none'] },
    { name: 'stdio', backends: ['stdio'] },
    ...(hasPrometheus
      ? [
          { name: 'prometheus', backends: ['prometheus'] as ReportBackend[] },
          { name: 'stdio_prometheus', backends: ['stdio', 'prometheus'] as ReportBackend[] },
        ]
      : []),
    { name: 'oop_metric', backends: ['oop'] },
  ];
  if (!hasPrometheus) process.stderr.write('# report: the prometheus adapter is not in adapters/inventory.ts; its variants are skipped\n');
  process.stdout.write(`# report: ${availableParallelism()} CPUs; batches of ${BATCH} attribute sets, ${CONCURRENCY} in flight, ${seconds}s per variant\n`);

  const adapterProcess: AdapterProcess = await startAdapterProcess(distPath('bench', 'report', 'null-metric-adapter.js'));
  let ceiling: number | undefined;
  try {
    for (const variant of variants) {
      const result = await measureVariant(variant, adapterProcess, seconds);
      ceiling ??= result.setsPerSecond;
      printBench(`report.${variant.name}.sets_per_s`, result.setsPerSecond, 'sets/s');
      printBench(`report.${variant.name}.sets_per_core`, result.setsPerCpuSecond, 'sets/cpu-s');
      if (result.setsPerCpuSecondWithAdapter !== undefined) printBench(`report.${variant.name}.sets_per_core_incl_adapter`, result.setsPerCpuSecondWithAdapter, 'sets/cpu-s');
      if (variant.backends[0] !== 'none') printBench(`report.${variant.name}.vs_ceiling`, result.setsPerSecond / ceiling, 'ratio');
    }
  } finally {
    await adapterProcess.stop();
  }

  // The same work through the real gRPC Report API: a `mixer server` process, a load generator in another.
  const backends: ReportBackend[] = hasPrometheus ? ['stdio', 'prometheus'] : ['stdio'];
  const name = `grpc_api_${backends.join('_')}`;
  const directory = await mkdtemp(join(tmpdir(), 'mixer-report-bench-'));
  try {
    await writeFile(join(directory, 'telemetry.yaml'), reportConfig(backends));
    const manifest = (await new ConfigStore(directory, { adapters: BUILT_IN_ADAPTERS.map((module) => module.info) }).load()).manifest;
    const payload = encodeRequests(manifest, 1)[0]!;
    const result = await runGrpcReport(directory, payload, CONCURRENCY, seconds);
    const expected = result.calls * BATCH * instancesPerSet(backends);
    if (result.errors > 0 || !(result.instancesDispatched >= expected)) {
      throw new Error(`${name}: ${result.errors} errors, ${result.instancesDispatched} instances dispatched for ${result.calls} calls (expected at least ${expected})`);
    }
    const sets = result.callsPerSecond * BATCH;
    printBench(`report.${name}.sets_per_s`, sets, 'sets/s');
    printBench(`report.${name}.sets_per_core`, (sets * result.seconds) / result.serverCpuSeconds, 'sets/cpu-s');
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function measureVariant(variant: Variant, adapterProcess: AdapterProcess, seconds: number): Promise<Measured> {
  const directory = await mkdtemp(join(tmpdir(), 'mixer-report-bench-'));
  await writeFile(join(directory, 'telemetry.yaml'), reportConfig(variant.backends, adapterProcess.address));
  const logger = pino({ level: 'silent' });
  const runtime = new MixerRuntime({ logger });
  const dispatcher = new Dispatcher(runtime, { logger, handlerTimeoutMs: 5000 });
  try {
    const snapshot = await new ConfigStore(directory, { adapters: BUILT_IN_ADAPTERS.map((module) => module.info) }).load();
    if (snapshot.errors.length > 0) throw new Error(`report bench config (${variant.name}) has errors: ${JSON.stringify(snapshot.errors)}`);
    const applied = await runtime.apply(snapshot);
    if (applied.failures.length > 0) throw new Error(`report bench handlers failed to build: ${JSON.stringify(applied.failures)}`);
    const manifest = snapshot.manifest;
    const requests = encodeRequests(manifest);
    const expectedInstances = BATCH * instancesPerSet(variant.backends);
    const ingest = async (index: number): Promise<void> => {
      const decoded = reportBags(decodeReportRequest(requests[index % requests.length]!), manifest);
      if (decoded.errors.length > 0) throw new Error(`report entries could not be decoded: ${decoded.errors.join('; ')}`);
      const outcome = await dispatcher.report(decoded.bags);
      // Every set must become its instances and reach every handler, or the rate means nothing.
      if (outcome.errors.length > 0 || outcome.instances !== expectedInstances) {
        throw new Error(`${variant.name}: expected ${expectedInstances} instances and no error, got ${outcome.instances}: ${outcome.errors.join('; ')}`);
      }
    };
    await run(ingest, Math.min(0.5, seconds / 3));
    const cpuBefore = process.cpuUsage();
    const adapterBefore = cpuSecondsOf(adapterProcess.child.pid);
    const started = process.hrtime.bigint();
    const calls = await run(ingest, seconds);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const mixerCpu = (cpu.user + cpu.system) / 1e6;
    const adapterCpu = cpuSecondsOf(adapterProcess.child.pid) - adapterBefore;
    const sets = calls * BATCH;
    return {
      setsPerSecond: sets / elapsed,
      setsPerCpuSecond: sets / mixerCpu,
      setsPerCpuSecondWithAdapter: variant.backends.includes('oop') && Number.isFinite(adapterCpu) ? sets / (mixerCpu + adapterCpu) : undefined,
    };
  } finally {
    dispatcher.close();
    await runtime.close();
    await rm(directory, { recursive: true, force: true });
  }
}

/** Pre-encoded INDEPENDENT ReportRequests (Envoy 1.1+), each of BATCH varied attribute sets. */
function encodeRequests(manifest: AttributeManifest, count = DISTINCT_REQUESTS): Buffer[] {
  const requests: Buffer[] = [];
  for (let request = 0; request < count; request++) {
    const bags = Array.from({ length: BATCH }, (_unused, index) => requestBagFromJson(attributeSet(request * BATCH + index), manifest));
    requests.push(...encodeReportRequests(bags, ReportEncoding.INDEPENDENT, manifest, GLOBAL_WORD_COUNT));
  }
  return requests;
}

/** Runs CONCURRENCY loops of `ingest` for `seconds`; resolves to the number of calls made. */
async function run(ingest: (index: number) => Promise<void>, seconds: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let calls = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) await ingest(calls++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return calls;
}
