import type { AttributeBag } from '../attribute/bag.js';
import { RpcCode } from '../status/rpc-code.js';
import { checkRequestJson, parseCheckResponse, reportRequestJson } from './http-json-codec.js';
import { TransportError, type MixerTransport, type TransportCheckRequest, type TransportCheckResponse } from './transport.js';

export interface HttpMixerTransportOptions {
  /** Mixer's HTTP/JSON API, e.g. `http://127.0.0.1:9091`. */
  readonly url: string | URL;
  /** Extra request headers (authorization, tracing). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The fetch to use (default: Node's global fetch, which keeps connections alive). */
  readonly fetch?: typeof fetch;
}

/** The gRPC code for an HTTP error status from Mixer's API. */
export function rpcCodeForHttpStatus(status: number): RpcCode {
  switch (status) {
    case 400:
      return RpcCode.INVALID_ARGUMENT;
    case 401:
      return RpcCode.UNAUTHENTICATED;
    case 403:
      return RpcCode.PERMISSION_DENIED;
    case 404:
    case 405:
    case 501:
      return RpcCode.UNIMPLEMENTED;
    case 408:
    case 504:
      return RpcCode.DEADLINE_EXCEEDED;
    case 429:
      return RpcCode.RESOURCE_EXHAUSTED;
    case 500:
      return RpcCode.INTERNAL;
    case 502:
    case 503:
      return RpcCode.UNAVAILABLE;
    default:
      return RpcCode.UNKNOWN;
  }
}

/** The `{"error": "..."}` text Mixer's API answers errors with, or the raw body. */
function errorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { error?: unknown }).error === 'string') return (parsed as { error: string }).error;
  } catch {
    // not JSON: the body itself
  }
  return body.length > 200 ? `${body.slice(0, 200)}…` : body;
}

/** Errors of the connect phase: the request never left this process. */
const CONNECT_FAILURES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A MixerTransport over Mixer's HTTP/JSON API: `POST /v1/check` and `POST /v1/report`.
 * Connection failures are UNAVAILABLE (marked unsent when no connection could be made), an
 * aborted call DEADLINE_EXCEEDED (timeout) or CANCELLED, HTTP errors their gRPC equivalent
 * (503 UNAVAILABLE, 500 INTERNAL, 400 INVALID_ARGUMENT, ...), a body that is not a
 * CheckResponse INTERNAL.
 */
export class HttpMixerTransport implements MixerTransport {
  private readonly checkUrl: URL;
  private readonly reportUrl: URL;
  private readonly headers: Record<string, string>;
  private readonly fetch: typeof fetch;
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(options: HttpMixerTransportOptions) {
    this.checkUrl = new URL('/v1/check', options.url);
    this.reportUrl = new URL('/v1/report', options.url);
    this.headers = { ...options.headers, 'content-type': 'application/json' };
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async check(request: TransportCheckRequest, signal?: AbortSignal): Promise<TransportCheckResponse> {
    const body = await this.post(this.checkUrl, JSON.stringify(checkRequestJson(request)), signal);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new TransportError(RpcCode.INTERNAL, 'malformed CheckResponse from Mixer: not JSON');
    }
    return parseCheckResponse(parsed);
  }

  async report(batch: readonly AttributeBag[], signal?: AbortSignal): Promise<void> {
    if (batch.length === 0) return;
    await this.post(this.reportUrl, JSON.stringify(reportRequestJson(batch)), signal);
  }

  /** Aborts calls in flight; later calls fail with UNAVAILABLE. */
  close(): Promise<void> {
    this.closed = true;
    for (const controller of this.inFlight) controller.abort(new TransportError(RpcCode.UNAVAILABLE, 'the Mixer transport is closed'));
    this.inFlight.clear();
    return Promise.resolve();
  }

  /** POSTs JSON text and returns the 2xx body text; every failure is a TransportError. */
  private async post(url: URL, body: string, signal: AbortSignal | undefined): Promise<string> {
    if (this.closed) throw new TransportError(RpcCode.UNAVAILABLE, 'the Mixer transport is closed');
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    this.inFlight.add(controller);
    try {
      let response: Response;
      let text: string;
      try {
        response = await this.fetch(url, { method: 'POST', headers: this.headers, body, signal: controller.signal });
        text = await response.text();
      } catch (error) {
        throw this.failure(error, controller.signal);
      }
      if (response.status < 200 || response.status > 299) {
        throw new TransportError(rpcCodeForHttpStatus(response.status), `Mixer answered HTTP ${response.status}: ${errorText(text)}`);
      }
      return text;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.inFlight.delete(controller);
    }
  }

  private failure(error: unknown, signal: AbortSignal): TransportError {
    if (signal.aborted) {
      const reason: unknown = signal.reason;
      if (reason instanceof TransportError) return reason;
      if (reason instanceof DOMException && reason.name === 'TimeoutError') return new TransportError(RpcCode.DEADLINE_EXCEEDED, 'upstream request timeout', { cause: reason });
      return new TransportError(RpcCode.CANCELLED, 'the Mixer call was cancelled', { cause: reason });
    }
    const code = causeCode(error);
    return new TransportError(RpcCode.UNAVAILABLE, `upstream connect error or disconnect/reset before headers: ${code}`, { cause: error, unsent: CONNECT_FAILURES.has(code) });
  }
}
