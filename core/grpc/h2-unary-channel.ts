import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { TransportError } from '../client/transport.js';
import { RpcCode, rpcCodeName } from '../status/rpc-code.js';

/** gRPC's mapping of an HTTP status other than 200 to a code (gRPC's http-grpc-status-mapping.md). */
const HTTP_STATUS_CODES: ReadonlyMap<number, RpcCode> = new Map([
  [400, RpcCode.INTERNAL],
  [401, RpcCode.UNAUTHENTICATED],
  [403, RpcCode.PERMISSION_DENIED],
  [404, RpcCode.UNIMPLEMENTED],
  [429, RpcCode.UNAVAILABLE],
  [502, RpcCode.UNAVAILABLE],
  [503, RpcCode.UNAVAILABLE],
  [504, RpcCode.UNAVAILABLE],
]);

/** The largest grpc-timeout value (8 digits). */
const MAX_TIMEOUT_DIGITS = 99_999_999;

/** The largest response message accepted by default: grpc-js's and grpc-go's 4 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * Unary gRPC calls over one cleartext HTTP/2 connection (node:http2), for a client that sends
 * raw message bytes: the request framed as a length-prefixed message, the deadline sent as
 * `grpc-timeout` and enforced here, the outcome read from `grpc-status` and `grpc-message` in
 * the trailers (or a trailers-only response). A lost connection is replaced on the next call.
 * As gRPC's own clients: a response message over the size limit is RESOURCE_EXHAUSTED, a 200
 * that is not application/grpc is INTERNAL, and a second message in a unary answer is
 * UNIMPLEMENTED.
 * It costs a fraction of grpc-js's per-call machinery (interceptors, filters, resolvers), which
 * showed in the sidecar's CPU per reported request (bench/proxy).
 */
export class H2UnaryChannel {
  private session: ClientHttp2Session | undefined;
  private sessionError: Error | undefined;
  private closed = false;

  /** `authority`: host:port (IPv6 in brackets). */
  constructor(
    private readonly authority: string,
    private readonly maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
  ) {}

