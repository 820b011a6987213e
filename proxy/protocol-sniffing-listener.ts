import type { Server as HttpServer } from 'node:http';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { capConnections, openConnections, type ListenerStats } from './listener-stats.js';
import type { ConnectionLimits, HostPort } from './proxy-config.js';

/** The first bytes an HTTP/2 client sends with prior knowledge (RFC 9113 §3.4). */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** How long closing waits for HTTP/1.1 requests in flight. */
const DRAIN_MS = 5000;

/**
 * One port for HTTP/1.1 and HTTP/2 with prior knowledge (h2c, as gRPC clients speak it), as
 * Envoy's HTTP connection manager with `codec_type: AUTO`: each connection's first bytes
 * decide. The HTTP/1.1 server listens; its own connection handler is set aside and called for
 * every connection that does not open with the HTTP/2 preface, so it keeps everything it does
 * for its connections (timeouts, idle tracking, close). A preface hands the connection to
 * `http2` instead. The bytes read to decide are put back for the server that takes it.
 *
 * The listener holds at most `limits.maxConnections` connections of either kind. One that has
 * not shown which protocol it speaks within `limits.headerTimeoutMs` (nothing sent, or part
 * of the HTTP/2 preface dribbled in) is closed; from then on node:http times request heads
 * and idle keep-alive connections, and limitHttp2Sessions times HTTP/2 sessions.
 */
export class ProtocolSniffingListener {
  private constructor(
    private readonly http1: HttpServer,
    private readonly sessions: ReadonlySet<ServerHttp2Session>,
    /** Connections whose first bytes have not come yet. */
    private readonly undecided: ReadonlySet<Socket>,
    readonly address: HostPort,
  ) {}

  static async start(listen: HostPort, http1: HttpServer, http2: Http2Server, limits: ConnectionLimits, stats: ListenerStats): Promise<ProtocolSniffingListener> {
    const sessions = new Set<ServerHttp2Session>();
    http2.on('session', (session: ServerHttp2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
    const [serveHttp1, ...others] = http1.listeners('connection') as ((socket: Socket) => void)[];
    if (serveHttp1 === undefined || others.length > 0) throw new Error('ProtocolSniffingListener: expected a node:http server with only its own connection handler');
    http1.removeAllListeners('connection');
    const undecided = new Set<Socket>();
    http1.on('connection', (socket: Socket) => sniff(socket, (taken) => serveHttp1.call(http1, taken), http2, undecided, limits.headerTimeoutMs, stats));
    capConnections(http1, limits.maxConnections, stats);
    await new Promise<void>((resolve, reject) => {
      http1.once('error', reject);
      http1.listen(listen.port, listen.host, () => {
        http1.off('error', reject);
        resolve();
      });
    });
    return new ProtocolSniffingListener(http1, sessions, undecided, { host: listen.host, port: (http1.address() as AddressInfo).port });
  }

  /** Connections open on the port, of either protocol. */
  openConnections(): Promise<number> {
    return openConnections(this.http1);
  }

  /**
   * Stops accepting. Idle HTTP/1.1 connections, and connections that have sent nothing yet, close
   * now; requests in flight get up to DRAIN_MS. HTTP/2 sessions are closed (streams in flight
   * finish) and destroyed after DRAIN_MS.
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        this.http1.closeAllConnections();
        for (const session of this.sessions) session.destroy();
      }, DRAIN_MS);
      force.unref();
      // node:http's close also closes its idle connections.
      this.http1.close(() => {
        clearTimeout(force);
        resolve();
      });
      for (const socket of this.undecided) socket.destroy();
      for (const session of this.sessions) session.close();
    });
  }
}

function sniff(socket: Socket, serveHttp1: (socket: Socket) => void, http2: Http2Server, undecided: Set<Socket>, headerTimeoutMs: number, stats: ListenerStats): void {
  let seen: Buffer | undefined;
  undecided.add(socket);
  // From the connection, not from its last byte: a preface dribbled in a byte at a time must not keep it open.
  const timer = headerTimeoutMs > 0 ? setTimeout(() => {
    stats.countHeaderTimeout();
    socket.destroy();
  }, headerTimeoutMs).unref() : undefined;
  const giveUp = (): void => {
    undecided.delete(socket);
    clearTimeout(timer);
    socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    seen = seen === undefined ? chunk : Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, HTTP2_PREFACE.length);
    const http2Preface = seen.compare(HTTP2_PREFACE, 0, compared, 0, compared) === 0;
    if (http2Preface && seen.length < HTTP2_PREFACE.length) return;
    undecided.delete(socket);
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', giveUp);
    socket.pause();
    socket.unshift(seen);
    if (http2Preface) {
      // node:http2 reads what is already buffered on the socket when it takes it over.
      http2.emit('connection', socket);
    } else {
      serveHttp1(socket);
      // node:http reads the socket natively from here on; the bytes put back arrive as 'data'.
      socket.resume();
    }
  };
  socket.on('data', onData);
  socket.on('error', giveUp);
  socket.once('close', () => {
    undecided.delete(socket);
    clearTimeout(timer);
  });
}
