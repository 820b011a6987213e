import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { Duration } from '../core/attribute/duration.js';
import { StringMap } from '../core/attribute/string-map.js';
import { Timestamp } from '../core/attribute/timestamp.js';
import { RpcCode } from '../core/status/rpc-code.js';
import { FORWARDED_ATTRIBUTES_HEADER } from './forwarded-attributes.js';
import { applyHeaderOperations, type RequestLine } from './header-operations.js';
import { ProxyErrorCode } from './http-forwarder.js';
import { headerRecord, http2Head } from './http-request-attributes.js';
import type { Http2Upstreams } from './http2-upstreams.js';
import type { AttributeList } from './identity-attributes.js';
import type { ListenerStats } from './listener-stats.js';
import type { MixerPolicy } from './mixer-policy.js';
import { type RequestAdmission, type LocalReply } from './request-admission.js';

/** Headers HTTP/2 forbids (connection-specific), besides pseudo-headers handled apart. */
const CONNECTION_SPECIFIC = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host'];

/** How one HTTP/2 exchange ended, for the Report. */
interface StreamOutcome {
  statusCode: number;
  responseHeaders: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  requestBytes: number;
  responseBytes: number;
  proxyErrorCode: ProxyErrorCode | '';
}

/**
 * HTTP/2 cleartext streams (gRPC) through one side of the sidecar: Check before the call goes
 * on, Report after its trailers with `response.grpc_status` and `response.grpc_message`. A
 * gRPC call the sidecar refuses gets a trailers-only answer carrying the Check's status code.
 */
export class GrpcTrafficHandler {
  /** `admission`: the side's attributes, route and Check, shared with its HTTP/1.1 handler (one connection numbering). */
  constructor(
    private readonly admission: RequestAdmission,
    private readonly policy: MixerPolicy,
    private readonly upstreams: Http2Upstreams,
    private readonly stats: ListenerStats,
  ) {}

