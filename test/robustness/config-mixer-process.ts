import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { repositoryRoot } from '../support/conformance.js';

const BIN = join(repositoryRoot(), 'dist', 'core', 'cli', 'bin.js');

/** The last bytes of a process's output kept for assertions and failure messages. */
const OUTPUT_KEPT = 256 * 1024;

/** What /debug/config says about the config (see core/api/monitoring-server.ts). */
export interface DebugConfig {
  readonly active: { readonly id: number; readonly errors: readonly string[]; readonly handlers: unknown; readonly instances: unknown; readonly rules: unknown } | null;
  readonly lastRejected: { readonly at: string; readonly errors: readonly string[] } | null;
}

/** A real `mixer server` process over a config directory, on free loopback ports. */
export interface MixerProcess {
  readonly child: ChildProcess;
  /** `http://host:port` of the HTTP/JSON API. */
  readonly apiUrl: string;
  /** `http://host:port` of the monitoring server (/metrics). */
  readonly monitoringUrl: string;
  /** Resolves with the exit code (or signal) when the process ends, however it ends. */
  readonly exited: Promise<string>;
  /** Output so far (stdout and stderr, the last 256 KiB). */
  output(): string;
  /** Fetches /debug/config: the one place that knows which port serves it. */
  debugConfig(): Promise<DebugConfig>;
  /** The sum of the samples of `name` (with `labels` in their label set) at /metrics; 0 when absent. */
  metric(name: string, labels?: string): Promise<number>;
  /** POST /v1/check with `attributes`: the HTTP status and the precondition status. */
  check(attributes: Readonly<Record<string, unknown>>): Promise<{ status: number; code: number | undefined; message: string | undefined }>;
  /** The process's resident set size in bytes (Linux /proc). */
  residentBytes(): Promise<number>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `mixer server --config DIR ...extraArgs` and resolves once it prints where it serves. */
export function startMixerProcess(configPath: string, extraArgs: readonly string[] = []): Promise<MixerProcess> {
  const args = [BIN, 'server', '--config', configPath, '--http-port', '0', '--grpc-port', '0', '--monitoring-port', '0', '--log-level', 'warn', ...extraArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(code === null ? String(signal) : `exit ${code}`)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
      const api = /API\s+(http:\/\/[\d.:]+)\/v1\/check/.exec(output);
      const monitoring = /monitoring\s+(http:\/\/[\d.:]+)\/metrics/.exec(output);
      if (api !== null && monitoring !== null) resolve(processHandle(child, api[1]!, monitoring[1]!, () => output, exited));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((how) => reject(new Error(`mixer server ${how} before serving:\n${output}`)));
  });
}

function processHandle(child: ChildProcess, apiUrl: string, monitoringUrl: string, output: () => string, exited: Promise<string>): MixerProcess {
  const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;
  return {
    child,
    apiUrl,
    monitoringUrl,
    exited,
    output,
    debugConfig: () => getJson<DebugConfig>(`${monitoringUrl}/debug/config`),
    metric: async (name, labels = '') => {
      const text = await (await fetch(`${monitoringUrl}/metrics`)).text();
      let total = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ') || !line.includes(labels)) continue;
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return total;
    },
    check: async (attributes) => {
      const response = await fetch(`${apiUrl}/v1/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ attributes }) });
      const body = (await response.json()) as { precondition?: { status?: { code?: number; message?: string } } };
      return { status: response.status, code: body.precondition?.status?.code ?? (response.status === 200 ? 0 : undefined), message: body.precondition?.status?.message };
    },
    residentBytes: async () => {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status);
      if (kilobytes === null) throw new Error(`no VmRSS in /proc/${child.pid}/status`);
      return Number(kilobytes[1]) * 1024;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

let temporaryFiles = 0;

/**
 * Replaces `path` in one step, as a careful operator or a ConfigMap update does: the content goes
 * to a hidden temporary file in the same directory (Mixer skips names starting with '.'), which
 * is then renamed over `path`. A reader never sees a half-written file.
 */
export async function writeAtomically(path: string, content: string | Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${temporaryFiles++}.tmp`);
  await writeFile(temporary, content);
  await rename(temporary, path);
}
