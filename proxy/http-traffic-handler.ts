import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Duration } from '../core/attribute/duration.js';
import { StringMap } from '../core/attribute/string-map.js';
import { Timestamp } from '../core/attribute/timestamp.js';
import type { RouteDirective } from '../core/runtime/check-outcome.js';
import { FORWARDED_ATTRIBUTES_HEADER } from './forwarded-attributes.js';
import { applyHeaderOperations, type RequestLine } from './header-operations.js';
import { endToEndHeaders, ProxyErrorCode, type ForwardedRequest, type ForwardOutcome, type HttpForwarder } from './http-forwarder.js';
import { forwardUpgrade, rawResponseHead } from './upgrade-forwarder.js';
import { headerRecord, http1Head, requestHeadSize } from './http-request-attributes.js';
import type { AttributeList } from './identity-attributes.js';
import type { ListenerStats } from './listener-stats.js';
import { type RequestAdmission, type Admission } from './request-admission.js';
import type { MixerPolicy } from './mixer-policy.js';
import type { HostPort } from './proxy-config.js';

/** Hop-by-hop headers an upgrade must keep. */
const UPGRADE_HEADERS: ReadonlySet<string> = new Set(['connection', 'upgrade']);

/**
 * One HTTP request through one side of the sidecar, as Envoy's Mixer filter handles it:
 * attributes, Check (deny → the mapped status and message; direct response; header
 * operations), forward, Report with the response attributes.
 */
