import { MixerError } from '../errors/mixer-error.js';
import type { RpcCode } from '../status/rpc-code.js';

/**
 * A call the adapter host answers with a status other than OK: a malformed request or params
 * (INVALID_ARGUMENT), a template the adapter lacks (UNIMPLEMENTED), an adapter that failed
 * (INTERNAL). `rpcCode` becomes the gRPC status of the call.
 */
export class AdapterHostError extends MixerError {
  constructor(
    readonly rpcCode: RpcCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('MIXER_ERR_ADAPTER_HOST', message, options);
  }
}
