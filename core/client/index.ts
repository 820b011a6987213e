// The Mixer client library: what a sidecar proxy or any Node service uses to call Mixer.
export { MixerClient, type CheckCallOptions, type ClientStatistics, type MixerClientConfig, type QuotaAmounts } from './mixer-client.js';
export { decisionHttpStatus, decisionReportAttributes, type CheckDecision } from './check-decision.js';
export {
  ClientOptionsError,
  InvalidClientOptionsError,
  resolveClientOptions,
  type CheckCacheOptions,
  type NetworkFailPolicyOptions,
  type QuotaCacheOptions,
  type QuotaPrefetchOptions,
  type ReportBatchOptions,
} from './client-options.js';
export { systemClock, type ClientClock, type TimerHandle } from './client-clock.js';
export { silentLogger, type ClientLogger } from './client-logger.js';
export { HttpMixerTransport, rpcCodeForHttpStatus, type HttpMixerTransportOptions } from './http-transport.js';
export type { ReportBatcherStatistics } from './report-batcher.js';
export {
  TransportError,
  type MixerTransport,
  type TransportCheckRequest,
  type TransportCheckResponse,
  type TransportPrecondition,
  type TransportQuotaRequest,
  type TransportQuotaResult,
} from './transport.js';
