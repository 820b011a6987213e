import { startNodeProcessMatching, stopProcess } from '../child-process.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', '..', 'core', 'cli', 'bin.js');
const LOAD = join(HERE, '..', 'grpc', 'grpc-load.js');

/** What one run of the gRPC Report API under load gave. */
export interface GrpcReportResult {
  readonly callsPerSecond: number;
  readonly errors: number;
  /** CPU seconds the `mixer server` process used during the load. */
  readonly serverCpuSeconds: number;
  readonly seconds: number;
  /** `mixer_report_instances_total` after the load: what the server actually dispatched. */
  readonly instancesDispatched: number;
  readonly calls: number;
}

/**
 * The gRPC Report API end to end: `mixer server` over `configDir` in its own process, loaded by
 * bench/grpc's load generator (another process) sending `payload` (one encoded ReportRequest)
 * with `concurrency` calls in flight for `seconds`.
 */
export async function runGrpcReport(configDir: string, payload: Buffer, concurrency: number, seconds: number): Promise<GrpcReportResult> {
  const server = await startNodeProcessMatching(
    [BIN, 'server', '--config', configDir, '--http-port', '0', '--grpc-port', '0', '--monitoring-port', '0', '--no-watch', '--log-level', 'error', '--handler-timeout', '5s'],
    /gRPC\s+grpc:\/\/(\S+)[\s\S]*monitoring\s+(http:\/\/\S+\/metrics)/,
  );
  try {
    const [, address, metricsUrl] = server.ready;
    const before = cpuSecondsOf(server.child.pid);
    const started = performance.now();
    const load = await startNodeProcessMatching([LOAD, address!, '/istio.mixer.v1.Mixer/Report', payload.toString('base64'), String(concurrency), String(seconds)], /(\{.*\})\n/);
    const elapsed = (performance.now() - started) / 1000;
    const serverCpuSeconds = cpuSecondsOf(server.child.pid) - before;
    await stopProcess(load.child);
    const stats = JSON.parse(load.ready[1]!) as { calls: number; errors: number; perSecond: number };
    const metrics = await (await fetch(metricsUrl!)).text();
    const instances = /^mixer_report_instances_total (\d+)/m.exec(metrics);
    return {
      callsPerSecond: stats.perSecond,
      errors: stats.errors,
      serverCpuSeconds,
      seconds: elapsed,
      instancesDispatched: instances === null ? Number.NaN : Number(instances[1]),
      calls: stats.calls,
    };
  } finally {
    await stopProcess(server.child);
  }
}

/** CPU seconds (user + system) a process has used, from /proc (NaN where there is no /proc). */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the stat line (11 and 12 after the name), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
