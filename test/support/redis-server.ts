import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

// Real redis-server processes for integration tests and benches: each on a free loopback port
// (never 6379), in its own temporary directory, with persistence off. A server can be killed
// and restarted on the same port (failure tests) or paused (a hung server).

const READY = /Ready to accept connections/;
const PORT_IN_USE = /Address already in use|Could not create server TCP listening socket/;

/** The redis-server binary: $REDIS_SERVER, else `redis-server` on the PATH; undefined when absent. */
export function redisServerBinary(): string | undefined {
  const candidate = process.env['REDIS_SERVER'] ?? 'redis-server';
  const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 && /Redis server/.test(probe.stdout) ? candidate : undefined;
}

/**
 * Options for a `describe` whose tests need redis-server: nothing when it is installed; under
 * CI=true a missing server throws (the file fails); elsewhere the suite is skipped.
 */
export function redisSuiteOptions(): { skip?: string } {
  if (redisServerBinary() !== undefined) return {};
  if (process.env['CI'] === 'true') throw new Error('redis-server is required under CI=true but was not found (set REDIS_SERVER or install it)');
  return { skip: 'redis-server not installed' };
}

export interface RedisServerOptions {
  /** Extra configuration directives, e.g. `['--cluster-enabled', 'yes']`. */
  readonly args?: readonly string[];
  /** Ports that must also be free (the cluster bus port is port + 10000). */
  readonly needsBusPort?: boolean;
}

/** One redis-server process. */
export class RedisServer {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly directory: string,
    private readonly binary: string,
    private readonly args: readonly string[],
  ) {}

  /** Starts a server on a free loopback port; throws when redis-server is missing. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const binary = redisServerBinary();
    if (binary === undefined) throw new Error('redis-server not found');
    const directory = await mkdtemp(join(tmpdir(), 'mixer-redis-'));
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort(options.needsBusPort === true);
      const server = new RedisServer(port, directory, binary, options.args ?? []);
      try {
        await server.launch();
        return server;
      } catch (error) {
        lastError = error;
      }
    }
    await rm(directory, { recursive: true, force: true });
    throw new Error(`could not start redis-server: ${String(lastError)}`);
  }

  readonly host = '127.0.0.1';

  /** `127.0.0.1:<port>`, the redisquota `redisServerUrl` form. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A fresh client for test assertions (the caller closes it). */
  client(): Redis {
    return new Redis({ host: this.host, port: this.port, lazyConnect: false, maxRetriesPerRequest: 1 });
  }

  /** Kills the server at once (SIGKILL), as a crash would, and waits for it to exit. */
  async kill(): Promise<void> {
    await this.signalAndWait('SIGKILL');
  }

  /** Starts the server again on the same port (the data is gone: persistence is off). */
  async restart(): Promise<void> {
    if (this.child !== undefined) throw new Error('redis-server is still running');
    let lastError: unknown;
    // The old socket may linger for a moment; redis-server sets SO_REUSEADDR, so a few tries suffice.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await this.launch();
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`could not restart redis-server on port ${this.port}: ${String(lastError)}`);
  }

  /**
   * Freezes the server (SIGSTOP) and resolves once the kernel reports it stopped: connections
   * stay open, bytes sent to it wait in its sockets, and nothing answers.
   */
  async pause(): Promise<void> {
    const child = this.child;
    if (child === undefined) throw new Error('redis-server is not running');
    child.kill('SIGSTOP');
    await untilProcessState(child.pid, true);
  }

  /** Lets a paused server run again (SIGCONT); resolves once it is no longer stopped. */
  async resume(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill('SIGCONT');
    await untilProcessState(child.pid, false);
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    this.child?.kill('SIGCONT');
    await this.signalAndWait('SIGKILL');
    await rm(this.directory, { recursive: true, force: true });
  }

  private launch(): Promise<void> {
    const args = [
      '--port', String(this.port),
      '--bind', this.host,
      '--save', '',
      '--appendonly', 'no',
      '--dir', this.directory,
      '--protected-mode', 'no',
      '--daemonize', 'no',
      '--loglevel', 'notice',
      ...this.args,
    ];
    this.output = '';
    const child = spawn(this.binary, args, { cwd: this.directory, stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        this.output = (this.output + chunk.toString()).slice(-8192);
        if (READY.test(this.output)) {
          child.stdout.off('data', onData);
          child.stdout.resume();
          this.child = child;
          killOnExit.add(child);
          resolve();
        } else if (PORT_IN_USE.test(this.output)) {
          child.kill('SIGKILL');
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        killOnExit.delete(child);
        if (this.child === child) this.child = undefined;
        reject(new Error(`redis-server on port ${this.port} exited (${String(code ?? signal)}): ${this.output.trim().split('\n').slice(-3).join(' | ')}`));
      });
    });
  }

  private async signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }
}

