import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClientLogger } from '../core/client/client-logger.js';
import type { MixerTransport } from '../core/client/transport.js';
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Session } from 'node:http2';
import { GrpcTrafficHandler } from './grpc-traffic-handler.js';
import { HttpForwarder } from './http-forwarder.js';
import { Http2Upstreams } from './http2-upstreams.js';
import { HttpTrafficHandler } from './http-traffic-handler.js';
import { InboundRoute } from './inbound-route.js';
import { limitHttp2Sessions } from './http2-session-limits.js';
import { capConnections, ListenerStats, openConnections } from './listener-stats.js';
import { createMixerClient } from './mixer-client-factory.js';
import { MixerPolicy } from './mixer-policy.js';
import { OutboundRoute } from './outbound-route.js';
import { ProtocolSniffingListener } from './protocol-sniffing-listener.js';
import { RequestAdmission } from './request-admission.js';
import { ListenerProtocol, type ConnectionLimits, type HostPort, type ProxyConfig } from './proxy-config.js';
import { loadServiceRegistry, type ServiceRegistry } from './service-registry.js';
import { TcpProxyListener } from './tcp-proxy-listener.js';

export interface SidecarDependencies {
  readonly logger: ClientLogger;
  /** The registry (default: loaded from the config's registry file). */
  readonly registry?: ServiceRegistry;
  /** How to reach Mixer (default: from the config's mixer.address). */
  readonly transport?: MixerTransport;
}

/** Where the running proxy listens. */
export interface SidecarAddresses {
  readonly inbound: HostPort | undefined;
  readonly outbound: HostPort | undefined;
  /** The outbound h2c (gRPC) listener, when configured. */
  readonly outboundGrpc: HostPort | undefined;
  /** Outbound TCP listeners, by service host. */
  readonly outboundTcp: ReadonlyMap<string, HostPort>;
}

type Listener = { close(): Promise<void>; openConnections(): Promise<number> };

/**
 * `mixer proxy`: one process per workload. An inbound listener in front of the local app and
 * an outbound listener for the app's calls, both applying Mixer policy (Check before
 * forwarding, Report after) through one Mixer client.
 */
export class SidecarProxy {
  private constructor(
    readonly addresses: SidecarAddresses,
    readonly policy: MixerPolicy,
    /** What each listener refused or closed, by listener: inbound, outbound, outbound-grpc, outbound-tcp:<host>. */
    readonly stats: ReadonlyMap<string, ListenerStats>,
    private readonly listeners: ReadonlyMap<string, Listener>,
    private readonly forwarder: HttpForwarder,
    private readonly upstreams: Http2Upstreams,
  ) {}

  static async start(config: ProxyConfig, dependencies: SidecarDependencies): Promise<SidecarProxy> {
    const client = createMixerClient(config.mixer, dependencies.logger, dependencies.transport);
    const policy = new MixerPolicy(client, { checkEnabled: !config.mixer.disableCheck, reportEnabled: !config.mixer.disableReport, quotaRules: config.quotaRules, mixerAttributes: config.mixerAttributes });
    const forwarder = new HttpForwarder();
    const upstreams = new Http2Upstreams();
    const listeners = new Map<string, Listener>();
    const outboundTcp = new Map<string, HostPort>();
    const stats = new Map<string, ListenerStats>();
    const statsFor = (listener: string): ListenerStats => {
      const created = new ListenerStats(listener, dependencies.logger);
      stats.set(listener, created);
      return created;
    };
    const limits = config.limits;
    try {
      let inbound: HostPort | undefined;
      let outbound: HostPort | undefined;
      let outboundGrpc: HostPort | undefined;
      if (config.inbound !== undefined) {
        if (config.inbound.protocol === ListenerProtocol.GRPC) {
          const admission = new RequestAdmission(new InboundRoute(config.workload, config.inbound.app, dependencies.logger), policy, config.workload.uid);
          const server = await listenHttp2(config.inbound.listen, admission, policy, upstreams, limits, statsFor('inbound'));
          listeners.set('inbound', server);
          inbound = server.address;
        } else if (config.inbound.protocol === ListenerProtocol.TCP) {
          const tcp = await TcpProxyListener.start(config.inbound.listen, {
            direction: 'inbound',
            workload: config.workload,
            policy,
            reportIntervalMs: config.mixer.tcpReportIntervalMs,
            target: () => ({ target: config.inbound!.app }),
            limits,
            stats: statsFor('inbound'),
          });
          listeners.set('inbound', tcp);
          inbound = tcp.address;
        } else {
          const admission = new RequestAdmission(new InboundRoute(config.workload, config.inbound.app, dependencies.logger), policy, config.workload.uid);
          const server = await listenHttp(config.inbound.listen, admission, policy, forwarder, upstreams, limits, statsFor('inbound'));
          listeners.set('inbound', server);
          inbound = server.address;
        }
      }
      if (config.outbound !== undefined) {
        const registry = dependencies.registry ?? loadServiceRegistry(config.registryFile!);
        // One admission for every outbound HTTP port: one connection numbering across them.
        const admission = new RequestAdmission(new OutboundRoute(config.workload, registry), policy, config.workload.uid);
        const server = await listenHttp(config.outbound.listen, admission, policy, forwarder, upstreams, limits, statsFor('outbound'));
        listeners.set('outbound', server);
        outbound = server.address;
        if (config.outbound.grpcListen !== undefined) {
          const grpc = await listenHttp2(config.outbound.grpcListen, admission, policy, upstreams, limits, statsFor('outbound-grpc'));
          listeners.set('outbound-grpc', grpc);
          outboundGrpc = grpc.address;
        }
        for (const service of registry.tcpServices()) {
          const tcp = await TcpProxyListener.start(
            { host: config.outbound.listen.host, port: service.outboundPort },
            {
              direction: 'outbound',
              workload: config.workload,
              policy,
              reportIntervalMs: config.mixer.tcpReportIntervalMs,
              target: () => outboundTcpTarget(registry, service.host),
              limits,
              stats: statsFor(`outbound-tcp:${service.host}`),
            },
          );
          listeners.set(`outbound-tcp:${service.host}`, tcp);
          outboundTcp.set(service.host, tcp.address);
        }
      }
      return new SidecarProxy({ inbound, outbound, outboundGrpc, outboundTcp }, policy, stats, listeners, forwarder, upstreams);
    } catch (error) {
      await Promise.all([...listeners.values()].map((listener) => listener.close()));
      forwarder.close();
      upstreams.close();
      await policy.close();
      throw error;
    }
  }

