import { Server, type sendUnaryData, type ServerUnaryCall, type StatusObject } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { NOT_READY } from '../api/config-status.js';
import type { MixerMetrics } from '../api/mixer-metrics.js';
import type { AttributeManifest } from '../attribute/manifest.js';
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../net/listener-limits.js';
import { DispatchError, type Dispatcher } from '../runtime/dispatcher.js';
import { RpcCode } from '../status/rpc-code.js';
import { decodeCheckRequest } from './check-request-codec.js';
import { encodeCheckResponse } from './check-response-encoder.js';
import { AttributeDecodeError } from './compressed-attributes.js';
import { GlobalDictionaryMismatchError, GrpcCallError } from './grpc-errors.js';
import { GrpcListener, type BoundListener } from './grpc-listener.js';
import type { MixerServiceDefinition } from './mixer-service.js';
import { ProtoBag } from './proto-bag.js';
import { reportBags } from './report-bags.js';
import { decodeReportRequest } from './report-request-codec.js';
import { WireFormatError } from './wire-reader.js';

export interface GrpcApiDependencies {
  readonly dispatcher: Dispatcher;
  /** The attribute manifest of the active config (attributes are typed by it). */
  readonly manifest: () => AttributeManifest;
  readonly metrics: MixerMetrics;
  readonly logger: Logger;
  /** False until a valid config is active: Check and Report answer UNAVAILABLE meanwhile. */
  readonly ready: () => boolean;
  readonly service: MixerServiceDefinition;
  /** Largest request accepted (Mixer's default: 1 MiB). */
  readonly maxMessageBytes?: number;
  /** How long `close` lets calls in flight finish before cutting them off. */
  readonly shutdownGraceMs?: number;
  /** Connection cap, idle timeout, and the request timeout for calls whose request stalls (the header timeout is HTTP/1.1's). */
  readonly limits?: ListenerLimits;
}

type Call = ServerUnaryCall<Buffer, Buffer>;
type Callback = sendUnaryData<Buffer>;

const EMPTY = Buffer.alloc(0);
const MIB = 1024 * 1024;

/**
 * The gRPC API, istio.mixer.v1.Mixer (Check and Report) on grpc-js, over the same dispatcher as
 * the HTTP/JSON API. This is the one place where Mixer's errors become gRPC statuses: a denial
 * is a successful call with the denial in `precondition.status`; malformed bytes, a word index
 * that names nothing or a value of the wrong type are INVALID_ARGUMENT; a global dictionary
 * bigger than Mixer's and a check that cannot be dispatched are INTERNAL (as in Istio); no
 * config yet is UNAVAILABLE; a Report entry that cannot be decoded makes the call UNKNOWN while
 * the other entries are still dispatched.
 */
export class GrpcApi {
  private readonly server: Server;
  private readonly listener: GrpcListener;

  constructor(private readonly dependencies: GrpcApiDependencies) {
    this.listener = new GrpcListener(dependencies.limits ?? DEFAULT_LISTENER_LIMITS);
    this.server = new Server({
      'grpc.max_receive_message_length': dependencies.maxMessageBytes ?? MIB,
      'grpc.max_concurrent_streams': 1024,
      ...this.listener.serverOptions,
    });
    this.server.addService(dependencies.service, {
      Check: (call: Call, callback: Callback) => void this.check(call, callback),
      Report: (call: Call, callback: Callback) => void this.report(call, callback),
    });
  }

  /** Listens on `host:port` (0 picks a free port). */
  listen(host: string, port: number): Promise<BoundListener> {
    return this.listener.listen(this.server, host, port);
  }

  /** Stops accepting calls, lets those in flight finish (up to the grace period), then closes. */
  async close(): Promise<void> {
    if (!this.listener.listening) this.server.forceShutdown();
    await this.listener.close(this.dependencies.shutdownGraceMs ?? 5000);
  }

  private async check(call: Call, callback: Callback): Promise<void> {
    const started = performance.now();
    const { dispatcher, metrics } = this.dependencies;
    let response: Buffer;
    let code: number;
    try {
      if (!this.dependencies.ready()) throw new GrpcCallError(RpcCode.UNAVAILABLE, NOT_READY);
      const request = decodeCheckRequest(call.request);
      const bag = ProtoBag.create(request.attributes, this.dependencies.manifest());
      const outcome = await dispatcher.check(bag, request.quotas, request.deduplicationId);
      response = encodeCheckResponse(outcome, request.globalWordCount, (name) => bag.isStringMap(name));
      code = outcome.status.code;
    } catch (error) {
      const failure = this.failure(error, 'CheckRequest');
      metrics.checkDone(failure.code, (performance.now() - started) / 1000);
      callback(grpcStatus(failure));
      return;
    }
    metrics.checkDone(code, (performance.now() - started) / 1000);
    callback(null, response);
  }

  private async report(call: Call, callback: Callback): Promise<void> {
    const started = performance.now();
    const { dispatcher, metrics } = this.dependencies;
    let errors: readonly string[];
    let instances = 0;
    try {
      if (!this.dependencies.ready()) throw new GrpcCallError(RpcCode.UNAVAILABLE, NOT_READY);
      const request = decodeReportRequest(call.request);
      GlobalDictionaryMismatchError.check(request.globalWordCount);
      const decoded = request.entries.length === 0 ? { bags: [], errors: [] } : reportBags(request, this.dependencies.manifest());
      errors = decoded.errors;
      if (decoded.bags.length > 0) instances = (await dispatcher.report(decoded.bags)).instances;
    } catch (error) {
      metrics.reportDone(false, instances, (performance.now() - started) / 1000);
      callback(grpcStatus(this.failure(error, 'ReportRequest')));
      return;
    }
    metrics.reportDone(errors.length === 0, instances, (performance.now() - started) / 1000);
    if (errors.length === 0) {
      callback(null, EMPTY);
      return;
    }
    this.dependencies.logger.warn({ errors }, 'report entries could not be decoded');
    callback(grpcStatus(status(RpcCode.UNKNOWN, `request could not be processed due to invalid attributes: ${errors.join('; ')}`)));
  }

  private failure(error: unknown, message: string): Failure {
    if (error instanceof GrpcCallError) return status(error.rpcCode, error.message);
    if (error instanceof WireFormatError || error instanceof AttributeDecodeError) return status(RpcCode.INVALID_ARGUMENT, `invalid ${message}: ${error.message}`);
    if (error instanceof GlobalDictionaryMismatchError || error instanceof DispatchError) return status(RpcCode.INTERNAL, error.message);
    this.dependencies.logger.error({ err: error }, `unexpected error serving a ${message}`);
    return status(RpcCode.INTERNAL, 'internal error');
  }
}

interface Failure {
  readonly code: RpcCode;
  readonly details: string;
}

function status(code: RpcCode, details: string): Failure {
  return { code, details };
}

/** The failure as grpc-js takes it (google.rpc codes and grpc-js's Status share their numbers). */
function grpcStatus(failure: Failure): Partial<StatusObject> {
  return failure as unknown as Partial<StatusObject>;
}
