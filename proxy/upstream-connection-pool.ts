import { connect, type Socket } from 'node:net';
import type { HostPort } from './proxy-config.js';

/** Whoever is using a connection for one exchange: gets its bytes and its end. */
export interface ConnectionUser {
  onData(chunk: Buffer): void;
  /** The connection closed while in use; `error` says why when it was an error. */
  onClose(error: NodeJS.ErrnoException | undefined): void;
  /** The upstream has been silent for the idle timeout while in use. */
  onTimeout(): void;
}

/**
 * One keep-alive HTTP/1.1 connection to an upstream. Its socket listeners are attached once
 * and pass events to the current user, so handing the connection from one request to the next
 * costs no listener churn. Bytes arriving while idle mean the upstream is confused: the
 * connection is dropped.
 */
export class UpstreamConnection {
  private user: ConnectionUser | undefined;
  private error: NodeJS.ErrnoException | undefined;
  /** Whether it has carried an exchange before the current one. */
  reused = false;

  constructor(
    readonly socket: Socket,
    readonly key: string,
    private readonly pool: UpstreamConnectionPool,
  ) {
    socket.setNoDelay(true);
    socket.setTimeout(pool.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => {
      const user = this.user;
      if (user !== undefined) user.onData(chunk);
      else socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error = error;
    });
    socket.on('timeout', () => {
      if (this.user === undefined) socket.destroy();
      else this.user.onTimeout();
    });
    socket.on('close', () => {
      const user = this.user;
      this.user = undefined;
      this.pool.forget(this);
      user?.onClose(this.error);
    });
  }

  attach(user: ConnectionUser): void {
    this.user = user;
  }

  /** The exchange is over and the connection can carry another one. */
  release(): void {
    this.user = undefined;
    this.reused = true;
    this.pool.putBack(this);
  }

  /** The exchange is over and the connection cannot be trusted for another. */
  discard(): void {
    this.user = undefined;
    this.socket.destroy();
  }
}

/**
 * Keep-alive connections to upstreams, per host:port: the most recently used idle one is taken
 * first (so surplus connections age out by the idle timeout), else a new one is opened.
 */
export class UpstreamConnectionPool {
  private readonly idle = new Map<string, UpstreamConnection[]>();
  private closed = false;

  constructor(
    readonly idleTimeoutMs = 30_000,
    private readonly maxIdlePerUpstream = 256,
  ) {}

  /** A connection for `user`: an idle one (reused = true) or a new one, connecting. */
  acquire(target: HostPort, user: ConnectionUser, fresh = false): UpstreamConnection {
    const key = `${target.host}:${target.port}`;
    if (!fresh) {
      const list = this.idle.get(key);
      const connection = list?.pop();
      if (connection !== undefined) {
        connection.attach(user);
        return connection;
      }
    }
    const connection = new UpstreamConnection(connect({ host: target.host, port: target.port }), key, this);
    connection.attach(user);
    return connection;
  }

  putBack(connection: UpstreamConnection): void {
    if (this.closed || connection.socket.destroyed || !connection.socket.writable) {
      connection.socket.destroy();
      return;
    }
    let list = this.idle.get(connection.key);
    if (list === undefined) this.idle.set(connection.key, (list = []));
    if (list.length >= this.maxIdlePerUpstream) connection.socket.destroy();
    else list.push(connection);
  }

  /** Drops a closed connection from the idle list. */
  forget(connection: UpstreamConnection): void {
    const list = this.idle.get(connection.key);
    if (list === undefined) return;
    const index = list.indexOf(connection);
    if (index >= 0) list.splice(index, 1);
  }

  /** How many idle connections there are (all upstreams). */
  get idleCount(): number {
    let count = 0;
    for (const list of this.idle.values()) count += list.length;
    return count;
  }

  /** Closes the idle connections; connections in use close when their exchange ends. */
  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) for (const connection of list.splice(0)) connection.socket.destroy();
  }
}