  /** The response message of one call; rejects with TransportError carrying the gRPC code. */
  call(path: string, message: Uint8Array, deadlineMs: number, signal?: AbortSignal): Promise<Buffer> {
    if (this.closed) return Promise.reject(new TransportError(RpcCode.CANCELLED, 'the gRPC channel is closed'));
    if (signal?.aborted === true) return Promise.reject(new TransportError(RpcCode.CANCELLED, 'the call was aborted before it was sent'));
    return new Promise((resolve, reject) => {
      const session = this.currentSession();
      const timeout = Math.max(1, Math.min(MAX_TIMEOUT_DIGITS, Math.ceil(deadlineMs)));
      let stream: ClientHttp2Stream;
      try {
        stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': `${timeout}m` });
      } catch (error) {
        // A session that failed between the check and the request (node throws synchronously).
        reject(new TransportError(RpcCode.UNAVAILABLE, `UNAVAILABLE: ${errorText(error)}`, { cause: error, unsent: true }));
        return;
      }
      let settled = false;
      let headers: IncomingHttpHeaders | undefined;
      let trailers: IncomingHttpHeaders | undefined;
      let streamError: Error | undefined;
      const chunks: Buffer[] = [];
      const settle = (error: TransportError | undefined, response?: Buffer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        if (error !== undefined) reject(error);
        else resolve(response!);
      };
      const cancel = (error: TransportError): void => {
        settle(error);
        if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
      };
      const timer = setTimeout(() => cancel(new TransportError(RpcCode.DEADLINE_EXCEEDED, `DEADLINE_EXCEEDED: no answer within ${deadlineMs} ms`)), timeout);
      const abort = (): void => cancel(new TransportError(RpcCode.CANCELLED, 'CANCELLED: the call was cancelled'));
      signal?.addEventListener('abort', abort, { once: true });
      stream.on('response', (received: IncomingHttpHeaders) => {
        headers = received;
      });
      let received = 0;
      stream.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > this.maxResponseBytes + 5) {
          cancel(new TransportError(RpcCode.RESOURCE_EXHAUSTED, `RESOURCE_EXHAUSTED: the response is larger than the limit of ${this.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('trailers', (received: IncomingHttpHeaders) => {
        trailers = received;
      });
      stream.on('error', (error: Error) => {
        streamError = error;
      });
      stream.on('close', () => {
        if (settled) return;
        // Node closes the streams of a lost connection itself, with CANCEL or INTERNAL_ERROR as
        // if the server had reset them; by then the session is destroyed (grpc-js tells them
        // apart the same way). A stream that never got an id was never sent.
        const ending: StreamEnding = { rstCode: stream.rstCode, error: streamError ?? this.sessionError, connectionLost: session.destroyed, neverSent: stream.id === undefined };
        const outcome = callOutcome(headers, trailers, chunks, ending);
        settle(outcome.error, outcome.message);
      });
      stream.end(frame(message));
    });
  }

  /** Closes the connection once the calls in flight are over; later calls are refused. */
  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private currentSession(): ClientHttp2Session {
    const existing = this.session;
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const session = connect(`http://${this.authority}`);
    this.sessionError = undefined;
    // Errors reach the calls through their streams; the session's own is kept for their message.
    session.on('error', (error: Error) => {
      if (this.session === session) this.sessionError = error;
    });
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.on('goaway', forget);
    session.on('close', forget);
    // An idle connection does not keep the process alive; a call's deadline timer does.
    session.unref();
    this.session = session;
    return session;
  }
}

/** A gRPC length-prefixed message: uncompressed flag, 4-byte big-endian length, the bytes. */
function frame(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(5 + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, 5);
  return framed;
}

/** How a stream that closed without settling its call ended. */
interface StreamEnding {
  readonly rstCode: number | undefined;
  readonly error: Error | undefined;
  /** The session was destroyed: the connection is gone, and Node reset the stream itself. */
  readonly connectionLost: boolean;
  /** The stream never got an id: its request never left this process (the connection failed first). */
  readonly neverSent: boolean;
}

function callOutcome(
  headers: IncomingHttpHeaders | undefined,
  trailers: IncomingHttpHeaders | undefined,
  chunks: readonly Buffer[],
  { rstCode, error, connectionLost: lost, neverSent }: StreamEnding,
): { error?: TransportError; message?: Buffer } {
  // A reset from the server itself means what its code says; on a lost connection it is Node's
  // (CANCEL, or INTERNAL_ERROR when the socket failed), and the call is UNAVAILABLE: a killed
  // server's half-sent answer must stay retryable.
  const cancelled = rstCode === constants.NGHTTP2_CANCEL && !lost;
  if (headers === undefined) {
    const reason = error !== undefined ? errorText(error) : lost ? 'the connection closed before a response' : `stream closed before a response (HTTP/2 code ${rstCode ?? 0})`;
    const code = cancelled ? RpcCode.CANCELLED : RpcCode.UNAVAILABLE;
    // Only the peer refuses a stream (RST_STREAM, or a GOAWAY below its id), promising it did not process it.
    const unsent = neverSent || rstCode === constants.NGHTTP2_REFUSED_STREAM;
    return { error: new TransportError(code, `${rpcCodeName(code)}: ${reason}`, { unsent }) };
  }
  const httpStatus = Number(headers[':status']);
  const statusText = trailers?.['grpc-status'] ?? headers['grpc-status'];
  if (statusText === undefined) {
    if (httpStatus !== 200) {
      const code = HTTP_STATUS_CODES.get(httpStatus) ?? RpcCode.UNKNOWN;
      return { error: new TransportError(code, `${rpcCodeName(code)}: HTTP status ${httpStatus} from the server`) };
    }
    const reset = rstCode !== undefined && rstCode !== constants.NGHTTP2_NO_ERROR;
    const reason = lost ? 'the connection closed before the response ended' : reset ? `stream reset with HTTP/2 code ${rstCode}` : 'the response ended without grpc-status';
    const code = lost || rstCode === constants.NGHTTP2_REFUSED_STREAM ? RpcCode.UNAVAILABLE : cancelled ? RpcCode.CANCELLED : RpcCode.INTERNAL;
    return { error: new TransportError(code, `${rpcCodeName(code)}: ${reason}`) };
  }
  const contentType = headers['content-type'];
  if (httpStatus === 200 && (contentType === undefined || !contentType.startsWith('application/grpc'))) {
    return { error: new TransportError(RpcCode.INTERNAL, `INTERNAL: the server answered with content-type ${JSON.stringify(contentType ?? '')}, not application/grpc`) };
  }
  const status = Number(statusText);
  if (status !== 0) {
    const code = Number.isInteger(status) && status > 0 && status <= 16 ? (status as RpcCode) : RpcCode.UNKNOWN;
    const details = percentDecoded(String(trailers?.['grpc-message'] ?? headers['grpc-message'] ?? ''));
    return { error: new TransportError(code, `${rpcCodeName(code)}: ${details}`) };
  }
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (body.length < 5) return { error: new TransportError(RpcCode.INTERNAL, 'INTERNAL: the server sent OK without a response message') };
  if (body[0] !== 0) return { error: new TransportError(RpcCode.INTERNAL, 'INTERNAL: a compressed response message, though no compression was offered') };
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) return { error: new TransportError(RpcCode.INTERNAL, 'INTERNAL: the response message is cut short') };
  if (body.length > 5 + length) return { error: new TransportError(RpcCode.UNIMPLEMENTED, 'UNIMPLEMENTED: more than one response message for a unary call') };
  return { message: body.subarray(5, 5 + length) };
}

/** grpc-message is percent-encoded UTF-8. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
