import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeProcessMatching, stopProcess } from '../child-process.js';
import { CpuPinning } from '../cpu-pinning.js';
import { fixedRateLatency, type LatencyPercentiles } from '../fixed-rate-load.js';
import { printBench, quantile, type BenchOptions } from '../harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', '..', 'core', 'cli', 'bin.js');

interface Latency {
  readonly p50Us: number;
  readonly p99Us: number;
}

/** Closed loop, one keep-alive connection: `count` sequential GETs, each timed (µs). */
async function sequentialLatency(port: number, host: string, count: number): Promise<Latency> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const request = httpRequest({ agent, host: '127.0.0.1', port, path: '/bench', headers: { host } }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`status ${String(response.statusCode)} from port ${port}`));
        response.resume();
        response.on('end', () => resolve(Number(process.hrtime.bigint() - started) / 1000));
      });
      request.on('error', reject);
      request.end();
    });
  for (let index = 0; index < Math.min(500, count); index++) await once();
  const samples: number[] = [];
  for (let index = 0; index < count; index++) samples.push(await once());
  agent.destroy();
  return { p50Us: quantile(samples, 0.5), p99Us: quantile(samples, 0.99) };
}

/** CPU time (ms) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuMillis(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime in 10 ms ticks
  } catch {
    return undefined;
  }
}

interface LoadResult {
  readonly requestsPerSecond: number;
  /** CPU µs per request of each watched process (undefined where /proc is not available). */
  readonly cpuPerRequestUs: readonly (number | undefined)[];
}

