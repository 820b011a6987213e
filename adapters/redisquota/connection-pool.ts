import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { replyMarginMs } from './allocation-batcher.js';
import { SCRIPT_COMMANDS } from './scripts.js';
import { readClock, RedisClock, type ClockSample, type TimeSource } from './redis-clock.js';
import { describeTarget, type RedisTarget } from './redis-target.js';

type Arg = string | number;

/** A connection with the allocation scripts defined on it (the key count, the keys, then the arguments). */
export interface ScriptClient {
  redisquotaFixedWindow(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<unknown>;
  redisquotaRollingWindow(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<unknown>;
}

export interface ConnectionPoolOptions {
  /** Connections to open (each pipelines any number of allocations). */
  readonly size: number;
  /** How long an allocation waits for Redis (the batcher's timeout; the socket timeout derives from it). */
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
}

/** How often Redis's clock is read again (besides whenever a connection becomes ready). */
export const CLOCK_REFRESH_MS = 5000;

type Client = (Redis | Cluster) & ScriptClient;

/** Reconnection delays: 100 ms doubling to 1 s, forever (until the pool is closed). */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(1000, 100 * 2 ** Math.min(Math.max(0, attempt - 1), 4));
}

/**
 * The handler's own connections to Redis (no shared client). Commands are never queued while
 * a connection is down: with the offline queue off, no retries per request and no resending
 * after a reconnect, a command on a broken connection fails at once, and a connection that
 * stays silent while commands wait is dropped (socket timeout). Waiting for an answer is
 * bounded by the allocation batcher, which owns the command timeout (so it can still see a
 * late reply). Connections reconnect in the background until closed, so allocations recover by
 * themselves when Redis comes back.
 *
 * The pool also reads Redis's clock (TIME on every node), when a connection becomes ready and
 * every CLOCK_REFRESH_MS: allocation deadlines are written in it.
 */
export class ConnectionPool {
  readonly clock: RedisClock;
  private readonly clients: Client[] = [];
  private readonly attempts: Promise<void>[] = [];
  private next = 0;
  private healthy: boolean | undefined;
  private closed = false;
  private clockRound: Promise<void> | undefined;
  private clockAgain = false;
  private clockFailure: string | undefined;
  private readonly clockTimer: NodeJS.Timeout;

  constructor(
    private readonly target: RedisTarget,
    private readonly options: ConnectionPoolOptions,
  ) {
    this.clock = new RedisClock();
    for (let index = 0; index < Math.max(1, options.size); index++) {
      const client = this.connect(index);
      this.clients.push(client);
      this.attempts.push(firstAttempt(client));
    }
    this.clockTimer = setInterval(() => this.readClock(), CLOCK_REFRESH_MS).unref();
  }

  get commandTimeoutMs(): number {
    return this.options.commandTimeoutMs;
  }

  /**
   * The deadline, in Redis's clock, of a script that must start within `budgetMs` from now;
   * undefined while Redis's clock is not known, which also starts reading it (so a first
   * reading that failed is retried as soon as allocations need it, not at the next refresh).
   */
  redisDeadline(budgetMs: number): number | undefined {
    const deadline = this.clock.redisTimeAt(this.clock.monotonic() + budgetMs);
    if (deadline === undefined) this.readClock();
    return deadline;
  }

  /** A connection ready for commands, round robin; undefined when none is. */
  pick(): Client | undefined {
    const count = this.clients.length;
    for (let step = 0; step < count; step++) {
      const client = this.clients[this.next]!;
      this.next = this.next + 1 === count ? 0 : this.next + 1;
      if (client.status === 'ready') return client;
    }
    return undefined;
  }

  /** Connections ready for commands. */
  get readyCount(): number {
    return this.clients.filter((client) => client.status === 'ready').length;
  }

  get size(): number {
    return this.clients.length;
  }

  /**
   * Resolves once every connection has made its first attempt (ready, or failed) and, if one
   * got ready, Redis's clock has been read, or after `maxWaitMs`: building a handler waits
   * briefly for Redis but never depends on it.
   */
  async whenFirstAttemptsSettle(maxWaitMs: number): Promise<void> {
    const controller = new AbortController();
    const settled = Promise.all(this.attempts).then(() => this.clockRound);
    await Promise.race([settled, sleep(maxWaitMs, undefined, { signal: controller.signal, ref: false }).catch(() => undefined)]);
    controller.abort();
  }

