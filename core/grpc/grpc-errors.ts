import { MixerError } from '../errors/mixer-error.js';
import type { RpcCode } from '../status/rpc-code.js';
import { GLOBAL_WORD_COUNT } from './global-dictionary.js';

/** The caller declares more global words than Mixer knows (Mixer 1.4 answers gRPC INTERNAL). */
export class GlobalDictionaryMismatchError extends MixerError {
  constructor(readonly callerWordCount: number) {
    super(
      'MIXER_ERR_GLOBAL_DICTIONARY',
      `inconsistent global dictionary versions used: mixer knows ${GLOBAL_WORD_COUNT} words, caller knows ${callerWordCount}`,
    );
  }

  /** Throws when `callerWordCount` is more than the global dictionary holds. */
  static check(callerWordCount: number): void {
    if (callerWordCount > GLOBAL_WORD_COUNT) throw new GlobalDictionaryMismatchError(callerWordCount);
  }
}

/** A call the gRPC API answers with a status of its own choosing (not ready, for instance). */
export class GrpcCallError extends MixerError {
  constructor(
    readonly rpcCode: RpcCode,
    message: string,
  ) {
    super('MIXER_ERR_GRPC_CALL', message);
  }
}