  readonly handle = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
    stream.on('error', () => stream.destroy());
    this.serve(stream, headers).catch(() => stream.destroy());
  };

  private async serve(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
    const head = http2Head(headers);
    const admission = await this.admission.admit(head, stream.session?.socket as Socket);
    const { attributes, started } = admission;
    let outcome: StreamOutcome;
    if (admission.local !== undefined) {
      stream.resume();
      outcome = this.localReply(stream, admission.local, attributes.get('context.protocol') === 'grpc');
    } else {
      const { route, directive } = admission;
      const outgoing: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':') && !CONNECTION_SPECIFIC.includes(name)) outgoing[name] = value;
      delete outgoing[FORWARDED_ATTRIBUTES_HEADER];
      outgoing['x-request-id'] = admission.requestId;
      if (route.forwardedHeader !== undefined) outgoing[FORWARDED_ATTRIBUTES_HEADER] = route.forwardedHeader;
      const line: RequestLine = { method: head.method, path: head.path, authority: head.authority };
      if (directive !== undefined) this.stats.countRefusedHeaderOperations(applyHeaderOperations(outgoing, directive.requestHeaderOperations, line));
      outgoing[':method'] = line.method;
      outgoing[':path'] = line.path;
      outgoing[':authority'] = line.authority;
      outgoing[':scheme'] = 'http';
      outcome = await this.forward(stream, route.target, outgoing, (responseHeaders) => {
        if (directive !== undefined) this.stats.countRefusedHeaderOperations(applyHeaderOperations(responseHeaders, directive.responseHeaderOperations));
      });
      if (outcome.proxyErrorCode === ProxyErrorCode.UPSTREAM_CONNECT_FAILURE) route.onConnectFailure?.();
    }
    this.report(attributes, outcome, started);
  }

  private localReply(stream: ServerHttp2Stream, local: LocalReply, grpc: boolean): StreamOutcome {
    if (grpc) {
      // A refused gRPC call: HTTP 200, trailers-only, the Check's code (UNAVAILABLE when there was no Check).
      const code = local.decision?.status.code ?? RpcCode.UNAVAILABLE;
      const message = local.decision?.status.message ?? local.body;
      const headers: OutgoingHttpHeaders = { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) };
      if (!stream.destroyed) stream.respond(headers, { endStream: true });
      return { statusCode: 200, responseHeaders: headers as IncomingHttpHeaders, trailers: {}, requestBytes: 0, responseBytes: 0, proxyErrorCode: local.proxyErrorCode };
    }
    const headers: OutgoingHttpHeaders = { ':status': local.statusCode, 'content-type': 'text/plain' };
    if (local.directive !== undefined) this.stats.countRefusedHeaderOperations(applyHeaderOperations(headers, local.directive.responseHeaderOperations));
    if (!stream.destroyed) {
      stream.respond(headers);
      stream.end(local.body);
    }
    return { statusCode: local.statusCode, responseHeaders: headers as IncomingHttpHeaders, trailers: {}, requestBytes: 0, responseBytes: Buffer.byteLength(local.body), proxyErrorCode: local.proxyErrorCode };
  }

  private forward(stream: ServerHttp2Stream, target: { host: string; port: number }, outgoing: OutgoingHttpHeaders, onResponseHead: (headers: OutgoingHttpHeaders) => void): Promise<StreamOutcome> {
    return new Promise((resolve) => {
      const outcome: StreamOutcome = { statusCode: 0, responseHeaders: {}, trailers: {}, requestBytes: 0, responseBytes: 0, proxyErrorCode: '' };
      let settled = false;
      const finish = (code: ProxyErrorCode | ''): void => {
        if (settled) return;
        settled = true;
        if (outcome.proxyErrorCode === '') outcome.proxyErrorCode = code;
        resolve(outcome);
      };
      const upstream = this.upstreams.session(target).request(outgoing);
      upstream.on('response', (headers: IncomingHttpHeaders, flags: number) => {
        outcome.statusCode = Number(headers[':status'] ?? 502);
        const reply: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':') && !CONNECTION_SPECIFIC.includes(name)) reply[name] = value;
        onResponseHead(reply);
        outcome.responseHeaders = reply as IncomingHttpHeaders;
        const endStream = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
        if (stream.destroyed) return;
        stream.respond({ ...reply, ':status': outcome.statusCode }, endStream ? { endStream: true } : { waitForTrailers: true });
      });
      upstream.on('trailers', (trailers: IncomingHttpHeaders) => {
        outcome.trailers = trailers;
      });
      stream.on('wantTrailers', () => {
        const trailers: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(outcome.trailers)) if (!name.startsWith(':')) trailers[name] = value;
        stream.sendTrailers(trailers);
      });
      upstream.on('data', (chunk: Buffer) => {
        outcome.responseBytes += chunk.length;
      });
      stream.on('data', (chunk: Buffer) => {
        outcome.requestBytes += chunk.length;
      });
      stream.pipe(upstream);
      upstream.pipe(stream);
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (outcome.statusCode === 0 && !stream.headersSent && !stream.destroyed) {
          const refused = error.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(error.message);
          outcome.statusCode = 200;
          outcome.proxyErrorCode = refused ? ProxyErrorCode.UPSTREAM_CONNECT_FAILURE : ProxyErrorCode.UPSTREAM_RESET;
          outcome.trailers = { 'grpc-status': String(RpcCode.UNAVAILABLE), 'grpc-message': 'upstream connect error or disconnect/reset before headers' };
          stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...outcome.trailers }, { endStream: true });
        } else stream.destroy();
        finish(outcome.proxyErrorCode === '' ? ProxyErrorCode.UPSTREAM_RESET : outcome.proxyErrorCode);
      });
      stream.once('close', () => {
        if (!upstream.closed) upstream.close(constants.NGHTTP2_CANCEL);
        finish(stream.rstCode !== undefined && stream.rstCode !== constants.NGHTTP2_NO_ERROR ? ProxyErrorCode.DOWNSTREAM_TERMINATED : '');
      });
    });
  }

  private report(attributes: AttributeList, outcome: StreamOutcome, started: bigint): void {
    const now = Date.now();
    attributes.set('request.size', outcome.requestBytes);
    attributes.set('request.total_size', outcome.requestBytes);
    attributes.set('response.code', outcome.statusCode);
    attributes.set('response.headers', StringMap.adopt(headerRecord(outcome.responseHeaders), 'response.headers'));
    attributes.set('response.size', outcome.responseBytes);
    attributes.set('response.total_size', outcome.responseBytes);
    attributes.set('response.time', Timestamp.fromMillis(now));
    attributes.set('response.duration', Duration.ofNanos(process.hrtime.bigint() - started));
    attributes.set('context.time', Timestamp.fromMillis(now));
    // Trailers-only answers carry grpc-status in the headers.
    const status = outcome.trailers['grpc-status'] ?? outcome.responseHeaders['grpc-status'];
    if (status !== undefined) attributes.set('response.grpc_status', String(status));
    const message = outcome.trailers['grpc-message'] ?? outcome.responseHeaders['grpc-message'];
    if (message !== undefined) attributes.set('response.grpc_message', decodeMessage(String(message)));
    if (outcome.proxyErrorCode !== '') attributes.set('context.proxy_error_code', outcome.proxyErrorCode);
    this.policy.report(attributes);
  }
}

function decodeMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
