import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Duration } from '../core/attribute/duration.js';
import { Timestamp } from '../core/attribute/timestamp.js';
import { isOk } from '../core/status/rpc-status.js';
import type { AttributeValue } from '../core/attribute/value.js';
import { ProxyErrorCode } from './http-forwarder.js';
import { ConnectionIds } from './connection-facts.js';
import { destinationIdentity, socketIp, sourceIdentity, upstreamIdentity, type AttributeList } from './identity-attributes.js';
import type { MixerPolicy } from './mixer-policy.js';
import { capConnections, openConnections, type ListenerStats } from './listener-stats.js';
import type { ConnectionLimits, HostPort, WorkloadIdentity } from './proxy-config.js';
import type { RegisteredService, ServiceEndpoint } from './service-registry.js';

/** Where one accepted connection goes; undefined when there is no healthy upstream. */
export type TcpTarget =
  | { readonly target: HostPort; readonly service?: RegisteredService; readonly endpoint?: ServiceEndpoint; readonly onConnectFailure?: () => void }
  | undefined;

/** Istio's TcpClientConfig.report_interval default. */
export const DEFAULT_TCP_REPORT_INTERVAL_MS = 10_000;

interface ByteCounts {
  received: number;
  sent: number;
  reportedReceived: number;
  reportedSent: number;
}

export interface TcpListenerOptions {
  readonly direction: 'inbound' | 'outbound';
  /** How often an open connection reports `continue` (default 10 s, Istio's). */
  readonly reportIntervalMs?: number;
  readonly workload: WorkloadIdentity;
  readonly policy: MixerPolicy;
  readonly target: () => TcpTarget;
  /** maxConnections and tcpIdleTimeoutMs apply; TCP has no request head to time. */
  readonly limits: ConnectionLimits;
  readonly stats: ListenerStats;
}

/**
 * A plain TCP listener with Mixer policy, as Istio's TCP filter: Check when a connection
 * arrives (a denial closes it), Report `open` once the upstream is connected, `continue` every
 * report interval, and `close` when both sides are done, with byte counts and duration. At
 * most `limits.maxConnections` are open; one with no byte either way for
 * `limits.tcpIdleTimeoutMs` is closed (tcp_proxy's idle_timeout). There is no header timeout:
 * in protocols where the server speaks first, a silent client is normal.
 */
export class TcpProxyListener {
  private readonly sockets = new Set<Socket>();
  private readonly ids: ConnectionIds;

