import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { AdapterModule } from '../../adapters/sdk/define-adapter.js';
import { MixerServer } from '../../core/server/mixer-server.js';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../../core/server/server-options.js';
import { repositoryRoot } from './conformance.js';

/** A Mixer server started in-process on free loopback ports, over a temporary config directory. */
export interface RunningMixer {
  readonly server: MixerServer;
  readonly url: string;
  /** `grpc://host:port` of the gRPC API. */
  readonly grpcAddress: string;
  readonly monitoringUrl: string;
  readonly configDir: string;
  check(body: unknown, query?: string): Promise<{ status: number; body: CheckResponseJson }>;
  report(attributes: readonly Record<string, unknown>[]): Promise<{ status: number; body: Record<string, unknown> }>;
  post(path: string, body: unknown, contentType?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** GET on the HTTP/JSON API. */
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** GET on the monitoring port (`/debug/config`, `/metrics` is text: fetch monitoringUrl). */
  getMonitoring(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  writeConfig(file: string, yaml: string): Promise<void>;
  close(): Promise<void>;
}

export interface CheckResponseJson {
  precondition: {
    status: { code: number; message?: string };
    validDuration: string;
    validUseCount: number;
    referencedAttributes: { attributeMatches: { name: string; condition: string; mapKey?: string }[] };
    routeDirective?: {
      requestHeaderOperations?: { name: string; value: string; operation: string }[];
      responseHeaderOperations?: { name: string; value: string; operation: string }[];
      directResponseCode?: number;
      directResponseBody?: string;
    };
  };
  quotas?: Record<string, { grantedAmount: string; validDuration: string; status: { code: number; message?: string } }>;
  explanation?: Record<string, unknown>;
  error?: string;
}

export async function startMixer(
  files: Readonly<Record<string, string>>,
  options: Partial<Omit<ServerOptions, 'configPath'>> & { adapters?: readonly AdapterModule[] } = {},
): Promise<RunningMixer> {
  const configDir = await mkdtemp(join(tmpdir(), 'mixer-e2e-'));
  for (const [file, yaml] of Object.entries(files)) await writeFile(join(configDir, file), yaml);
  const server = new MixerServer(
    { ...DEFAULT_SERVER_OPTIONS, httpPort: 0, grpcPort: 0, monitoringPort: 0, watch: true, ...options, configPath: configDir },
    pino({ level: process.env['MIXER_TEST_LOG'] ?? 'silent' }),
    options.adapters ?? [],
  );
  const addresses = await server.start();
  const request = async (path: string, init?: RequestInit, base = addresses.http): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
  };
  const post = (path: string, body: unknown, contentType = 'application/json') =>
    request(path, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return {
    server,
    url: addresses.http,
    grpcAddress: addresses.grpc,
    monitoringUrl: addresses.monitoring,
    configDir,
    check: async (body, query = '') => {
      const response = await post(`/v1/check${query}`, body);
      return { status: response.status, body: response.body as unknown as CheckResponseJson };
    },
    report: (attributes) => post('/v1/report', { attributes }),
    post,
    get: (path) => request(path),
    getMonitoring: (path) => request(path, undefined, addresses.monitoring),
    writeConfig: (file, yaml) => writeFile(join(configDir, file), yaml),
    close: async () => {
      await server.close();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

/** A real `mixer server` process (dist/core/cli/bin.js) over a temporary config directory. */
export interface MixerProcess {
  /** `host:port` of the gRPC API, as the server printed it. */
  readonly grpcAddress: string;
  /** `http://host:port` of the HTTP/JSON API. */
  readonly url: string;
  /** `http://host:port` of the monitoring port. */
  readonly monitoringUrl: string;
  /** Everything the process wrote so far (pino's JSON lines on stdout, the banner on stderr). */
  output(): string;
  /** The first match of `pattern` in the output, waiting for it up to `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM, then waits for the exit; removes the config directory. */
  stop(): Promise<void>;
}

/**
 * Starts `mixer server --config DIR ...args` in its own process (give ports with `args`, `0`
 * for free ones) and resolves once it prints where it listens.
 */
export async function startMixerProcess(files: Readonly<Record<string, string>>, args: readonly string[]): Promise<MixerProcess> {
  const configDir = await mkdtemp(join(tmpdir(), 'mixer-process-'));
  for (const [file, yaml] of Object.entries(files)) await writeFile(join(configDir, file), yaml);
  const child = spawn(process.execPath, [join(repositoryRoot(), 'dist', 'core', 'cli', 'bin.js'), 'server', '--config', configDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForOutput = (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(output);
        if (match === null) return;
        done();
        resolve(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`mixer server did not print ${String(pattern)} within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      void exited.then((code) => {
        if (!waiters.has(check)) return;
        done();
        reject(new Error(`mixer server exited with ${String(code)} before printing ${String(pattern)}:\n${output}`));
      });
      waiters.add(check);
      check();
    });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(configDir, { recursive: true, force: true });
  };
  try {
    const [, grpcAddress] = await waitForOutput(/gRPC\s+grpc:\/\/(\S+)/);
    const [, url] = await waitForOutput(/API\s+(http:\/\/\S+)\/v1\/check/);
    const [, monitoringUrl] = await waitForOutput(/monitoring\s+(http:\/\/\S+)\/metrics/);
    return { grpcAddress: grpcAddress!, url: url!, monitoringUrl: monitoringUrl!, output: () => output, waitForOutput, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves once `predicate` holds, polling; fails after `timeoutMs` (a bound, not a measurement). */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Builds a YAML document for a resource (apiVersion config.istio.io/v1alpha2). */
export function resource(kind: string, name: string, spec: string, namespace = 'istio-system', annotations = ''): string {
  return `apiVersion: config.istio.io/v1alpha2
kind: ${kind}
metadata:
  name: ${name}
  namespace: ${namespace}${annotations === '' ? '' : `\n  annotations:\n${annotations}`}
spec:
${spec
  .split('\n')
  .map((line) => `  ${line}`)
  .join('\n')}
---
`;
}
