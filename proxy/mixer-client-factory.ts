import { HttpMixerTransport } from '../core/client/http-transport.js';
import type { ClientLogger } from '../core/client/client-logger.js';
import { MixerClient } from '../core/client/mixer-client.js';
import type { MixerTransport } from '../core/client/transport.js';
import { GrpcMixerTransport } from '../core/grpc/grpc-mixer-transport.js';
import { FailPolicy, MixerWire, type MixerConnection } from './proxy-config.js';

/** The transport the config names: istio.mixer.v1 over gRPC (as Envoy), or the HTTP/JSON API. */
export function mixerTransport(connection: MixerConnection): MixerTransport {
  if (connection.wire === MixerWire.HTTP) return new HttpMixerTransport({ url: connection.address });
  return new GrpcMixerTransport({ target: connection.address, deadlineMs: connection.timeoutMs });
}

/** The proxy's Mixer client: check cache, quota prefetch, report batching and the configured fail policy. */
export function createMixerClient(connection: MixerConnection, logger: ClientLogger, transport: MixerTransport = mixerTransport(connection)): MixerClient {
  return new MixerClient({
    transport,
    logger,
    failPolicy: {
      failOpen: connection.failPolicy === FailPolicy.FAIL_OPEN,
      maxRetries: connection.maxRetries,
      baseRetryMs: connection.baseRetryMs,
      maxRetryMs: connection.maxRetryMs,
      timeoutMs: connection.timeoutMs,
    },
    checkCache: { maxEntries: connection.checkCacheEntries },
    report: { maxBatchEntries: connection.reportBatchEntries, maxBatchTimeMs: connection.reportBatchTimeMs },
  });
}
