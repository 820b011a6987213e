import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { ChunkedBodyDecoder } from './chunked-body-decoder.js';
import { MixerError } from '../core/errors/mixer-error.js';
import { hasInvalidFieldValueChar, isFieldName, isMethod, isRequestTarget } from './http-field-syntax.js';
import type { HostPort } from './proxy-config.js';
import { BodyFraming, parseResponseHead, type ResponseHead } from './response-head.js';
import { UpstreamConnectionPool, type ConnectionUser, type UpstreamConnection } from './upstream-connection-pool.js';

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
  /** The upstream's response was not valid HTTP/1.1. */
  UPSTREAM_PROTOCOL_ERROR = 'UPE',
  /** The upstream did not start its response in time. */
  UPSTREAM_REQUEST_TIMEOUT = 'UT',
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

/** The longest upstream response head accepted (Envoy's default header limit is 60 KiB). */
const MAX_RESPONSE_HEAD = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

/** A request line or header that cannot be put on the wire (a route directive's value with a line break, say). */
export class InvalidHeaderError extends MixerError {
  constructor(message: string) {
    super('MIXER_ERR_PROXY_INVALID_HEADER', message);
  }
}

/**
 * The request line and headers as HTTP/1.1 text; `chunked` adds Transfer-Encoding for a body
 * of unknown length. Anything outside the grammar throws InvalidHeaderError: the text is
 * written as latin1, where a character above 0xFF loses its high byte.
 */
export function requestHeadText(outgoing: ForwardedRequest, chunked: boolean): string {
  if (!isMethod(outgoing.method)) throw new InvalidHeaderError(`invalid request method ${JSON.stringify(outgoing.method)}`);
  if (!isRequestTarget(outgoing.path)) throw new InvalidHeaderError(`invalid request target ${JSON.stringify(outgoing.path)}`);
  let text = `${outgoing.method} ${outgoing.path} HTTP/1.1\r\n`;
  const headers = outgoing.headers;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (!isFieldName(name)) throw new InvalidHeaderError(`invalid header name ${JSON.stringify(name)}`);
    if (typeof value === 'string') {
      if (hasInvalidFieldValueChar(value)) throw new InvalidHeaderError(`invalid character in the value of header ${name}`);
      text += `${name}: ${value}\r\n`;
    } else if (typeof value === 'number') text += `${name}: ${value}\r\n`;
    else {
      for (const item of value) {
        if (hasInvalidFieldValueChar(item)) throw new InvalidHeaderError(`invalid character in the value of header ${name}`);
        text += `${name}: ${item}\r\n`;
      }
    }
  }
  if (chunked) text += 'transfer-encoding: chunked\r\n';
  return `${text}\r\n`;
}

/**
 * A lean HTTP/1.1 forwarder: node:http parses the downstream side; the upstream side is a
 * hand-written client on pooled keep-alive sockets (the request head written in one piece, the
 * response head parsed here, bodies streamed both ways with backpressure, never buffered).
 * It costs about half of node's http.request per exchange (bench/proxy). Byte counts are kept
 * for the Report. `onResponseHead` may edit the response headers (route directive operations)
 * before they are sent.
 */
export class HttpForwarder {
  private readonly pool: UpstreamConnectionPool;

  /**
   * `idleTimeoutMs` (30 s): how long an idle keep-alive connection is kept, and how long an
   * upstream may stay silent before starting its response (then 504, `UT`).
   */
  constructor(options: { idleTimeoutMs?: number; maxIdlePerUpstream?: number } = {}) {
    this.pool = new UpstreamConnectionPool(options.idleTimeoutMs, options.maxIdlePerUpstream);
  }

  /** Idle keep-alive connections held (for tests and metrics). */
  get idleConnections(): number {
    return this.pool.idleCount;
  }

  /**
   * Forwards one request. `retry` may offer another target after a connect failure; only
   * requests without a body are retried (a body already sent cannot be replayed). A bodyless
   * request that finds its reused keep-alive connection closed by the upstream is sent again
   * once on a new connection.
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
      const exchange = new ForwardExchange(this.pool, downstream, response, outgoing, onResponseHead, retry, resolve);
      exchange.start(target);
    });
  }

  close(): void {
    this.pool.close();
  }
}

/** One request/response exchange with an upstream, from the request head to the response's end. */
class ForwardExchange implements ConnectionUser {
  private readonly bodyless: boolean;
  private readonly chunkedRequest: boolean;
  private readonly headText: string;
  private connection: UpstreamConnection | undefined;
  private target: HostPort | undefined;
  private pending: Buffer | undefined;
  private head: ResponseHead | undefined;
  private remaining = 0;
  private chunks: ChunkedBodyDecoder | undefined;
  private responseComplete = false;
  private requestComplete: boolean;
  private receivedAny = false;
  private statusCode = 0;
  private responseHeaders: IncomingHttpHeaders = {};
  private requestBodyBytes = 0;
  private responseBodyBytes = 0;
  private responseHeadBytes = 0;
  private settled = false;

