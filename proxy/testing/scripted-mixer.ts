import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { ReferencedAttributes } from '../../core/attribute/referenced-attributes.js';
import { encodeCheckResponse } from '../../core/grpc/check-response-encoder.js';
import { mixerServiceDefinition } from '../../core/grpc/mixer-service.js';
import { loadMixerProtos } from '../../core/grpc/proto-files.js';
import type { RouteDirective } from '../../core/runtime/check-outcome.js';
import { OK_STATUS } from '../../core/status/rpc-status.js';

/**
 * A gRPC server speaking istio.mixer.v1 that allows every Check with whatever route directive
 * the test scripts, and takes every Report. It plays whoever can answer in Mixer's place (the
 * sidecar's Mixer connection is not authenticated): Mixer's own config cannot produce some
 * directives at all, a `:method` operation for one, but a Check answer on the wire can.
 */
export class ScriptedMixer {
  /** The route directive of the next Check answers. */
  directive: RouteDirective | undefined;
  checks = 0;

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  static async start(): Promise<ScriptedMixer> {
    const server = new Server();
    const address = await new Promise<string>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error === null ? resolve(`grpc://127.0.0.1:${port}`) : reject(error)));
    });
    const mixer = new ScriptedMixer(server, address);
    server.addService(mixerServiceDefinition(loadMixerProtos()), {
      Check: (_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        mixer.checks++;
        callback(null, encodeCheckResponse({ status: OK_STATUS, validDurationMs: 0, validUseCount: 1, referenced: new ReferencedAttributes(), routeDirective: mixer.directive, quotas: new Map() }, 0));
      },
      Report: (_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, Buffer.alloc(0)),
    });
    return mixer;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
