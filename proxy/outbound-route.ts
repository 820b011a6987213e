import type { AttributeValue } from '../core/attribute/value.js';
import { forwardedAttributesHeader } from './forwarded-attributes.js';
import { ProxyErrorCode } from './http-forwarder.js';
import type { RequestHead } from './http-request-attributes.js';
import type { HttpRoute, RetryTarget, RouteDecision } from './http-route.js';
import { forwardedIdentity, sourceIdentity, upstreamIdentity, type AttributeList } from './identity-attributes.js';
import type { WorkloadIdentity } from './proxy-config.js';
import type { RegisteredService, ServiceEndpoint, ServiceRegistry } from './service-registry.js';

/** Other endpoints tried after a connect failure (Pilot's default: 2 retries). */
export const MAX_CONNECT_RETRIES = 2;

/**
 * The outbound side: the app calls a service by name (the Host header); the registry picks an
 * endpoint round-robin. The workload is the source; its identity travels to the next hop in
 * `x-istio-attributes`.
 */
export class OutboundRoute implements HttpRoute {
  readonly direction = 'outbound';
  private readonly identity: [string, AttributeValue][];
  /** Per service: the encoded forward header and the endpoint attributes (both fixed). */
  private readonly headers = new Map<RegisteredService, string>();
  private readonly endpointAttributes = new Map<ServiceEndpoint, [string, AttributeValue][]>();

  constructor(
    private readonly workload: WorkloadIdentity,
    private readonly registry: ServiceRegistry,
  ) {
    this.identity = sourceIdentity(workload);
  }

  route(request: RequestHead, attributes: AttributeList): RouteDecision {
    for (const [name, value] of this.identity) attributes.set(name, value);
    const host = request.authority;
    const service = this.registry.resolve(host, this.workload.namespace);
    if (service === undefined) {
      return { kind: 'reject', statusCode: 502, body: `no registered service for host ${JSON.stringify(host)}`, proxyErrorCode: ProxyErrorCode.NO_ROUTE };
    }
    attributes.set('destination.service.host', service.host);
    attributes.set('destination.service.name', service.name);
    attributes.set('destination.service.namespace', service.namespace);
    const endpoint = this.registry.pick(service);
    if (endpoint === undefined) return { kind: 'reject', statusCode: 503, body: 'no healthy upstream', proxyErrorCode: ProxyErrorCode.NO_HEALTHY_UPSTREAM };
    for (const [name, value] of this.identityOf(service, endpoint)) attributes.set(name, value);
    let forwarded = this.headers.get(service);
    if (forwarded === undefined) {
      forwarded = forwardedAttributesHeader(forwardedIdentity(this.workload, service));
      this.headers.set(service, forwarded);
    }
    // Istio retries connect failures on other hosts (2 retries, previous-hosts predicate).
    const tried = new Set([endpoint]);
    let current = endpoint;
    const retry = (): RetryTarget | undefined => {
      this.registry.eject(current);
      if (tried.size > MAX_CONNECT_RETRIES) return undefined;
      const next = this.registry.pick(service, tried);
      if (next === undefined) return undefined;
      tried.add(next);
      current = next;
      return { target: next, attributes: this.identityOf(service, next) };
    };
    return { kind: 'forward', target: endpoint, forwardedHeader: forwarded, onConnectFailure: () => this.registry.eject(current), retry };
  }

  private identityOf(service: RegisteredService, endpoint: ServiceEndpoint): [string, AttributeValue][] {
    let upstream = this.endpointAttributes.get(endpoint);
    if (upstream === undefined) {
      upstream = upstreamIdentity(service, endpoint);
      this.endpointAttributes.set(endpoint, upstream);
    }
    return upstream;
  }
}