  constructor(
    private readonly pool: UpstreamConnectionPool,
    private readonly downstream: IncomingMessage,
    private readonly response: ServerResponse,
    private readonly outgoing: ForwardedRequest,
    private readonly onResponseHead: (headers: IncomingHttpHeaders) => void,
    private readonly retry: (() => HostPort | undefined) | undefined,
    private readonly resolve: (outcome: ForwardOutcome) => void,
  ) {
    this.bodyless = hasNoBody(downstream);
    this.chunkedRequest = !this.bodyless && downstream.headers['content-length'] === undefined;
    this.requestComplete = this.bodyless;
    this.headText = requestHeadText(outgoing, this.chunkedRequest);
    response.on('finish', () => this.finish(''));
    response.on('close', () => {
      if (!response.writableFinished) {
        this.connection?.discard();
        this.connection = undefined;
        this.finish(ProxyErrorCode.DOWNSTREAM_TERMINATED);
      }
    });
    if (this.bodyless) downstream.resume();
    else this.streamRequestBody();
  }

  start(target: HostPort, fresh = false): void {
    this.target = target;
    const connection = this.pool.acquire(target, this, fresh);
    this.connection = connection;
    connection.socket.write(this.headText, 'latin1');
  }

  private streamRequestBody(): void {
    const downstream = this.downstream;
    downstream.on('data', (chunk: Buffer) => {
      this.requestBodyBytes += chunk.length;
      const socket = this.connection?.socket;
      if (socket === undefined || chunk.length === 0) return;
      const flowing = this.chunkedRequest ? writeChunk(socket, chunk) : socket.write(chunk);
      if (!flowing) {
        downstream.pause();
        socket.once('drain', () => downstream.resume());
      }
    });
    downstream.on('end', () => {
      if (this.chunkedRequest) this.connection?.socket.write('0\r\n\r\n');
      this.requestComplete = true;
      this.releaseIfDone();
    });
  }

  onData(chunk: Buffer): void {
    this.receivedAny = true;
    try {
      if (this.head === undefined) {
        const buffer = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
        this.pending = undefined;
        this.readHeads(buffer);
      } else this.readBody(chunk);
    } catch (error) {
      this.protocolError(error instanceof Error ? error.message : String(error));
    }
  }

  /** Reads interim (1xx) heads and the final one, then whatever body follows in `buffer`. */
  private readHeads(buffer: Buffer): void {
    let start = 0;
    for (;;) {
      const end = buffer.indexOf(HEAD_END, start);
      if (end < 0) {
        if (buffer.length - start > MAX_RESPONSE_HEAD) throw new Error(`response head over ${MAX_RESPONSE_HEAD} bytes`);
        this.pending = start === 0 ? buffer : buffer.subarray(start);
        return;
      }
      const headBytes = end + 4 - start;
      if (headBytes > MAX_RESPONSE_HEAD) throw new Error(`response head over ${MAX_RESPONSE_HEAD} bytes`);
      const head = parseResponseHead(buffer.toString('latin1', start, end), this.outgoing.method);
      start = end + 4;
      if (head.statusCode === 101) throw new Error('101 Switching Protocols to a request that asked for no upgrade');
      if (head.statusCode < 200) continue; // 100 Continue, 103 Early Hints: node:http already answered the client's Expect
      this.head = head;
      this.responseHeadBytes = headBytes;
      this.sendHead(head);
      if (head.framing === BodyFraming.NONE) {
        this.endResponse(start < buffer.length);
        return;
      }
      if (head.framing === BodyFraming.LENGTH) this.remaining = head.contentLength;
      if (head.framing === BodyFraming.CHUNKED) this.chunks = new ChunkedBodyDecoder();
      if (head.framing === BodyFraming.LENGTH && this.remaining === 0) {
        this.endResponse(start < buffer.length);
        return;
      }
      if (start < buffer.length) this.readBody(start === 0 ? buffer : buffer.subarray(start));
      return;
    }
  }

  private sendHead(head: ResponseHead): void {
    this.statusCode = head.statusCode;
    const headers = endToEndHeaders(head.headers) as IncomingHttpHeaders;
    this.onResponseHead(headers);
    this.responseHeaders = headers;
    this.response.writeHead(head.statusCode, head.statusMessage, headers as OutgoingHttpHeaders);
  }

  private readBody(chunk: Buffer): void {
    const head = this.head!;
    if (head.framing === BodyFraming.LENGTH) {
      if (chunk.length >= this.remaining) {
        const last = chunk.length === this.remaining ? chunk : chunk.subarray(0, this.remaining);
        this.responseBodyBytes += last.length;
        this.remaining = 0;
        this.response.end(last);
        this.endResponse(chunk.length > last.length, true);
        return;
      }
      this.remaining -= chunk.length;
      this.writeBody(chunk);
    } else if (head.framing === BodyFraming.CHUNKED) {
      const end = this.chunks!.push(chunk, (data) => this.writeBody(data));
      if (end >= 0) this.endResponse(end < chunk.length);
    } else this.writeBody(chunk);
  }