export class HttpTrafficHandler {
  /**
   * `admission`: the side's attributes, route and Check, shared with its HTTP/2 handler (one
   * connection numbering). `tunnelIdleTimeoutMs`: how long an upgraded tunnel may carry no bytes
   * either way (0: no limit). `stats`: the listener's counters.
   */
  constructor(
    private readonly admission: RequestAdmission,
    private readonly policy: MixerPolicy,
    private readonly forwarder: HttpForwarder,
    private readonly options: { readonly tunnelIdleTimeoutMs: number; readonly stats: ListenerStats },
  ) {}

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    this.serve(request, response).catch((error: unknown) => {
      // A bug here must not take the process down or leave the caller hanging.
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`proxy error: ${error instanceof Error ? error.message : String(error)}`);
      } else response.destroy();
    });
  };

  /** The upstream request's line and headers: hop-by-hop removed, request id and forwarded attributes set, directive applied. */
  private upstreamRequest(request: IncomingMessage, admission: Admission, keep?: ReadonlySet<string>): ForwardedRequest {
    const headers = endToEndHeaders(request.headers, FORWARDED_ATTRIBUTES_HEADER, keep);
    headers['x-request-id'] = admission.requestId;
    if (admission.route?.forwardedHeader !== undefined) headers[FORWARDED_ATTRIBUTES_HEADER] = admission.route.forwardedHeader;
    const head = admission.head;
    const line: RequestLine = { method: head.method, path: head.path, authority: head.authority };
    if (head.authority !== (request.headers.host ?? '')) headers['host'] = head.authority;
    if (admission.directive !== undefined) this.options.stats.countRefusedHeaderOperations(applyHeaderOperations(headers, admission.directive.requestHeaderOperations, line));
    return { method: line.method, path: line.path, headers };
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const admission = await this.admission.admit(http1Head(request), request.socket);
    const { attributes, started } = admission;
    if (admission.local !== undefined) {
      const local = admission.local;
      this.localReply(request, response, attributes, started, local.statusCode, local.body, local.directive, local.proxyErrorCode);
      return;
    }
    const { route, directive } = admission;
    const retry =
      route.retry === undefined
        ? undefined
        : (): HostPort | undefined => {
            const next = route.retry?.();
            if (next !== undefined) for (const [name, value] of next.attributes) attributes.set(name, value);
            return next?.target;
          };
    const outcome = await this.forwarder.forward(
      request,
      response,
      route.target,
      this.upstreamRequest(request, admission),
      (responseHeaders) => {
        if (directive !== undefined) this.options.stats.countRefusedHeaderOperations(applyHeaderOperations(responseHeaders, directive.responseHeaderOperations));
      },
      retry,
    );
    if (outcome.proxyErrorCode === ProxyErrorCode.UPSTREAM_CONNECT_FAILURE) route.onConnectFailure?.();
    this.addResponseAttributes(attributes, request, outcome, started);
    this.policy.report(attributes);
  }

  /** An HTTP upgrade (WebSocket): Check before it is passed on, Report once the tunnel closes. */
  readonly upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    this.tunnel(request, socket, head).catch(() => socket.destroy());
  };

  private async tunnel(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const admission = await this.admission.admit(http1Head(request), request.socket);
    const { attributes, started } = admission;
    if (admission.local !== undefined) {
      const local = admission.local;
      const headers: OutgoingHttpHeaders = { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(local.body)), connection: 'close' };
      if (local.directive !== undefined) this.options.stats.countRefusedHeaderOperations(applyHeaderOperations(headers, local.directive.responseHeaderOperations));
      socket.write(rawResponseHead(local.statusCode, headers), 'latin1');
      socket.end(local.body);
      this.addResponseAttributes(attributes, request, localOutcome(local.statusCode, headers, local.body, local.proxyErrorCode), started);
      this.policy.report(attributes);
      return;
    }
    const { route } = admission;
    const { stats, tunnelIdleTimeoutMs } = this.options;
    const outcome = await forwardUpgrade(
      socket,
      head,
      route.target,
      this.upstreamRequest(request, admission, UPGRADE_HEADERS),
      (headers) => {
        if (admission.directive !== undefined) stats.countRefusedHeaderOperations(applyHeaderOperations(headers, admission.directive.responseHeaderOperations));
      },
      { timeoutMs: tunnelIdleTimeoutMs, onIdle: () => stats.countIdleTimeout() },
    );
    if (outcome.proxyErrorCode === ProxyErrorCode.UPSTREAM_CONNECT_FAILURE) route.onConnectFailure?.();
    this.addResponseAttributes(attributes, request, outcome, started);
    attributes.set('connection.received.bytes', outcome.requestBodyBytes);
    attributes.set('connection.sent.bytes', outcome.responseBodyBytes);
    attributes.set('connection.duration', attributes.get('response.duration')!);
    this.policy.report(attributes);
  }

  /** Answers without forwarding (denial, direct response, no route), then reports it. */
  private localReply(
    request: IncomingMessage,
    response: ServerResponse,
    attributes: AttributeList,
    started: bigint,
    statusCode: number,
    body: string,
    directive: RouteDirective | undefined,
    proxyErrorCode: ProxyErrorCode | '',
  ): void {
    const headers: OutgoingHttpHeaders = { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) };
    if (directive !== undefined) this.options.stats.countRefusedHeaderOperations(applyHeaderOperations(headers, directive.responseHeaderOperations));
    request.resume();
    response.writeHead(statusCode, headers);
    response.end(body);
    this.addResponseAttributes(attributes, request, localOutcome(statusCode, headers, body, proxyErrorCode), started);
    this.policy.report(attributes);
  }

  private addResponseAttributes(attributes: AttributeList, request: IncomingMessage, outcome: ForwardOutcome, started: bigint): void {
    const now = Date.now();
    const elapsed = process.hrtime.bigint() - started;
    attributes.set('request.size', outcome.requestBodyBytes);
    attributes.set('request.total_size', requestHeadSize(request) + outcome.requestBodyBytes);
    attributes.set('response.code', outcome.statusCode);
    attributes.set('response.headers', StringMap.adopt(headerRecord(outcome.responseHeaders), 'response.headers'));
    attributes.set('response.size', outcome.responseBodyBytes);
    attributes.set('response.total_size', outcome.responseHeadBytes + outcome.responseBodyBytes);
    attributes.set('response.time', Timestamp.fromMillis(now));
    attributes.set('response.duration', Duration.ofNanos(elapsed));
    attributes.set('context.time', Timestamp.fromMillis(now));
    if (outcome.proxyErrorCode !== '') attributes.set('context.proxy_error_code', outcome.proxyErrorCode);
  }
}

export function localOutcome(statusCode: number, headers: OutgoingHttpHeaders, body: string, proxyErrorCode: ProxyErrorCode | ''): ForwardOutcome {
  return {
    statusCode,
    responseHeaders: headers as IncomingHttpHeaders,
    requestBodyBytes: 0,
    responseBodyBytes: Buffer.byteLength(body),
    responseHeadBytes: rawResponseHead(statusCode, headers).length,
    proxyErrorCode,
  };
}
