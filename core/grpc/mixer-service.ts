import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ProtoFilesError } from './proto-files.js';

/** The service name of the API, as in mixer.proto. */
export const MIXER_SERVICE = 'istio.mixer.v1.Mixer';

/** A unary method that hands over raw message bytes: the codec in this folder does the protobuf work. */
export type RawMethod = MethodDefinition<Buffer, Buffer>;

/** istio.mixer.v1.Mixer with raw-bytes methods. */
export interface MixerServiceDefinition extends ServiceDefinition {
  readonly Check: RawMethod;
  readonly Report: RawMethod;
}

const passBytes = (bytes: Buffer): Buffer => bytes;

/**
 * The Mixer service for grpc-js, its method paths taken from the loaded protos, with pass-through
 * (de)serializers: requests reach the handlers as bytes, so a malformed message is answered
 * with INVALID_ARGUMENT by the handler instead of grpc-js's generic INTERNAL for a throwing
 * deserializer, and decoding stays lazy; responses are already encoded bytes.
 */
export function mixerServiceDefinition(protos: PackageDefinition): MixerServiceDefinition {
  const service = protos[MIXER_SERVICE] as Record<string, Partial<MethodDefinition<unknown, unknown>> | undefined> | undefined;
  const method = (name: string): RawMethod => {
    const definition = service?.[name];
    if (definition?.path === undefined) throw new ProtoFilesError(`the loaded protos define no ${MIXER_SERVICE}.${name}`);
    return {
      path: definition.path,
      originalName: definition.originalName ?? name,
      requestStream: false,
      responseStream: false,
      requestSerialize: passBytes,
      requestDeserialize: passBytes,
      responseSerialize: passBytes,
      responseDeserialize: passBytes,
    };
  };
  return { Check: method('Check'), Report: method('Report') };
}