  private writeBody(data: Buffer): void {
    this.responseBodyBytes += data.length;
    if (this.response.write(data)) return;
    const socket = this.connection?.socket;
    // Paused already: one 'drain' listener is enough (a read full of small chunks would add one each).
    if (socket === undefined || socket.isPaused()) return;
    socket.pause();
    this.response.once('drain', this.resumeUpstream);
  }

  /** Reads the upstream again once the client has caught up (a no-op once the connection is released). */
  private readonly resumeUpstream = (): void => {
    this.connection?.socket.resume();
  };

  /** The response is complete: end it downstream (unless done already) and free the connection. */
  private endResponse(trailingBytes: boolean, ended = false): void {
    if (!ended) this.response.end();
    this.responseComplete = true;
    if (trailingBytes || !this.head!.reusable) {
      this.connection?.discard();
      this.connection = undefined;
      return;
    }
    this.releaseIfDone();
  }

  private releaseIfDone(): void {
    if (!this.responseComplete || !this.requestComplete || this.connection === undefined) return;
    const connection = this.connection;
    this.connection = undefined;
    // A response emits no 'drain' once ended: a socket paused for the client's backpressure while
    // the last of the body arrived would go back to the pool paused and hang the next exchange.
    connection.socket.resume();
    connection.release();
  }

  onClose(error: NodeJS.ErrnoException | undefined): void {
    const connection = this.connection;
    this.connection = undefined;
    if (this.settled || this.responseComplete) return;
    if (this.head !== undefined) {
      if (this.head.framing === BodyFraming.UNTIL_CLOSE) {
        this.endResponse(false);
        return;
      }
      this.response.destroy();
      this.finish(ProxyErrorCode.UPSTREAM_RESET);
      return;
    }
    if (this.response.headersSent) {
      this.response.destroy();
      this.finish(ProxyErrorCode.UPSTREAM_RESET);
      return;
    }
    // A keep-alive connection the upstream had closed as we took it: send again on a new one.
    if (connection?.reused === true && !this.receivedAny && this.bodyless) {
      this.start(this.target!, true);
      return;
    }
    const connect = error !== undefined && !this.receivedAny && CONNECT_ERRORS.has(error.code ?? '');
    const next = connect && this.bodyless && this.retry !== undefined ? this.retry() : undefined;
    if (next !== undefined) {
      this.start(next);
      return;
    }
    this.failBeforeHead(503, `upstream connect error or disconnect/reset before headers. reset reason: ${connect ? 'connection failure' : 'remote reset'}`, connect ? ProxyErrorCode.UPSTREAM_CONNECT_FAILURE : ProxyErrorCode.UPSTREAM_RESET);
  }

  /**
   * Silence from the upstream for the idle timeout: before the response head it is a timeout
   * (504, as Envoy's route timeout answers); once the body streams, silence is the app's business.
   */
  onTimeout(): void {
    if (this.head !== undefined || this.settled) return;
    this.connection?.discard();
    this.connection = undefined;
    this.failBeforeHead(504, 'upstream request timeout', ProxyErrorCode.UPSTREAM_REQUEST_TIMEOUT);
  }

  private protocolError(reason: string): void {
    this.connection?.discard();
    this.connection = undefined;
    if (this.response.headersSent) {
      this.response.destroy();
      this.finish(ProxyErrorCode.UPSTREAM_PROTOCOL_ERROR);
      return;
    }
    this.failBeforeHead(502, `upstream sent an invalid HTTP response: ${reason}`, ProxyErrorCode.UPSTREAM_PROTOCOL_ERROR);
  }

  private failBeforeHead(statusCode: number, body: string, code: ProxyErrorCode): void {
    this.statusCode = statusCode;
    this.responseHeaders = { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) };
    this.response.writeHead(statusCode, this.responseHeaders as OutgoingHttpHeaders);
    this.response.end(body);
    this.finish(code);
  }

  private finish(proxyErrorCode: ProxyErrorCode | ''): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve({
      statusCode: this.statusCode,
      responseHeaders: this.responseHeaders,
      requestBodyBytes: this.requestBodyBytes,
      responseBodyBytes: this.responseBodyBytes,
      responseHeadBytes: this.responseHeadBytes,
      proxyErrorCode,
    });
  }
}

/** Writes one chunk of a chunked request body; false when the socket wants a pause. */
function writeChunk(socket: UpstreamConnection['socket'], chunk: Buffer): boolean {
  socket.write(`${chunk.length.toString(16)}\r\n`);
  socket.write(chunk);
  return socket.write('\r\n');
}