async function throughput(port: number, host: string, connections: number, seconds: number, watched: readonly (number | undefined)[] = []): Promise<LoadResult> {
  const before = watched.map(cpuMillis);
  const result = await autocannon({ url: `http://127.0.0.1:${port}/bench`, headers: { host }, connections, duration: seconds });
  if (result.errors + result.non2xx > 0) throw new Error(`errors under load on port ${port}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  const after = watched.map(cpuMillis);
  const cpuPerRequestUs = watched.map((_, index) => {
    const start = before[index];
    const end = after[index];
    return start === undefined || end === undefined || result.requests.total === 0 ? undefined : ((end - start) * 1000) / result.requests.total;
  });
  return { requestsPerSecond: result.requests.average, cpuPerRequestUs };
}

const MIXER_CONFIG = `apiVersion: config.istio.io/v1alpha2
kind: handler
metadata: { name: noop, namespace: istio-system }
spec: { compiledAdapter: noop }
---
apiVersion: config.istio.io/v1alpha2
kind: instance
metadata: { name: nothing, namespace: istio-system }
spec: { compiledTemplate: checknothing }
---
apiVersion: config.istio.io/v1alpha2
kind: instance
metadata: { name: requestcount, namespace: istio-system }
spec:
  compiledTemplate: metric
  params:
    value: "1"
    dimensions:
      source: source.uid | "unknown"
      code: response.code | 0
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: policy, namespace: istio-system }
spec:
  match: request.headers["x-deny"] == "yes"
  actions:
  - { handler: noop, instances: [ nothing ] }
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata: { name: telemetry, namespace: istio-system }
spec:
  match: context.protocol == "http"
  actions:
  - { handler: noop, instances: [ requestcount ] }
`;

/**
 * Added latency (p50, p99, sequential; p90 at Istio's benchmark rate of 1000 requests per second
 * over 16 connections) and throughput (autocannon) of one sidecar hop with policy (cached Check,
 * batched Report) and of the outbound→inbound pair, beside a direct call and a bare Node pipe
 * forwarder measured in the same run. Every server is its own process.
 * Where it can, the throughput rounds run the forwarders (pipe, sidecars) on a CPU of their own
 * and everything else on the others (CpuPinning).
 */
export async function runProxyBench(options: BenchOptions): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'mixer-proxy-bench-'));
  const children: ChildProcess[] = [];
  const pids = new Map<string, number | undefined>();
  const pinning = options.pinCpus === false ? 'turned off with --no-pin' : CpuPinning.detect();
  console.log(typeof pinning === 'string' ? `proxy bench: CPUs not pinned (${pinning})` : `proxy bench: for throughput, ${pinning.describe()}`);
  const FORWARDERS = new Set(['pipe', 'hop', 'pair']);
  const start = async (args: string[], pattern: RegExp, name: string): Promise<string> => {
    const started = await startNodeProcessMatching(args, pattern);
    children.push(started.child);
    pids.set(name, started.child.pid);
    return started.ready[1]!;
  };
  /** For the throughput rounds only: sequential latency is measured as the scheduler places things. */
  const pinAll = (): void => {
    if (typeof pinning === 'string') return;
    pinning.pinOther(process.pid);
    for (const [name, pid] of pids) {
      if (pid === undefined) continue;
      if (FORWARDERS.has(name)) pinning.pinForwarder(pid);
      else pinning.pinOther(pid);
    }
  };
  try {
    await writeFile(join(directory, 'mixer.yaml'), MIXER_CONFIG);
    const [upstreamPort, grpc] = await Promise.all([
      start([join(HERE, 'upstream-server.js')], /http:\/\/127\.0\.0\.1:(\d+)/, 'upstream').then(Number),
      start(
        [BIN, 'server', '--config', directory, '--http-port', '0', '--grpc-port', '0', '--monitoring-port', '0', '--log-level', 'error', '--no-watch'],
        /gRPC\s+(grpc:\/\/[\d.:]+)/,
        'mixer',
      ),
    ]);
    const mixerBlock = `mixer:\n  address: ${grpc}\n  failPolicy: FAIL_CLOSE\n`;
    await writeFile(join(directory, 'inbound.yaml'), `workload:\n  name: upstream-v1\n  labels: { app: upstream }\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${upstreamPort}\n${mixerBlock}`);
    const [pipePort, inboundPort] = await Promise.all([
      start([join(HERE, 'pipe-forwarder.js'), String(upstreamPort)], /http:\/\/127\.0\.0\.1:(\d+)/, 'pipe').then(Number),
      start([BIN, 'proxy', '--config', join(directory, 'inbound.yaml'), '--log-level', 'error'], /inbound\s+127\.0\.0\.1:(\d+)/, 'hop').then(Number),
    ]);
    await writeFile(
      join(directory, 'registry.yaml'),
      `services:\n- host: upstream.default.svc.cluster.local\n  endpoints:\n  - address: 127.0.0.1:${inboundPort}\n    name: upstream-v1\n    labels: { app: upstream }\n`,
    );
    await writeFile(join(directory, 'outbound.yaml'), `workload:\n  name: client-v1\n  labels: { app: client }\noutbound:\n  listen: 127.0.0.1:0\n${mixerBlock}registry: registry.yaml\n`);
    const outboundPort = Number(await start([BIN, 'proxy', '--config', join(directory, 'outbound.yaml'), '--log-level', 'error'], /outbound\s+127\.0\.0\.1:(\d+)/, 'pair'));

    const targets = [
      { name: 'direct', port: upstreamPort, host: 'upstream' },
      { name: 'pipe', port: pipePort, host: 'upstream' },
      { name: 'hop', port: inboundPort, host: 'upstream' },
      { name: 'pair', port: outboundPort, host: 'upstream' },
    ] as const;
    const count = options.quick ? 500 : 20_000;
    // Throughput rounds interleave the targets (direct, pipe, hop, pair, direct, ...) and each
    // figure is the median of its rounds: this machine's load drifts over a run, and a target
    // measured only once, at a bad moment, would skew the ratios.
    const rounds = options.quick ? 1 : 3;
    const seconds = options.quick ? 0.8 : 5;
    const connections = 16;
    const latency = new Map<string, Latency>();
    const rates = new Map<string, number[]>();
    const cpus = new Map<string, (number | undefined)[][]>();
    for (const target of targets) latency.set(target.name, await sequentialLatency(target.port, target.host, count));
    // Istio's latency benchmark: 1000 requests per second over 16 connections, p90.
    const atRate = new Map<string, LatencyPercentiles>();
    for (const target of targets) {
      if (target.name === 'pipe') continue;
      atRate.set(target.name, await fixedRateLatency(target.port, target.host, '/bench', { rate: 1000, connections: 16, seconds: options.quick ? 0.5 : 5 }));
    }
    pinAll();
    for (const target of targets) await throughput(target.port, target.host, connections, options.quick ? 0.3 : 1); // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        // The forwarder's own CPU per request, and Mixer's (it decodes the reports on the same cores).
        // For the pair, both sidecars' CPU counts: watched = [outbound, mixer, inbound].
        const watched = [pids.get(target.name), pids.get('mixer'), target.name === 'pair' ? pids.get('hop') : undefined];
        const load = await throughput(target.port, target.host, connections, seconds, watched);
        rates.set(target.name, [...(rates.get(target.name) ?? []), load.requestsPerSecond]);
        cpus.set(target.name, [...(cpus.get(target.name) ?? []), [...load.cpuPerRequestUs]]);
      }
    }
    const rate = new Map([...rates].map(([name, values]) => [name, quantile(values, 0.5)]));
    const cpu = new Map(
      [...cpus].map(([name, samples]) => [name, [0, 1, 2].map((index) => (samples.some((sample) => sample[index] === undefined) ? undefined : quantile(samples.map((sample) => sample[index]!), 0.5)))]),
    );
    const direct = latency.get('direct')!;
    for (const target of targets) {
      const measured = latency.get(target.name)!;
      printBench(`proxy.latency.${target.name}.p50`, measured.p50Us, 'us');
      printBench(`proxy.latency.${target.name}.p99`, measured.p99Us, 'us');
      if (target.name !== 'direct') {
        printBench(`proxy.latency.${target.name}.added_p50`, measured.p50Us - direct.p50Us, 'us');
        printBench(`proxy.latency.${target.name}.added_p99`, measured.p99Us - direct.p99Us, 'us');
      }
      printBench(`proxy.throughput.${target.name}.c${connections}`, rate.get(target.name)!, 'req/s');
      const [first, mixer, second] = cpu.get(target.name) ?? [];
      const own = first === undefined ? undefined : first + (second ?? 0);
      if (target.name !== 'direct' && own !== undefined) printBench(`proxy.cpu.${target.name}.forwarder_per_request`, own, 'us');
      if ((target.name === 'hop' || target.name === 'pair') && mixer !== undefined) printBench(`proxy.cpu.${target.name}.mixer_per_request`, mixer, 'us');
    }
    const directAtRate = atRate.get('direct')!;
    for (const [name, measured] of atRate) {
      printBench(`proxy.rate1000.${name}.p50`, measured.p50Us, 'us');
      printBench(`proxy.rate1000.${name}.p90`, measured.p90Us, 'us');
      printBench(`proxy.rate1000.${name}.p99`, measured.p99Us, 'us');
      if (name !== 'direct') printBench(`proxy.rate1000.${name}.added_p90`, measured.p90Us - directAtRate.p90Us, 'us');
    }
    const added = (name: string): number => latency.get(name)!.p50Us - direct.p50Us;
    printBench('proxy.hop_vs_pipe.added_p50', added('hop') / added('pipe'), 'ratio');
    printBench('proxy.hop_vs_pipe.p50', latency.get('hop')!.p50Us / latency.get('pipe')!.p50Us, 'ratio');
    printBench('proxy.hop_vs_pipe.throughput', rate.get('hop')! / rate.get('pipe')!, 'ratio');
    const [hopCpu] = cpu.get('hop') ?? [];
    const [pipeCpu] = cpu.get('pipe') ?? [];
    if (hopCpu !== undefined && pipeCpu !== undefined) printBench('proxy.hop_vs_pipe.cpu_per_request', hopCpu / pipeCpu, 'ratio');
    printBench('proxy.pair_vs_direct.throughput', rate.get('pair')! / rate.get('direct')!, 'ratio');
  } finally {
    if (typeof pinning !== 'string') pinning.release(process.pid);
    await Promise.all(children.map((child) => stopProcess(child)));
    await rm(directory, { recursive: true, force: true });
  }
}