  private constructor(
    private readonly server: Server,
    readonly address: HostPort,
    private readonly options: TcpListenerOptions,
  ) {
    this.ids = new ConnectionIds(`${options.workload.uid}-tcp-${options.direction}`);
    capConnections(server, options.limits.maxConnections, options.stats);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      const idleMs = options.limits.tcpIdleTimeoutMs;
      if (idleMs > 0) {
        // Refreshed by reads and writes alike, so it measures silence in both directions.
        socket.setTimeout(idleMs);
        socket.once('timeout', () => {
          options.stats.countIdleTimeout();
          socket.destroy();
        });
      }
      this.serve(socket).catch(() => socket.destroy());
    });
  }

  static async start(listen: HostPort, options: TcpListenerOptions): Promise<TcpProxyListener> {
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpProxyListener(server, { host: listen.host, port: (server.address() as AddressInfo).port }, options);
  }

  private async serve(socket: Socket): Promise<void> {
    const started = process.hrtime.bigint();
    const { direction, workload, policy } = this.options;
    const attributes: AttributeList = new Map<string, AttributeValue>([
      ...policy.mixerAttributes,
      ['context.protocol', 'tcp'],
      ['context.reporter.kind', direction],
      ['context.reporter.uid', workload.uid],
      ['connection.mtls', false],
      ['connection.id', this.ids.of(socket).id],
      ['context.time', Timestamp.now()],
    ]);
    const sourceIp = socketIp(socket.remoteAddress);
    if (sourceIp !== undefined) attributes.set('source.ip', sourceIp);
    const target = this.options.target();
    if (direction === 'inbound') {
      for (const [name, value] of destinationIdentity(workload)) attributes.set(name, value);
      const ip = socketIp(socket.localAddress);
      if (ip !== undefined) attributes.set('destination.ip', ip);
      if (target !== undefined) attributes.set('destination.port', target.target.port);
    } else {
      for (const [name, value] of sourceIdentity(workload)) attributes.set(name, value);
      if (target?.service !== undefined && target.endpoint !== undefined) for (const [name, value] of upstreamIdentity(target.service, target.endpoint)) attributes.set(name, value);
    }
    if (target === undefined) {
      socket.destroy();
      this.report(attributes, 'close', started, { received: 0, sent: 0, reportedReceived: 0, reportedSent: 0 }, ProxyErrorCode.NO_HEALTHY_UPSTREAM);
      return;
    }
    const decision = await policy.check(attributes);
    // Gone while Mixer decided (the client left, or the idle timeout): no upstream connection for it.
    const gone = socket.destroyed;
    if (gone || (decision !== undefined && !isOk(decision.status))) {
      socket.destroy();
      this.report(attributes, 'close', started, { received: 0, sent: 0, reportedReceived: 0, reportedSent: 0 }, gone ? ProxyErrorCode.DOWNSTREAM_TERMINATED : '');
      return;
    }
    const counts: ByteCounts = { received: 0, sent: 0, reportedReceived: 0, reportedSent: 0 };
    let connected = false;
    let closed = false;
    let periodic: NodeJS.Timeout | undefined;
    const upstream = connect({ host: target.target.host, port: target.target.port, allowHalfOpen: true });
    this.sockets.add(upstream);
    upstream.once('close', () => this.sockets.delete(upstream));
    const finish = (proxyErrorCode: ProxyErrorCode | ''): void => {
      if (closed) return;
      closed = true;
      if (periodic !== undefined) clearInterval(periodic);
      socket.destroy();
      upstream.destroy();
      this.report(attributes, 'close', started, counts, proxyErrorCode);
    };
    upstream.once('connect', () => {
      connected = true;
      this.report(new Map(attributes), 'open', started, counts, '');
      // Long connections also report every interval ('continue'), with the bytes since the last report.
      periodic = setInterval(() => this.report(new Map(attributes), 'continue', started, counts, ''), this.options.reportIntervalMs ?? DEFAULT_TCP_REPORT_INTERVAL_MS);
      periodic.unref();
      socket.on('data', (chunk: Buffer) => {
        counts.received += chunk.length;
      });
      upstream.on('data', (chunk: Buffer) => {
        counts.sent += chunk.length;
      });
      socket.pipe(upstream);
      upstream.pipe(socket);
      socket.resume();
    });
    upstream.once('error', () => {
      if (!connected) target.onConnectFailure?.();
      finish(connected ? ProxyErrorCode.UPSTREAM_RESET : ProxyErrorCode.UPSTREAM_CONNECT_FAILURE);
    });
    socket.once('error', () => finish(''));
    // A half-close is passed on (pipe ends the other side); the connection is reported once both are gone.
    let ends = 0;
    const ended = (): void => {
      if (++ends === 2) finish('');
    };
    socket.once('close', () => (connected ? ended() : finish('')));
    upstream.once('close', ended);
  }

  /** `connection.*.bytes` are the bytes since the previous report, the `_total`s since the connection opened. */
  private report(attributes: AttributeList, event: 'open' | 'continue' | 'close', started: bigint, counts: ByteCounts, proxyErrorCode: ProxyErrorCode | ''): void {
    attributes.set('connection.event', event);
    attributes.set('connection.received.bytes', counts.received - counts.reportedReceived);
    attributes.set('connection.received.bytes_total', counts.received);
    attributes.set('connection.sent.bytes', counts.sent - counts.reportedSent);
    attributes.set('connection.sent.bytes_total', counts.sent);
    counts.reportedReceived = counts.received;
    counts.reportedSent = counts.sent;
    attributes.set('connection.duration', Duration.ofNanos(process.hrtime.bigint() - started));
    attributes.set('context.time', Timestamp.now());
    if (proxyErrorCode !== '') attributes.set('context.proxy_error_code', proxyErrorCode);
    this.options.policy.report(attributes);
  }

  /** Client connections open (upstream ones not counted). */
  openConnections(): Promise<number> {
    return openConnections(this.server);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}
