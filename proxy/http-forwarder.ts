import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { HostPort } from './proxy-config.js';
import { responseHeadSize } from './http-request-attributes.js';

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

/**
 * A copy of `headers` without the hop-by-hop ones, those the Connection header names, and
 * `drop`; names in `keep` stay even when hop-by-hop (an upgrade keeps Connection and Upgrade).
 * Built fresh rather than with `delete`, which would slow every later use of the object.
 */
export function endToEndHeaders(headers: IncomingHttpHeaders, drop?: string, keep?: ReadonlySet<string>): OutgoingHttpHeaders {
  const connection = headers.connection;
  const named = connection !== undefined && connection !== 'keep-alive' && connection !== 'close' ? new Set(connection.split(',').map((name) => name.trim().toLowerCase())) : undefined;
  const copy: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (name === drop) continue;
    if ((HOP_BY_HOP.has(name) || named?.has(name) === true) && keep?.has(name) !== true) continue;
    copy[name] = headers[name];
  }
  return copy;
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

/** A request with no body at all: no content-length (or 0) and no transfer-encoding. */
function hasNoBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}

/** Envoy's response flags for what went wrong on the way to the upstream. */
export enum ProxyErrorCode {
  /** Upstream connection failure. */
  UPSTREAM_CONNECT_FAILURE = 'UF',
  /** The upstream reset the stream or closed before a full response. */
  UPSTREAM_RESET = 'UR',
  /** The downstream went away before the response was complete. */
  DOWNSTREAM_TERMINATED = 'DC',
  /** No healthy upstream. */
  NO_HEALTHY_UPSTREAM = 'UH',
  /** No route (no registered service for the host). */
  NO_ROUTE = 'NR',
}

export interface ForwardedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
}

/** What happened to one forwarded request, for the Report. */
export interface ForwardOutcome {
  readonly statusCode: number;
  readonly responseHeaders: IncomingHttpHeaders;
  readonly requestBodyBytes: number;
  readonly responseBodyBytes: number;
  readonly responseHeadBytes: number;
  /** Empty when the exchange completed. */
  readonly proxyErrorCode: ProxyErrorCode | '';
}

/**
 * A lean HTTP/1.1 forwarder on node:http: one keep-alive Agent per proxy, bodies streamed both
 * ways (never buffered), byte counts kept for the Report. `onResponseHead` may edit the
 * response headers (route directive operations) before they are sent.
 */
export class HttpForwarder {
  private readonly agent: Agent;

  constructor(options: { maxSockets?: number; maxFreeSockets?: number } = {}) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256, maxFreeSockets: options.maxFreeSockets ?? 256, scheduling: 'lifo' });
  }

  /**
   * Forwards one request. `retry` may offer another target after a connect failure; only
   * requests without a body are retried (a body already sent cannot be replayed).
   */
  forward(
    downstream: IncomingMessage,
    response: ServerResponse,
    target: HostPort,
    outgoing: ForwardedRequest,
    onResponseHead: (headers: IncomingHttpHeaders) => void,
    retry?: () => HostPort | undefined,
  ): Promise<ForwardOutcome> {
    return new Promise((resolve) => {
      let requestBodyBytes = 0;
      let responseBodyBytes = 0;
      let responseHeadBytes = 0;
      let statusCode = 0;
      let responseHeaders: IncomingHttpHeaders = {};
      let settled = false;
      let current: ClientRequest | undefined;
      const bodyless = hasNoBody(downstream);
      const finish = (proxyErrorCode: ProxyErrorCode | ''): void => {
        if (settled) return;
        settled = true;
        resolve({ statusCode, responseHeaders, requestBodyBytes, responseBodyBytes, responseHeadBytes, proxyErrorCode });
      };
      const attempt = (to: HostPort): void => {
        const upstream = httpRequest({ agent: this.agent, host: to.host, port: to.port, method: outgoing.method, path: outgoing.path, headers: outgoing.headers, setHost: false });
        current = upstream;
        upstream.on('response', (reply: IncomingMessage) => {
          statusCode = reply.statusCode ?? 502;
          const headers = endToEndHeaders(reply.headers) as IncomingHttpHeaders;
          onResponseHead(headers);
          responseHeaders = headers;
          responseHeadBytes = responseHeadSize(statusCode, reply.rawHeaders);
          response.writeHead(statusCode, reply.statusMessage, headers as OutgoingHttpHeaders);
          reply.on('data', (chunk: Buffer) => {
            responseBodyBytes += chunk.length;
          });
          reply.pipe(response);
          reply.on('error', () => {
            response.destroy();
            finish(ProxyErrorCode.UPSTREAM_RESET);
          });
          reply.on('aborted', () => {
            response.destroy();
            finish(ProxyErrorCode.UPSTREAM_RESET);
          });
        });
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          if (settled) return;
          if (statusCode !== 0 || response.headersSent) {
            response.destroy();
            finish(ProxyErrorCode.UPSTREAM_RESET);
            return;
          }
          const connect = CONNECT_ERRORS.has(error.code ?? '');
          const next = connect && bodyless && retry !== undefined ? retry() : undefined;
          if (next !== undefined) {
            attempt(next);
            return;
          }
          statusCode = 503;
          const body = `upstream connect error or disconnect/reset before headers. reset reason: ${connect ? 'connection failure' : 'remote reset'}`;
          responseHeaders = { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) };
          response.writeHead(503, responseHeaders as OutgoingHttpHeaders);
          response.end(body);
          finish(connect ? ProxyErrorCode.UPSTREAM_CONNECT_FAILURE : ProxyErrorCode.UPSTREAM_RESET);
        });
        if (bodyless) upstream.end();
        else downstream.pipe(upstream);
      };
      response.on('finish', () => finish(''));
      response.on('close', () => {
        if (!response.writableFinished) {
          current?.destroy();
          finish(ProxyErrorCode.DOWNSTREAM_TERMINATED);
        }
      });
      if (bodyless) downstream.resume();
      else {
        downstream.on('data', (chunk: Buffer) => {
          requestBodyBytes += chunk.length;
        });
      }
      attempt(target);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
