import type { AttributeBag } from '../attribute/bag.js';
import type { AttributeReference } from '../attribute/referenced-attributes.js';
import type { RouteDirective } from '../runtime/check-outcome.js';
import { MixerError } from '../errors/mixer-error.js';
import type { RpcCode } from '../status/rpc-code.js';
import type { RpcStatus } from '../status/rpc-status.js';

// The contract between the Mixer client (caches, prefetch, batching, fail policy) and the wire
// it talks over: gRPC (istio.mixer.v1, compressed attributes) or the HTTP/JSON API.

export interface TransportQuotaRequest {
  readonly amount: number;
  readonly bestEffort: boolean;
}

export interface TransportCheckRequest {
  /** The request's attributes, typed. */
  readonly attributes: AttributeBag;
  readonly quotas: ReadonlyMap<string, TransportQuotaRequest>;
  readonly deduplicationId: string;
}

export interface TransportPrecondition {
  readonly status: RpcStatus;
  /** Undefined when the response carried no valid_duration (the cache then never expires it by time). */
  readonly validDurationMs: number | undefined;
  /** As sent: 0 means "never serve from cache", negative means "unlimited". */
  readonly validUseCount: number;
  /** Decoded against the full global dictionary plus the response's own words. */
  readonly referenced: readonly AttributeReference[];
  /** False when a reference could not be decoded: the answer must not be cached. */
  readonly referencedValid: boolean;
  readonly routeDirective: RouteDirective | undefined;
}

export interface TransportQuotaResult {
  readonly status: RpcStatus;
  readonly grantedAmount: number;
  readonly validDurationMs: number | undefined;
  readonly referenced: readonly AttributeReference[];
  readonly referencedValid: boolean;
}

export interface TransportCheckResponse {
  /** Undefined when the response had no precondition (treated as INVALID_ARGUMENT, never cached). */
  readonly precondition: TransportPrecondition | undefined;
  readonly quotas: ReadonlyMap<string, TransportQuotaResult>;
}

/**
 * A call that did not produce a response: the network, the server's gRPC status, an HTTP
 * error. `code` is the gRPC code (UNAVAILABLE for connection failures, DEADLINE_EXCEEDED for
 * timeouts); the client's fail policy decides what the caller sees.
 */
export class TransportError extends MixerError {
  /**
   * True only when the request certainly never reached Mixer: no connection could be made, or
   * the server refused the stream unprocessed (RST_STREAM or GOAWAY with REFUSED_STREAM). The
   * report batcher resends such a batch without spending one of its retries. False means Mixer
   * may have received it (a connection lost after sending, a timeout, an answer).
   */
  readonly unsent: boolean;

  constructor(
    readonly rpcCode: RpcCode,
    message: string,
    options?: { cause?: unknown; unsent?: boolean },
  ) {
    super('MIXER_ERR_TRANSPORT', message, options);
    this.unsent = options?.unsent ?? false;
  }
}

/**
 * A Report batch serialized while the reports arrive, a short run of entries at a time: sending
 * a full batch then does not stall the event loop encoding a hundred entries at once, and a run
 * is encoded in one tight loop, which costs the sidecar less CPU than one entry at a time
 * between requests (bench/proxy). The bags added must not change afterwards.
 */
export interface ReportBatchBuilder {
  add(attributes: AttributeBag): void;
  /** Entries added so far. */
  readonly size: number;
}

/** How a client reaches Mixer. Implementations: GrpcMixerTransport, HttpMixerTransport. */
export interface MixerTransport {
  /** One Check; rejects with TransportError when no response arrives. */
  check(request: TransportCheckRequest, signal?: AbortSignal): Promise<TransportCheckResponse>;
  /**
   * One batch of reports (one attribute set per reported request); rejects with TransportError.
   * `built` is what `startReportBatch` returned for this batch, holding every entry of `batch`
   * in order: the transport may send it instead of encoding the batch again.
   */
  report(batch: readonly AttributeBag[], signal?: AbortSignal, built?: ReportBatchBuilder): Promise<void>;
  /** A builder for the next batch, when this transport serializes entries ahead of sending. */
  startReportBatch?(): ReportBatchBuilder | undefined;
  close(): Promise<void>;
}
