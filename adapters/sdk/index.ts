/**
 * The adapter SDK: everything an adapter author (built-in or third-party) needs, from one
 * import. Test helpers (a manual clock and scheduler, parse-validate-build) are in
 * `./testing/index.js`.
 */
export type { AdapterInfo, Handler, HandlerConfig, HandlerFor, InstanceConfig, TemplateName } from './adapter-info.js';
export { problem, type ConfigProblem } from './config-problem.js';
export { defineAdapter, type AdapterModule } from './define-adapter.js';
export { LOOPBACK_LISTENER, ManagedEnvironment, type AdapterEnvironment, type Cancel, type ListenerDefaults } from './environment.js';
export type { ListenerLimits } from '../../core/net/listener-limits.js';
export { httpServerOptions } from '../../core/net/http-server-limits.js';
export { defineParams, GoDuration, ProtoEnum, type ParamsSchema } from './params-schema.js';

// What handlers answer with.
export { RpcCode, rpcCodeName } from '../../core/status/rpc-code.js';
export { OK_STATUS, rpcStatus, type DirectHttpResponse, type RpcStatus } from '../../core/status/rpc-status.js';
export type { CallContext, CheckResult, QuotaArgs, QuotaResult } from '../../templates/handler-contract.js';

// What handlers receive: the templates' instances and the value types in them.
export type {
  ApiKeyInstance, AuthorizationInstance, CheckNothingInstance, EdgeInstance, ListEntryInstance, LogEntryInstance,
  MetricInstance, QuotaInstance, ReportNothingInstance, TraceSpanInstance,
} from '../../templates/definitions.js';
export type { InstanceTypes, InstanceValue } from '../../templates/template.js';
export { Duration } from '../../core/attribute/duration.js';
export { IpAddress } from '../../core/attribute/ip-address.js';
export { StringMap } from '../../core/attribute/string-map.js';
export { Timestamp } from '../../core/attribute/timestamp.js';
export { ValueType } from '../../core/attribute/value-type.js';
