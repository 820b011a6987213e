import { readProtocol } from './proxy-config-loader.js';
import { ListenerProtocol } from './proxy-config.js';
import { FieldReader, join, parseHostPort, readYamlFile, type YamlSource } from './yaml-fields.js';

/** One workload instance behind a service: where its inbound proxy listens and who it is. */
export interface ServiceEndpoint {
  readonly host: string;
  readonly port: number;
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly principal: string;
  /** Declared health; a declared-unhealthy endpoint never gets traffic. */
  readonly healthy: boolean;
}

export interface RegisteredService {
  readonly host: string;
  readonly name: string;
  readonly namespace: string;
  readonly protocol: ListenerProtocol;
  /** For TCP services: the outbound port the app connects to for this service (0 = none). */
  readonly outboundPort: number;
  readonly endpoints: readonly ServiceEndpoint[];
}

/** How long an endpoint that refused a connection is skipped (a passive health check). */
export const DEFAULT_EJECTION_MS = 5000;

/**
 * The static service registry that stands in for Pilot: service host → endpoints with labels.
 * `pick` round-robins over the healthy endpoints; an endpoint reported as failing (`eject`) is
 * skipped for a while, unless every endpoint is, in which case all are tried (panic mode).
 */
export class ServiceRegistry {
  private readonly byHost = new Map<string, RegisteredService>();
  private readonly cursor = new Map<string, number>();
  private readonly ejectedUntil = new Map<ServiceEndpoint, number>();

  constructor(
    readonly services: readonly RegisteredService[],
    private readonly now: () => number = Date.now,
    private readonly ejectionMs = DEFAULT_EJECTION_MS,
  ) {
    for (const service of services) this.byHost.set(service.host, service);
  }

  /**
   * The service for a Host header (port removed): the full host, or a short name
   * (`ratings`, `ratings.default`) expanded with the caller's namespace as Kubernetes DNS does.
   */
  resolve(hostHeader: string, callerNamespace: string): RegisteredService | undefined {
    const host = stripPort(hostHeader).toLowerCase();
    const exact = this.byHost.get(host);
    if (exact !== undefined) return exact;
    const dots = host.split('.').length - 1;
    if (dots === 0) return this.byHost.get(`${host}.${callerNamespace}.svc.cluster.local`);
    if (dots === 1) return this.byHost.get(`${host}.svc.cluster.local`);
    return undefined;
  }

  /** The next endpoint, round-robin over healthy, non-ejected ones; undefined when none is healthy. */
  pick(service: RegisteredService, exclude?: ReadonlySet<ServiceEndpoint>): ServiceEndpoint | undefined {
    if (exclude === undefined && this.ejectedUntil.size === 0 && this.allHealthy(service)) {
      // The common case, without allocations: every endpoint declared healthy, none ejected.
      const index = this.cursor.get(service.host) ?? 0;
      this.cursor.set(service.host, (index + 1) % 1_000_000_007);
      return service.endpoints[index % service.endpoints.length];
    }
    const healthy = service.endpoints.filter((endpoint) => endpoint.healthy && exclude?.has(endpoint) !== true);
    if (healthy.length === 0) return undefined;
    const now = this.now();
    const available = healthy.filter((endpoint) => (this.ejectedUntil.get(endpoint) ?? 0) <= now);
    const pool = available.length > 0 ? available : healthy;
    for (const [endpoint, until] of this.ejectedUntil) if (until <= now) this.ejectedUntil.delete(endpoint);
    const index = this.cursor.get(service.host) ?? 0;
    this.cursor.set(service.host, (index + 1) % 1_000_000_007);
    return pool[index % pool.length];
  }

  private allHealthy(service: RegisteredService): boolean {
    if (service.endpoints.length === 0) return false;
    for (const endpoint of service.endpoints) if (!endpoint.healthy) return false;
    return true;
  }

  /** Skips `endpoint` for the ejection time (it refused a connection). */
  eject(endpoint: ServiceEndpoint): void {
    this.ejectedUntil.set(endpoint, this.now() + this.ejectionMs);
  }

  tcpServices(): RegisteredService[] {
    return this.services.filter((service) => service.protocol === ListenerProtocol.TCP && service.outboundPort > 0);
  }
}

export function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon >= 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/** Loads a registry file: `services: [{host, name?, namespace?, protocol?, outboundPort?, endpoints: [...]}]`. */
export function loadServiceRegistry(file: string, now?: () => number): ServiceRegistry {
  return new ServiceRegistry(parseServiceRegistry(readYamlFile(file)), now);
}

export function parseServiceRegistry(source: YamlSource): RegisteredService[] {
  const reader = new FieldReader(source);
  const top = reader.object(source.value, '', ['services'], true);
  const services: RegisteredService[] = [];
  const seen = new Set<string>();
  reader.list(top?.['services'], 'services').forEach((raw, index) => {
    const path = join('services', index);
    const object = reader.object(raw, path, ['host', 'name', 'namespace', 'protocol', 'outboundPort', 'endpoints'], true);
    const host = reader.string(object, 'host', path).toLowerCase();
    if (host !== '' && seen.has(host)) reader.problem(join(path, 'host'), `duplicate service host ${host}`);
    seen.add(host);
    const labels = host.split('.');
    const name = reader.string(object, 'name', path, labels[0] ?? host);
    const namespace = reader.string(object, 'namespace', path, labels[1] ?? 'default');
    const protocol = readProtocol(reader, object, path);
    const outboundPort = reader.number(object, 'outboundPort', path, 0, (port) => Number.isInteger(port) && port >= 0 && port <= 65535, 'a port 0-65535');
    const endpoints = reader.list(object?.['endpoints'], join(path, 'endpoints')).map((entry, endpointIndex) => {
      const endpointPath = join(join(path, 'endpoints'), endpointIndex);
      const endpoint = reader.object(entry, endpointPath, ['address', 'uid', 'name', 'namespace', 'labels', 'principal', 'healthy'], true);
      const address = reader.string(endpoint, 'address', endpointPath);
      const parsed = parseHostPort(address);
      if (address !== '' && (parsed === undefined || parsed.port === 0)) reader.problem(join(endpointPath, 'address'), `expected host:port, got ${JSON.stringify(address)}`);
      const endpointName = reader.string(endpoint, 'name', endpointPath, `${name}-${endpointIndex}`);
      const endpointNamespace = reader.string(endpoint, 'namespace', endpointPath, namespace);
      return Object.freeze({
        host: parsed?.host ?? '127.0.0.1',
        port: parsed?.port ?? 0,
        uid: reader.string(endpoint, 'uid', endpointPath, `kubernetes://${endpointName}.${endpointNamespace}`),
        name: endpointName,
        namespace: endpointNamespace,
        labels: reader.labels(endpoint, 'labels', endpointPath),
        principal: reader.string(endpoint, 'principal', endpointPath, ''),
        healthy: reader.boolean(endpoint, 'healthy', endpointPath, true),
      });
    });
    if (protocol === ListenerProtocol.TCP && outboundPort === 0) reader.problem(join(path, 'outboundPort'), 'a tcp service needs the outbound port the app connects to');
    services.push(Object.freeze({ host, name, namespace, protocol, outboundPort, endpoints: Object.freeze(endpoints) }));
  });
  reader.done();
  return services;
}
