import { MixerError } from '../errors/mixer-error.js';
import { parseRpcCode, RpcCode } from '../status/rpc-code.js';

/**
 * A call to an out-of-process adapter that failed: `rpcCode` is what the dispatcher answers for
 * that handler. UNAVAILABLE when the adapter cannot be reached (refused, reset, closed),
 * DEADLINE_EXCEEDED when it did not answer within the handler's `connection.timeout`, otherwise
 * the status the adapter's server returned (UNIMPLEMENTED for a template it does not serve,
 * INVALID_ARGUMENT for a config it rejects, ...).
 */
export class RemoteCallError extends MixerError {
  constructor(
    readonly rpcCode: RpcCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('MIXER_ERR_REMOTE_ADAPTER', message, options);
  }
}

/** The gRPC status codes that mean "could not reach the adapter". */
const TRANSPORT_FAILURES: ReadonlySet<number> = new Set([RpcCode.UNAVAILABLE, RpcCode.CANCELLED]);

/** Turns a grpc-js call error into a RemoteCallError for the adapter at `address`. */
export function remoteCallError(error: { code?: number; details?: string; message?: string }, address: string, timeoutMs: number): RemoteCallError {
  const code = parseRpcCode(error.code) ?? RpcCode.UNKNOWN;
  const details = error.details ?? error.message ?? 'unknown error';
  if (code === RpcCode.DEADLINE_EXCEEDED) {
    return new RemoteCallError(RpcCode.DEADLINE_EXCEEDED, `out-of-process adapter at ${address} did not answer within ${timeoutMs} ms`, { cause: error });
  }
  if (TRANSPORT_FAILURES.has(code)) {
    return new RemoteCallError(RpcCode.UNAVAILABLE, `out-of-process adapter at ${address} is unavailable: ${details}`, { cause: error });
  }
  return new RemoteCallError(code, `out-of-process adapter at ${address}: ${details}`, { cause: error });
}
