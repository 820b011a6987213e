import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { AttributeValue } from '../core/attribute/value.js';
import { decisionHttpStatus, type CheckDecision } from '../core/client/check-decision.js';
import type { RouteDirective } from '../core/runtime/check-outcome.js';
import { rpcCodeName } from '../core/status/rpc-code.js';
import { isOk } from '../core/status/rpc-status.js';
import { ConnectionIds } from './connection-facts.js';
import type { ProxyErrorCode } from './http-forwarder.js';
import { addRequestAttributes, httpProtocolOf, type RequestHead } from './http-request-attributes.js';
import type { HttpRoute, RouteDecision } from './http-route.js';
import type { AttributeList } from './identity-attributes.js';
import type { MixerPolicy } from './mixer-policy.js';

/** An answer the sidecar gives itself: a denial, a direct response, or no route. */
export interface LocalReply {
  readonly statusCode: number;
  readonly body: string;
  readonly directive: RouteDirective | undefined;
  readonly proxyErrorCode: ProxyErrorCode | '';
  /** The Check decision behind a denial or direct response (gRPC replies carry its status). */
  readonly decision: CheckDecision | undefined;
}

/** A request past attributes, routing and Check: either answered locally or to be forwarded. */
export type Admission =
  | { readonly head: RequestHead; readonly attributes: AttributeList; readonly started: bigint; readonly requestId: string; readonly local: LocalReply; readonly route?: undefined; readonly directive?: undefined }
  | {
      readonly head: RequestHead;
      readonly attributes: AttributeList;
      readonly started: bigint;
      readonly requestId: string;
      readonly local?: undefined;
      readonly route: Extract<RouteDecision, { kind: 'forward' }>;
      readonly directive: RouteDirective | undefined;
    };

/**
 * The front half of Envoy's Mixer filter, for HTTP/1.1, upgrades and HTTP/2 alike: build the
 * request's attributes (identity from the route, request.*, connection.*, context.*), pick the
 * route, Check with Mixer, and say whether to forward or answer locally.
 */
export class RequestAdmission {
  private readonly fixed: readonly (readonly [string, AttributeValue])[];
  private readonly connections: ConnectionIds;

  constructor(
    private readonly route: HttpRoute,
    private readonly policy: MixerPolicy,
    reporterUid: string,
  ) {
    // Mixer attributes from the config first: everything after them wins on a clash, as in Istio.
    this.fixed = [
      ...policy.mixerAttributes,
      ['context.reporter.kind', route.direction],
      ['context.reporter.uid', reporterUid],
      ['connection.mtls', false],
    ];
    this.connections = new ConnectionIds(`${reporterUid}-${route.direction}`);
  }

  /** At once (no promise) when no Check is needed or the check cache answers. */
  admit(request: RequestHead, socket: Socket): Admission | Promise<Admission> {
    const startedAt = Date.now();
    const started = process.hrtime.bigint();
    const attributes: AttributeList = new Map(this.fixed);
    const connection = this.connections.of(socket);
    const route = this.route.route(request, attributes, connection);
    const incomingId = request.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && incomingId !== '' ? incomingId : randomUUID();
    addRequestAttributes(attributes, request, requestId, startedAt);
    if (connection.sourceIp !== undefined) attributes.set('source.ip', connection.sourceIp);
    attributes.set('connection.id', connection.id);
    attributes.set('context.protocol', httpProtocolOf(request.headers));
    if (route.kind === 'reject') {
      return { head: request, attributes, started, requestId, local: { statusCode: route.statusCode, body: route.body, directive: undefined, proxyErrorCode: route.proxyErrorCode, decision: undefined } };
    }
    const verdict = this.policy.check(attributes);
    if (verdict instanceof Promise) return verdict.then((settled) => conclude(request, attributes, started, requestId, route, settled));
    return conclude(request, attributes, started, requestId, route, verdict);
  }
}

/** Forward, or answer locally with the denial or the direct response of the Check decision. */
function conclude(
  head: RequestHead,
  attributes: AttributeList,
  started: bigint,
  requestId: string,
  route: Extract<RouteDecision, { kind: 'forward' }>,
  verdict: CheckDecision | undefined,
): Admission {
  if (verdict !== undefined && (!isOk(verdict.status) || (verdict.routeDirective?.directResponseCode ?? 0) !== 0)) {
    const direct = verdict.routeDirective?.directResponseCode ?? 0;
    const body = direct !== 0 ? (verdict.routeDirective?.directResponseBody ?? '') : `${rpcCodeName(verdict.status.code)}:${verdict.status.message}`;
    return {
      head,
      attributes,
      started,
      requestId,
      local: { statusCode: decisionHttpStatus(verdict), body, directive: direct !== 0 ? verdict.routeDirective : undefined, proxyErrorCode: '', decision: verdict },
    };
  }
  return { head, attributes, started, requestId, route, directive: verdict?.routeDirective };
}
