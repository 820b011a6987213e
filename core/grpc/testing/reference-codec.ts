import type { MethodDefinition } from '@grpc/grpc-js';
import { MIXER_SERVICE } from '../mixer-service.js';
import { loadMixerProtos } from '../proto-files.js';

// An independent protobuf codec for tests: protobufjs (through @grpc/proto-loader) over this
// project's .proto files. The hand-written codec is checked against it byte for byte and value
// for value; int64 values read back as decimal strings, enums as numbers, unset fields absent.

type Json = Record<string, unknown>;

const protos = loadMixerProtos();
const service = protos[MIXER_SERVICE] as unknown as Record<'Check' | 'Report', MethodDefinition<Json, Json>>;

export const reference = {
  encodeCheckRequest: (message: Json): Buffer => service.Check.requestSerialize(message),
  decodeCheckRequest: (bytes: Buffer): Json => service.Check.requestDeserialize(bytes),
  encodeCheckResponse: (message: Json): Buffer => service.Check.responseSerialize(message),
  decodeCheckResponse: (bytes: Buffer): Json => service.Check.responseDeserialize(bytes),
  encodeReportRequest: (message: Json): Buffer => service.Report.requestSerialize(message),
  decodeReportRequest: (bytes: Buffer): Json => service.Report.requestDeserialize(bytes),
};

/** The bytes of a CompressedAttributes message (the body of CheckRequest.attributes) built by protobufjs. */
export function compressedAttributesBytes(attributes: Json): Buffer {
  const request = reference.encodeCheckRequest({ attributes });
  // Field 1, length-delimited: tag byte, varint length, then the message.
  let position = 1;
  let length = 0;
  let shift = 0;
  for (;;) {
    const byte = request[position++]!;
    length |= (byte & 0x7f) << shift;
    shift += 7;
    if (byte < 0x80) break;
  }
  return request.subarray(position, position + length);
}
