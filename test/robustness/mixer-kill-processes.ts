import { spawn, type ChildProcess } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The real processes of the Mixer-kill test: `mixer server` and `mixer proxy` started from the
// built CLI, and the tail of the stdio adapter's access-log file.

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'core', 'cli', 'bin.js');

export interface ChildProcessHandle {
  /** The lines the process wrote to stdout and stderr so far, except pino's debug lines. */
  printed(): readonly string[];
  /** Resolves once `count` lines (debug lines included) have contained `text`; rejects if the process exits first. */
  waitForCount(text: string, count: number): Promise<void>;
  /** Sends `signal` (unless it has exited) and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface ProxyProcess extends ChildProcessHandle {
  /** The inbound listener's port. */
  readonly port: number;
}

/** `mixer server` on `grpcPort` over `configDir` (HTTP and monitoring on free ports); resolves once it serves. */
export async function startMixerProcess(configDir: string, grpcPort: number): Promise<ChildProcessHandle> {
  const child = spawn(process.execPath, [BIN, 'server', '--config', configDir, '--grpc-port', String(grpcPort), '--http-port', '0', '--monitoring-port', '0', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = track(child);
  await handle.waitFor(/gRPC\s+grpc:\/\//);
  return handle;
}

/**
 * `mixer proxy` in front of the app on `appPort`, FAIL_OPEN so that requests keep being answered
 * (and reported) while Mixer is away, logging at debug so that every failed Report send shows
 * (the client warns of one in 100); resolves once its inbound listener is up.
 */
export async function startProxyProcess(appPort: number, mixerAddress: string): Promise<ProxyProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'proxy', '--name', 'app-v1', '--label', 'app=app', '--inbound', '127.0.0.1:0', '--app', `127.0.0.1:${appPort}`, '--mixer', mixerAddress, '--fail-policy', 'FAIL_OPEN', '--log-level', 'debug'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const handle = track(child);
  const match = await handle.waitFor(/inbound\s+127\.0\.0\.1:(\d+)/);
  return { ...handle, port: Number(match[1]) };
}

/** Follows a child's output line by line: what it printed, and waits on what it prints next. */
function track(child: ChildProcess): ChildProcessHandle & { waitFor(pattern: RegExp): Promise<RegExpExecArray> } {
  const kept: string[] = [];
  const watchers = new Set<(line: string) => void>();
  let exitedWith: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedWith = String(code ?? signal);
      resolve();
    }),
  );
  const follow = (stream: Readable | null): void => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('"level":20')) kept.push(line);
        for (const watcher of watchers) watcher(line);
      }
    });
  };
  follow(child.stdout);
  follow(child.stderr);
  const waitUntil = <T>(what: string, matches: (line: string) => T | undefined, earlier: readonly string[]): Promise<T> =>
    new Promise((resolve, reject) => {
      let settled = false;
      const look = (line: string): void => {
        const found = settled ? undefined : matches(line);
        if (found === undefined) return;
        settled = true;
        watchers.delete(look);
        resolve(found);
      };
      for (const line of earlier) look(line);
      if (settled) return;
      watchers.add(look);
      void exited.then(() => {
        if (settled) return;
        settled = true;
        watchers.delete(look);
        reject(new Error(`the process exited (${exitedWith ?? '?'}) before ${what}:\n${kept.slice(-20).join('\n')}`));
      });
    });
  return {
    printed: () => kept,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    waitFor: (pattern) => waitUntil(`printing ${String(pattern)}`, (line) => pattern.exec(line) ?? undefined, kept),
    async waitForCount(text, count) {
      let seen = 0;
      await waitUntil(`${count} lines with ${text}`, (line) => (line.includes(text) && ++seen >= count ? true : undefined), []);
    },
  };
}

/** Reads the stdio adapter's JSON lines as the file grows and keeps the request ids seen. */
export class AccessLogTail {
  private readonly seen = new Set<string>();
  private readonly decoder = new StringDecoder('utf8');
  private offset = 0;
  private partial = '';
  /** Lines read so far. */
  lines = 0;

  constructor(private readonly path: string) {}

  /** Resolves to the ids in `ids` never seen: none once all are seen, the rest once `deadlineMs` has passed. */
  async waitForIds(ids: readonly string[], deadlineMs: number): Promise<string[]> {
    const deadline = Date.now() + deadlineMs;
    let missing = [...ids];
    for (;;) {
      await this.readMore();
      missing = missing.filter((id) => !this.seen.has(id));
      if (missing.length === 0 || Date.now() >= deadline) return missing;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async readMore(): Promise<void> {
    const file = await open(this.path, 'r').catch(() => undefined);
    if (file === undefined) return;
    try {
      const buffer = Buffer.alloc(1 << 20);
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const lines = (this.partial + this.decoder.write(buffer.subarray(0, bytesRead))).split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line === '') continue;
          this.lines++;
          const id = (JSON.parse(line) as { id?: unknown }).id;
          if (typeof id === 'string') this.seen.add(id);
        }
      }
    } finally {
      await file.close();
    }
  }
}