  /** How many connections a listener (named as in `stats`) has open; undefined for a listener it does not have. */
  openConnections(listener: string): Promise<number> | undefined {
    return this.listeners.get(listener)?.openConnections();
  }

  /** Stops accepting, ends open connections, flushes the last reports. */
  async close(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((listener) => listener.close()));
    this.forwarder.close();
    this.upstreams.close();
    await this.policy.close();
  }
}

function outboundTcpTarget(registry: ServiceRegistry, host: string): ReturnType<Parameters<typeof TcpProxyListener.start>[1]['target']> {
  const service = registry.resolve(host, '');
  if (service === undefined) return undefined;
  const endpoint = registry.pick(service);
  if (endpoint === undefined) return undefined;
  return { target: endpoint, service, endpoint, onConnectFailure: () => registry.eject(endpoint) };
}

/**
 * An HTTP listener: HTTP/1.1 (with upgrades) and, on the same port, HTTP/2 with prior knowledge
 * (gRPC), told apart by each connection's first bytes, as Envoy's `codec_type: AUTO`. node:http
 * times HTTP/1.1 request heads (headersTimeout, checked often enough for the limit to hold
 * within a quarter of it) and idle keep-alive connections (keepAliveTimeout, plus the second of
 * grace node adds past what it advertises).
 */
async function listenHttp(
  listen: HostPort,
  admission: RequestAdmission,
  policy: MixerPolicy,
  forwarder: HttpForwarder,
  upstreams: Http2Upstreams,
  limits: ConnectionLimits,
  stats: ListenerStats,
): Promise<ProtocolSniffingListener> {
  const handler = new HttpTrafficHandler(admission, policy, forwarder, { tunnelIdleTimeoutMs: limits.tcpIdleTimeoutMs, stats });
  const headers = limits.headerTimeoutMs;
  const http1 = createServer(
    {
      keepAlive: true,
      keepAliveTimeout: limits.idleTimeoutMs,
      headersTimeout: headers,
      // node's limit on a whole request (body included) stays at its default unless heads may take longer.
      requestTimeout: Math.max(NODE_REQUEST_TIMEOUT_MS, headers),
      ...(headers > 0 ? { connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headers / 4))) } : {}),
    },
    handler.handle,
  );
  http1.on('upgrade', handler.upgrade);
  // With a listener, node leaves the idle keep-alive socket to it.
  http1.on('timeout', (socket: Socket) => {
    stats.countIdleTimeout();
    socket.destroy();
  });
  http1.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (timedOut) stats.countHeaderTimeout();
    // Written, then closed whether or not the client reads: a slowloris client must not hold the socket.
    if (socket.writable) socket.write(timedOut ? 'HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    socket.destroy();
  });
  return ProtocolSniffingListener.start(listen, http1, http2Server(admission, policy, upstreams, limits, stats), limits, stats);
}

/** node:http's default limit on receiving a whole request. */
const NODE_REQUEST_TIMEOUT_MS = 300_000;

/** An HTTP/2 server whose streams go through the gRPC traffic handler (not listening by itself). */
function http2Server(admission: RequestAdmission, policy: MixerPolicy, upstreams: Http2Upstreams, limits: ConnectionLimits, stats: ListenerStats): Http2Server {
  const handler = new GrpcTrafficHandler(admission, policy, upstreams, stats);
  const server = createHttp2Server();
  server.on('session', (session: ServerHttp2Session) => session.on('error', () => session.destroy()));
  limitHttp2Sessions(server, limits, stats);
  server.on('stream', handler.handle);
  return server;
}

class Http2Listener implements Listener {
  constructor(
    private readonly server: Http2Server,
    private readonly sessions: Set<ServerHttp2Session>,
    readonly address: HostPort,
  ) {}

  openConnections(): Promise<number> {
    return openConnections(this.server);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const session of this.sessions) session.destroy();
    });
  }
}

async function listenHttp2(listen: HostPort, admission: RequestAdmission, policy: MixerPolicy, upstreams: Http2Upstreams, limits: ConnectionLimits, stats: ListenerStats): Promise<Http2Listener> {
  const server = http2Server(admission, policy, upstreams, limits, stats);
  capConnections(server, limits.maxConnections, stats);
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return new Http2Listener(server, sessions, { host: listen.host, port: address.port });
}
