import type { MethodDefinition } from '@grpc/grpc-js';

const identity = (buffer: Buffer): Buffer => buffer;

/** A unary method that moves raw message bytes (no protobuf work), for load generation and echo ceilings. */
export function rawUnaryMethod(path: string): MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}
