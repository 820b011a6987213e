import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeProcess, stopProcess } from '../child-process.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'core', 'cli', 'bin.js');

/** A `mixer server` child process and the URLs it printed. */
export interface MixerProcess {
  readonly child: ChildProcess;
  /** `http://host:port` of the HTTP API. */
  readonly url: string;
  /** `http://host:port/metrics` of the monitoring server. */
  readonly metricsUrl: string;
  stop(): Promise<void>;
}

/** Starts `mixer server --config DIR` on free ports, without watching; resolves once it serves. */
export function startMixerProcess(configDir: string, logLevel = 'error', extraArgs: readonly string[] = []): Promise<MixerProcess> {
  const args = [BIN, 'server', '--config', configDir, '--http-port', '0', '--grpc-port', '0', '--monitoring-port', '0', '--no-watch', '--log-level', logLevel, ...extraArgs];
  return startNodeProcess(args, (output) => {
    const api = /API\s+(http:\/\/[\d.:]+)\/v1\/check/.exec(output);
    const monitoring = /monitoring\s+(http:\/\/[\d.:]+\/metrics)/.exec(output);
    return api !== null && monitoring !== null ? { url: api[1]!, metricsUrl: monitoring[1]! } : undefined;
  }).then(({ child, ready }) => ({ child, ...ready, stop: () => stopProcess(child) }));
}

/** The value of one sample of a Prometheus text exposition (0 when absent). */
export async function metricValue(metricsUrl: string, sample: RegExp): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (sample.test(line)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
