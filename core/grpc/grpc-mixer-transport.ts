import type { AttributeBag } from '../attribute/bag.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { TransportError, type MixerTransport, type ReportBatchBuilder, type TransportCheckRequest, type TransportCheckResponse } from '../client/transport.js';
import { RpcCode } from '../status/rpc-code.js';
import { encodeCheckRequest } from './check-request-codec.js';
import { decodeCheckResponse } from './check-response-decoder.js';
import { GLOBAL_WORD_COUNT } from './global-dictionary.js';
import { H2UnaryChannel } from './h2-unary-channel.js';
import { mixerServiceDefinition, type MixerServiceDefinition, type RawMethod } from './mixer-service.js';
import { loadMixerProtos } from './proto-files.js';
import { encodeReportRequests, ReportEncoding, ReportRequestBuilder } from './report-request-codec.js';
import { WireFormatError } from './wire-reader.js';

export interface GrpcTransportOptions {
  /** Where Mixer's gRPC API listens: `host:port`, or `grpc://host:port` as `mixer server` prints it. */
  readonly target: string;
  /** Deadline of each call (Envoy gives Mixer 5 s). */
  readonly deadlineMs?: number;
  /** How a batch of reports travels: INDEPENDENT (Envoy 1.1+, the default) or DELTA (Envoy 1.0). */
  readonly reportEncoding?: ReportEncoding;
  /** Types the numbers of a bag (INT64 or DOUBLE); the standard vocabulary by default. */
  readonly manifest?: AttributeManifest;
  /** Global words to use (222; 111 after a dictionary mismatch, as Envoy falls back). */
  readonly globalWordCount?: number;
  /** The service definition (loaded from the project's protos when not given). */
  readonly service?: MixerServiceDefinition;
}

/**
 * The Mixer client's gRPC transport: istio.mixer.v1.Mixer with compressed attributes, encoded
 * the way Envoy's Mixer filter encodes them (global words, per-message words, one shared
 * dictionary per Report batch). Any non-OK gRPC status, an exceeded deadline, an aborted call
 * or an unreadable response rejects with a TransportError carrying the gRPC code.
 */
export class GrpcMixerTransport implements MixerTransport {
  private readonly channel: H2UnaryChannel;
  private readonly check_: RawMethod;
  private readonly report_: RawMethod;
  private readonly manifest: AttributeManifest;
  private readonly deadlineMs: number;
  private readonly encoding: ReportEncoding;
  private readonly globalWordCount: number;

  constructor(options: GrpcTransportOptions) {
    const service = options.service ?? mixerServiceDefinition(loadMixerProtos());
    this.check_ = service.Check;
    this.report_ = service.Report;
    this.channel = new H2UnaryChannel(options.target.replace(/^grpc:\/\//, ''));
    this.manifest = options.manifest ?? AttributeManifest.standard();
    this.deadlineMs = options.deadlineMs ?? 5000;
    this.encoding = options.reportEncoding ?? ReportEncoding.INDEPENDENT;
    this.globalWordCount = Math.min(options.globalWordCount ?? GLOBAL_WORD_COUNT, GLOBAL_WORD_COUNT);
  }

  async check(request: TransportCheckRequest, signal?: AbortSignal): Promise<TransportCheckResponse> {
    const bytes = encodeCheckRequest(request, this.manifest, this.globalWordCount);
    const response = await this.call(this.check_, bytes, signal);
    try {
      return decodeCheckResponse(response);
    } catch (error) {
      if (error instanceof WireFormatError) throw new TransportError(RpcCode.INTERNAL, `unreadable CheckResponse: ${error.message}`, { cause: error });
      throw error;
    }
  }

  /** INDEPENDENT batches are serialized as their entries arrive (DELTA needs the whole batch). */
  startReportBatch(): ReportBatchBuilder | undefined {
    return this.encoding === ReportEncoding.INDEPENDENT ? new ReportRequestBuilder(this.encoding, this.manifest, this.globalWordCount) : undefined;
  }

  async report(batch: readonly AttributeBag[], signal?: AbortSignal, built?: ReportBatchBuilder): Promise<void> {
    if (batch.length === 0) return;
    if (built instanceof ReportRequestBuilder && built.size === batch.length) {
      await this.call(this.report_, built.finish(), signal);
      return;
    }
    // DELTA may need several requests (a batch is split where an attribute disappears); in order.
    for (const bytes of encodeReportRequests(batch, this.encoding, this.manifest, this.globalWordCount)) await this.call(this.report_, bytes, signal);
  }

  close(): Promise<void> {
    this.channel.close();
    return Promise.resolve();
  }

  private call(method: RawMethod, bytes: Buffer, signal: AbortSignal | undefined): Promise<Buffer> {
    return this.channel.call(method.path, bytes, this.deadlineMs, signal);
  }
}
