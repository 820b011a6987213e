import type { AttributeValue } from '../core/attribute/value.js';
import type { ClientLogger } from '../core/client/client-logger.js';
import { FORWARDED_ATTRIBUTES_HEADER, parseForwardedAttributesHeader } from './forwarded-attributes.js';
import type { HttpRoute, RouteDecision } from './http-route.js';
import type { ConnectionFacts } from './connection-facts.js';
import type { RequestHead } from './http-request-attributes.js';
import { ACCEPTED_FORWARDED_ATTRIBUTES, destinationIdentity, type AttributeList } from './identity-attributes.js';
import type { HostPort, WorkloadIdentity } from './proxy-config.js';

/** Distinct forwarded headers whose decoding is kept (one per calling workload in practice). */
const DECODED_HEADERS_KEPT = 1024;

/**
 * The inbound side: every request goes to the local app. The workload is the destination.
 * The caller's `x-istio-attributes` adds only the accepted attributes, and only those the
 * sidecar does not know from its own config (workload, mixerAttributes): the header is not
 * authenticated, so it may fill gaps but never override. A malformed header is ignored, as
 * Envoy ignores it. The header itself never reaches the app.
 */
export class InboundRoute implements HttpRoute {
  readonly direction = 'inbound';
  private readonly identity;
  private readonly decision: RouteDecision;
  private readonly decoded = new Map<string, readonly [string, AttributeValue][]>();

  constructor(
    workload: WorkloadIdentity,
    private readonly app: HostPort,
    private readonly logger: ClientLogger,
  ) {
    this.identity = destinationIdentity(workload);
    this.decision = { kind: 'forward', target: app, forwardedHeader: undefined };
  }

  route(request: RequestHead, attributes: AttributeList, connection: ConnectionFacts): RouteDecision {
    for (const [name, value] of this.identity) attributes.set(name, value);
    if (connection.localIp !== undefined) attributes.set('destination.ip', connection.localIp);
    attributes.set('destination.port', this.app.port);
    const header = request.headers[FORWARDED_ATTRIBUTES_HEADER];
    if (typeof header === 'string') for (const [name, value] of this.accepted(header)) if (!attributes.has(name)) attributes.set(name, value);
    return this.decision;
  }

  /**
   * The accepted attributes of a header value. A caller sends the same value on every request,
   * so decoded values are kept (a bounded map, cleared when full); attribute values are immutable.
   */
  private accepted(header: string): readonly [string, AttributeValue][] {
    const known = this.decoded.get(header);
    if (known !== undefined) return known;
    let accepted: [string, AttributeValue][] = [];
    try {
      accepted = [...parseForwardedAttributesHeader(header)].filter(([name]) => ACCEPTED_FORWARDED_ATTRIBUTES.has(name));
    } catch (error) {
      this.logger.debug({ err: error }, `ignoring a malformed ${FORWARDED_ATTRIBUTES_HEADER} header`);
    }
    if (this.decoded.size >= DECODED_HEADERS_KEPT) this.decoded.clear();
    this.decoded.set(header, accepted);
    return accepted;
  }
}
