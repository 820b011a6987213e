import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { httpServerOptions } from '../../core/net/http-server-limits.js';
import type { ListenerLimits } from '../../core/net/listener-limits.js';
import { MetricsListenError } from './errors.js';
import type { MetricFamily } from './metric-family.js';

/** Istio's metrics path. */
export const METRICS_PATH = '/metrics';

/** Where a listener listens: `host` '' means every interface. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** What a lease publishes: a handler's registry and the families registered in it. */
interface Published {
  readonly registry: Registry;
  readonly families: readonly MetricFamily[];
}

/**
 * One handler's use of a shared listener. A handler acquires it before it builds its metrics
 * (so it can take over families of the handler it replaces), `publish`es its registry, and
 * `release`s it on close; the listener closes when its last lease is released.
 */
export class MetricsLease {
  private published: Published | undefined;
  private released: Promise<void> | undefined;

  constructor(
    private readonly listener: SharedListener,
    /** The handler's name, for messages. */
    readonly owner: string,
    readonly logger: Logger,
  ) {}

  /** `http://host:port/metrics`. */
  get url(): string {
    return this.listener.url;
  }

  get port(): number {
    return this.listener.port;
  }

  /** What this lease publishes (undefined until `publish`, and after `release`). */
  get publication(): Published | undefined {
    return this.released === undefined ? this.published : undefined;
  }

  /**
   * A family with this definition that another live lease on the same listener publishes (the
   * handler being replaced, or another handler feeding the same metric), newest first.
   */
  reusableFamily(definition: string): MetricFamily | undefined {
    return this.listener.findFamily(definition, this);
  }

  /**
   * Starts serving `registry`. It becomes the newest publication: where two leases publish a
   * metric of the same name, the newest one's is served. Returns the names of metrics another
   * handler (not one of the same name) publishes with a different definition, now hidden.
   */
  publish(registry: Registry, families: readonly MetricFamily[]): string[] {
    this.published = { registry, families };
    return this.listener.promote(this);
  }

  /** Stops publishing; the listener closes once no lease is left. Idempotent. */
  release(): Promise<void> {
    this.released ??= this.listener.release(this);
    return this.released;
  }
}

/**
 * An HTTP listener serving `/metrics` for every handler that asked for its address: the union
 * of their registries, newest first, a metric name served once. Reference-counted by leases.
 */
export class SharedListener {
  private readonly leases: MetricsLease[] = [];
  private readonly server: Server;
  private bound: AddressInfo | undefined;
  readonly ready: Promise<void>;

  constructor(
    private readonly address: ListenAddress,
    limits: ListenerLimits,
    private readonly onClosed: (listener: SharedListener, closed: Promise<void>) => void,
  ) {
    this.server = createServer(httpServerOptions(limits), (request, response) => void this.respond(request, response));
    this.server.maxConnections = limits.maxConnections;
    this.ready = new Promise<void>((resolve, reject) => {
      this.server.once('error', (error) => reject(new MetricsListenError(this.describeAddress(), error)));
      const options = address.host === '' ? { port: address.port } : { host: address.host, port: address.port };
      this.server.listen(options, () => {
        this.bound = this.server.address() as AddressInfo;
        resolve();
      });
    });
    // The error is also delivered to every acquirer through `ready`.
    this.ready.catch(() => undefined);
  }

  get port(): number {
    return this.bound?.port ?? this.address.port;
  }

  /** The URL to scrape; an any-address listener is named by its loopback address. */
  get url(): string {
    const host = this.address.host;
    const shown = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    return `http://${shown.includes(':') ? `[${shown}]` : shown}:${this.port}${METRICS_PATH}`;
  }

  get leaseCount(): number {
    return this.leases.length;
  }

  lease(owner: string, logger: Logger): MetricsLease {
    const lease = new MetricsLease(this, owner, logger);
    this.leases.push(lease);
    return lease;
  }

  /** Moves `lease` to the newest place; names the metrics it now hides for another handler. */
  promote(lease: MetricsLease): string[] {
    const index = this.leases.indexOf(lease);
    if (index >= 0) this.leases.splice(index, 1);
    this.leases.push(lease);
    const mine = new Map((lease.publication?.families ?? []).map((family) => [family.spec.fullName, family.spec.definition]));
    const hidden = new Set<string>();
    for (const other of this.leases) {
      if (other === lease || other.owner === lease.owner) continue;
      for (const family of other.publication?.families ?? []) {
        const definition = mine.get(family.spec.fullName);
        if (definition !== undefined && definition !== family.spec.definition) hidden.add(family.spec.fullName);
      }
    }
    return [...hidden];
  }

  findFamily(definition: string, asking: MetricsLease): MetricFamily | undefined {
    for (let i = this.leases.length - 1; i >= 0; i--) {
      const lease = this.leases[i]!;
      if (lease === asking) continue;
      const found = lease.publication?.families.find((family) => family.spec.definition === definition);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  async release(lease: MetricsLease): Promise<void> {
    const index = this.leases.indexOf(lease);
    if (index >= 0) this.leases.splice(index, 1);
    if (this.leases.length > 0) return;
    const closed = this.close();
    this.onClosed(this, closed);
    await closed;
  }

  /** The exposition text: each lease's metrics, newest lease first, each metric name once. */
  async render(): Promise<string> {
    const seen = new Set<string>();
    const parts: string[] = [];
    for (let i = this.leases.length - 1; i >= 0; i--) {
      const publication = this.leases[i]!.publication;
      if (publication === undefined) continue;
      for (const metric of publication.registry.getMetricsAsArray()) {
        if (seen.has(metric.name)) continue;
        seen.add(metric.name);
        parts.push(await publication.registry.getSingleMetricAsString(metric.name));
      }
    }
    return `${parts.join('\n\n')}\n`;
  }

  private async respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    try {
      const body = await this.render();
      response.writeHead(200, { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE }).end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      this.leases.at(-1)?.logger.error({ err: error }, 'prometheus metrics could not be rendered');
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`could not render metrics: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  private async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Scrapers keep connections alive; they must not hold the port after the last handler.
      this.server.closeAllConnections();
    });
  }

  private describeAddress(): string {
    return `${this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host}:${this.address.port}`;
  }
}