/** The redis-cli binary (Debian's redis-tools, a dependency of redis-server): $REDIS_CLI, else `redis-cli`; undefined when absent. */
export function redisCliBinary(): string | undefined {
  const candidate = process.env['REDIS_CLI'] ?? 'redis-cli';
  const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 && /redis-cli/.test(probe.stdout) ? candidate : undefined;
}

/** Like `redisSuiteOptions`, for suites that also need redis-cli (Redis Cluster). */
export function redisClusterSuiteOptions(): { skip?: string } {
  const server = redisSuiteOptions();
  if (server.skip !== undefined || redisCliBinary() !== undefined) return server;
  if (process.env['CI'] === 'true') throw new Error('redis-cli is required under CI=true but was not found (set REDIS_CLI or install redis-tools)');
  return { skip: 'redis-cli not installed' };
}

/**
 * A Redis Cluster of `masters` redis-server processes (no replicas) on free loopback ports,
 * joined by `redis-cli --cluster create` (which splits the 16384 slots evenly); ready once every
 * node reports `cluster_state:ok` and knows every other node.
 */
export class RedisCluster {
  private constructor(readonly nodes: readonly RedisServer[]) {}

  static async start(masters = 3): Promise<RedisCluster> {
    const cli = redisCliBinary();
    if (cli === undefined) throw new Error('redis-cli not found');
    const nodes: RedisServer[] = [];
    try {
      for (let index = 0; index < masters; index++) {
        nodes.push(
          await RedisServer.start({
            args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${index}.conf`, '--cluster-node-timeout', '2000'],
            needsBusPort: true,
          }),
        );
      }
      const create = spawnSync(cli, ['--cluster', 'create', ...nodes.map((node) => node.address), '--cluster-replicas', '0', '--cluster-yes'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (create.status !== 0) throw new Error(`redis-cli --cluster create failed (${String(create.status ?? create.signal)}): ${create.stdout}${create.stderr}`);
      const admins = nodes.map((node) => node.client());
      try {
        await waitFor(async () => {
          const states = await Promise.all(admins.map((admin) => admin.call('CLUSTER', 'INFO')));
          return states.every((info) => String(info).includes('cluster_state:ok') && String(info).includes(`cluster_known_nodes:${masters}`));
        }, 20_000);
      } finally {
        for (const admin of admins) admin.disconnect();
      }
      return new RedisCluster(nodes);
    } catch (error) {
      await Promise.all(nodes.map((node) => node.stop()));
      throw error;
    }
  }

  /** The seed addresses, as redisquota's list form takes them. */
  get addresses(): string[] {
    return this.nodes.map((node) => node.address);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }
}

/** Servers still running when the test process exits are killed with it. */
const killOnExit = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of killOnExit) child.kill('SIGKILL');
});

/**
 * Resolves once process `pid` is stopped by a signal (`stopped`) or no longer is, as its
 * /proc/<pid>/stat state says (T: stopped); a signal is delivered asynchronously, so a test that
 * pauses Redis must not send anything before the process has actually stopped. Without /proc
 * (not Linux) there is nothing to read, and the signal is trusted.
 */
async function untilProcessState(pid: number | undefined, stopped: boolean): Promise<void> {
  if (pid === undefined) return;
  for (let attempt = 0; attempt < 5000; attempt++) {
    let stat: string;
    try {
      stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return;
    }
    // The state follows the command name, which is in parentheses and may itself hold any.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if ((state === 'T') === stopped) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`redis-server (pid ${pid}) did not ${stopped ? 'stop' : 'continue'}`);
}

async function freePort(needsBusPort: boolean): Promise<number> {
  for (;;) {
    const port = await listenOnce(0);
    if (port === 6379) continue;
    if (!needsBusPort) return port;
    if (port + 10_000 > 65_535) continue;
    try {
      await listenOnce(port + 10_000);
      return port;
    } catch {
      // The bus port is taken; try another.
    }
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(chosen));
    });
  });
}

async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('redis cluster did not become ready');
}
