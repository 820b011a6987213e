import { ServerCredentials, ServerInterceptingCall, type Server as GrpcServer, type ServerInterceptingCallInterface, type ServerInterceptor, type ServerOptions } from '@grpc/grpc-js';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ListenerLimits } from '../net/listener-limits.js';

/** A listener as bound. */
export interface BoundListener {
  /** `host:port`, an IPv6 host in brackets. */
  readonly address: string;
  /** The TCP server (for metrics: open connections, 'drop'). */
  readonly server: Server;
}

/** How often calls still waiting for their request are looked at, at most. */
const MAX_SWEEP_MS = 1000;
const MIN_SWEEP_MS = 10;

/**
 * The TCP listener of a grpc-js server, kept by Mixer so that the server keeps `limits`, which
 * grpc-js alone cannot:
 * - the connection cap: node closes each connection past `maxConnections` as it arrives
 *   ('drop'); every other one is handed to grpc-js through its connection injector;
 * - idle connections: `grpc.max_connection_idle_ms` closes a connection with no call open
 *   (GOAWAY, then close), counted from its start, so one that never sends the HTTP/2 preface
 *   closes too. grpc-js compares Date.now() with when the connection went idle as its timer
 *   fires, and the timer runs on the event loop's cached clock, which can be a few ms behind:
 *   then it finds the connection not quite idle long enough and waits a whole second period;
 * - calls whose request never completes: a call is open from its headers to its half-close; one
 *   still open after the request timeout has a client that stopped sending mid-request. grpc-js
 *   has no timeout for it, and answering it would not free its stream (about 6 KiB, held until
 *   the client ends its side) nor let the connection idle out, so its connection is closed, with
 *   every stream on it. A real client sends a unary request in one go.
 *
 * Create it first: the gRPC server takes its `serverOptions`; then `listen`.
 */
export class GrpcListener {
  /** Calls whose request has not fully arrived, with when they started. */
  private readonly pending = new Map<ServerInterceptingCallInterface, number>();
  /** Open connections by `remoteAddress|remotePort`, as calls name their peer. */
  private readonly sockets = new Map<string, Socket>();
  private sweeper: NodeJS.Timeout | undefined;
  private tcp: Server | undefined;
  private grpc: GrpcServer | undefined;

  constructor(private readonly limits: ListenerLimits) {}

  /** The grpc-js server options that keep the limits (spread them into the server's options). */
  get serverOptions(): ServerOptions {
    return { 'grpc.max_connection_idle_ms': this.limits.idleTimeoutMs, interceptors: [this.tracker] };
  }

  /** Whether `listen` has succeeded. */
  get listening(): boolean {
    return this.tcp !== undefined;
  }

  /** Listens on `host:port` (0 picks a free port) and serves what arrives with `grpc`. */
  async listen(grpc: GrpcServer, host: string, port: number): Promise<BoundListener> {
    const injector = grpc.createConnectionInjector(ServerCredentials.createInsecure());
    const tcp = createServer((socket) => {
      const key = `${socket.remoteAddress}|${socket.remotePort}`;
      this.sockets.set(key, socket);
      socket.once('close', () => this.sockets.delete(key));
      injector.injectConnection(socket);
    });
    tcp.maxConnections = this.limits.maxConnections;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    this.tcp = tcp;
    this.grpc = grpc;
    const every = Math.max(MIN_SWEEP_MS, Math.min(MAX_SWEEP_MS, Math.floor(this.limits.requestTimeoutMs / 4)));
    this.sweeper = setInterval(() => this.cutStalledCalls(), every);
    this.sweeper.unref();
    return { address: `${host.includes(':') ? `[${host}]` : host}:${(tcp.address() as AddressInfo).port}`, server: tcp };
  }

  /**
   * Stops accepting connections, shuts the gRPC server down (calls in flight get up to
   * `graceMs` to finish, then are cut off), and resolves once every connection has closed.
   */
  async close(graceMs: number): Promise<void> {
    clearInterval(this.sweeper);
    const { tcp, grpc } = this;
    if (tcp === undefined || grpc === undefined) return;
    // Accepting stops first: a connection injected after grpc-js has shut down would be served by nobody.
    const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        grpc.forceShutdown();
        resolve();
      }, graceMs);
      grpc.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await closed;
  }

  /** Notes each call from its start to its half-close (or its end, if it never gets there). */
  private readonly tracker: ServerInterceptor = (_method, call) => {
    const pending = this.pending;
    return new ServerInterceptingCall(call, {
      start: (next) => {
        pending.set(call, performance.now());
        next({
          onReceiveHalfClose: (forward) => {
            pending.delete(call);
            forward();
          },
          onCancel: () => pending.delete(call),
        });
      },
    });
  };

  private cutStalledCalls(): void {
    if (this.pending.size === 0) return;
    const startedBefore = performance.now() - this.limits.requestTimeoutMs;
    for (const [call, started] of this.pending) {
      // Calls are noted in the order they start: the rest are younger.
      if (started > startedBefore) break;
      this.pending.delete(call);
      const peer = call.getConnectionInfo();
      this.sockets.get(`${peer.remoteAddress}|${peer.remotePort}`)?.destroy();
    }
  }
}
