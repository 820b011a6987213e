import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const api = /API\s+(http:\/\/[\d.:]+)\/v1\/check/.exec(output);
      const monitoring = /monitoring\s+(http:\/\/[\d.:]+\/metrics)/.exec(output);
      if (api !== null && monitoring !== null) {
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.stdout.resume();
        child.stderr.resume();
        child.removeAllListeners('exit');
        resolve({ child, url: api[1]!, metricsUrl: monitoring[1]!, stop: () => stopProcess(child) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`mixer server exited with ${String(code)}: ${output}`)));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
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