  /** Closes every connection: QUIT when connected (bounded), then disconnect; no reconnects after this. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.clockTimer);
    await Promise.all(
      this.clients.map(async (client) => {
        if (client.status === 'ready') {
          const controller = new AbortController();
          await Promise.race([client.quit().catch(() => undefined), sleep(500, undefined, { signal: controller.signal, ref: false }).catch(() => undefined)]);
          controller.abort();
        }
        client.disconnect();
      }),
    );
  }

  private connect(index: number): Client {
    const timeouts = {
      connectTimeout: Math.max(1000, 2 * this.options.commandTimeoutMs),
      socketTimeout: Math.max(2000, 4 * this.options.commandTimeoutMs),
    };
    const perRequest: RedisOptions = {
      ...timeouts,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      disableClientInfo: true,
      enableAutoPipelining: false,
      connectionName: `mixer-redisquota-${index}`,
      username: this.target.username,
      password: this.target.password,
      ...(this.target.tls ? { tls: {} } : {}),
    };
    const client: Redis | Cluster =
      this.target.kind === 'standalone'
        ? new Redis({
            ...perRequest,
            host: this.target.node.host,
            port: this.target.node.port,
            db: this.target.db,
            enableOfflineQueue: false,
            enableReadyCheck: true,
            retryStrategy: reconnectDelayMs,
            scripts: SCRIPT_COMMANDS,
          })
        : new Cluster(
            this.target.nodes.map((node) => ({ host: node.host, port: node.port })),
            {
              enableOfflineQueue: false,
              enableReadyCheck: true,
              clusterRetryStrategy: reconnectDelayMs,
              maxRedirections: 4,
              retryDelayOnFailover: 50,
              retryDelayOnClusterDown: 50,
              retryDelayOnTryAgain: 50,
              retryDelayOnMoved: 0,
              slotsRefreshTimeout: timeouts.connectTimeout,
              redisOptions: perRequest,
              scripts: SCRIPT_COMMANDS,
            } satisfies ClusterOptions,
          );
    client.on('ready', () => this.onReady());
    client.on('error', (error: Error) => this.onError(error));
    return client as Client;
  }

  private onReady(): void {
    if (this.healthy !== true) this.options.logger.info({ redis: describeTarget(this.target) }, 'redisquota: connected to Redis');
    this.healthy = true;
    this.readClock();
  }

  /**
   * Starts a round of clock readings, or asks for another after the one under way. Besides the
   * refreshes, the batcher calls it when a script answered EXPIRED in time: the reading may be
   * too early (a slow TIME), and a new one sets it right.
   */
  readClock(): void {
    if (this.closed) return;
    if (this.clockRound !== undefined) {
      this.clockAgain = true;
      return;
    }
    this.clockRound = this.readClockRound().finally(() => {
      this.clockRound = undefined;
      if (this.clockAgain) {
        this.clockAgain = false;
        this.readClock();
      }
    });
  }

  private async readClockRound(): Promise<void> {
    const samples: ClockSample[] = [];
    const failures: string[] = [];
    await Promise.all(
      this.clockSources().map(async (source) => {
        try {
          const sample = await readClock(source, this.clock.monotonic, this.options.commandTimeoutMs, replyMarginMs(this.options.commandTimeoutMs) / 4);
          if (sample !== undefined) samples.push(sample);
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }),
    );
    this.clock.record(samples);
    // A Redis that answers but refuses TIME (an ACL) would leave every allocation UNAVAILABLE: say why, once.
    const failure = failures[0];
    if (failure !== undefined && !this.clock.known && failure !== this.clockFailure && !this.closed) {
      this.options.logger.warn({ redis: describeTarget(this.target), err: failure }, "redisquota: cannot read Redis's clock (TIME); allocations answer UNAVAILABLE until it can");
    }
    this.clockFailure = failure;
  }

  /** Every node allocations may reach: the ready connections (one server), or every node of the cluster. */
  private clockSources(): TimeSource[] {
    if (this.target.kind === 'standalone') return this.clients.filter((client) => client.status === 'ready');
    const cluster = this.clients.find((client) => client.status === 'ready');
    return cluster instanceof Cluster ? cluster.nodes('all') : [];
  }

  /** Logs the first error of an outage, not every reconnection attempt. */
  private onError(error: Error): void {
    if (this.closed || this.healthy === false) return;
    this.healthy = false;
    this.options.logger.warn({ redis: describeTarget(this.target), err: error.message }, 'redisquota: Redis connection failed; allocations answer UNAVAILABLE until it is back');
  }
}

function firstAttempt(client: Redis | Cluster): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      client.off('ready', done);
      client.off('error', done);
      client.off('end', done);
      resolve();
    };
    client.once('ready', done);
    client.once('error', done);
    client.once('end', done);
  });
}
