import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { MixerError } from '../errors/mixer-error.js';

/** The .proto files of the API: istio.mixer.v1 and what it imports, plus the DirectHttpResponse detail. */
export const MIXER_PROTO_FILES: readonly string[] = ['istio/mixer/v1/mixer.proto', 'istio/policy/v1beta1/http_response.proto'];

export class ProtoFilesError extends MixerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MIXER_ERR_PROTO_FILES', message, options);
  }
}

/**
 * Where the .proto files are: `core/grpc/proto` under the project root (the nearest directory
 * above this module holding package.json), so the same path works from the sources and from
 * the compiled `dist/` tree, which tsc does not copy them into.
 */
export function protoDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(directory, 'package.json'))) return join(directory, 'core', 'grpc', 'proto');
    const parent = dirname(directory);
    if (parent === directory) throw new ProtoFilesError(`no package.json above ${fileURLToPath(import.meta.url)}: cannot find core/grpc/proto`);
    directory = parent;
  }
}

/**
 * Loads the API's .proto files (objects with the proto's own field names, int64 as strings,
 * enums as numbers, unset fields left out). The server and the transport take the service's method paths from it;
 * tests use it as an independent protobuf codec to check the hand-written one.
 */
export function loadMixerProtos(directory = protoDirectory()): PackageDefinition {
  try {
    return loadSync([...MIXER_PROTO_FILES], { includeDirs: [directory], keepCase: true, longs: String, enums: Number, defaults: false, oneofs: true });
  } catch (error) {
    throw new ProtoFilesError(`cannot load the Mixer API protos from ${directory}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
