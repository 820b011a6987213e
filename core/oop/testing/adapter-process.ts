import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An adapter served out of process by a real `mixer adapter serve` child. */
export interface AdapterProcess {
  /** `host:port` it listens on: the handler's `connection.address`. */
  readonly address: string;
  /** `http://host:port/metrics` when started with `monitoring: true`. */
  readonly metricsUrl: string | undefined;
  readonly child: ChildProcess;
  /** Everything it wrote so far (stdout and stderr). */
  log(): string;
  /** SIGTERM, then waits for it to exit. */
  stop(): Promise<void>;
}

function compiledRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('package.json not found above core/oop/testing');
    directory = parent;
  }
  return directory;
}

/** `dist/<path>` of the checkout, for compiled modules (adapters, the `mixer` executable). */
export function distPath(...segments: string[]): string {
  return join(compiledRoot(), 'dist', ...segments);
}

/**
 * Starts `mixer adapter serve MODULE --port 0` and resolves once it prints the address it
 * listens on (rejects with its output if it exits first or takes over `startTimeoutMs`).
 */
export function startAdapterProcess(modulePath: string, options: { logLevel?: string; startTimeoutMs?: number; monitoring?: boolean } = {}): Promise<AdapterProcess> {
  const args = [distPath('core', 'cli', 'bin.js'), 'adapter', 'serve', modulePath, '--port', '0', '--log-level', options.logLevel ?? 'warn'];
  if (options.monitoring === true) args.push('--monitoring-port', '0');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pattern = options.monitoring === true ? /mixer adapter: listening on (\S+)[\s\S]*mixer adapter: metrics on (\S+)/ : /mixer adapter: listening on (\S+)/;
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mixer adapter serve ${modulePath} did not start:\n${output}`));
    }, options.startTimeoutMs ?? 15_000);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`mixer adapter serve ${modulePath} exited with ${String(code)}:\n${output}`));
    };
    child.once('exit', onExit);
    let started = false;
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = started ? null : pattern.exec(output);
      if (match === null) return;
      started = true;
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      const exited = new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) done();
        else child.once('exit', () => done());
      });
      resolve({
        address: match[1]!,
        metricsUrl: match[2],
        child,
        log: () => output,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
