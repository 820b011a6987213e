import type { IpAddress } from '../core/attribute/ip-address.js';
import type { Timestamp } from '../core/attribute/timestamp.js';
import type { Int64 } from '../core/attribute/value.js';
import { BOOL, field, INT64, IP_ADDRESS, message, STRING, TIMESTAMP, VALUE, VALUE_MAP } from './fields.js';
import type { CallContext, CheckResult, QuotaArgs, QuotaResult } from './handler-contract.js';
import { TemplateVariety, type InstanceValue, type TemplateDefinition, type TemplateInstance } from './template.js';

// The compiled-in templates, with Istio 1.4's fields, types and varieties, and the typed
// instance and handler contract of each. Unset `value`/typed fields are undefined; maps are
// plain objects (empty when unset).

type ValueMap = Readonly<Record<string, InstanceValue>>;
type MaybePromise<T> = T | Promise<T>;

// ---- checknothing (CHECK) -----------------------------------------------------------------
export type CheckNothingInstance = TemplateInstance;
export interface CheckNothingHandler {
  handleCheckNothing(instance: CheckNothingInstance, context: CallContext): MaybePromise<CheckResult>;
}
export const CHECKNOTHING: TemplateDefinition<CheckNothingInstance> = {
  name: 'checknothing',
  variety: TemplateVariety.CHECK,
  description: 'A check with no data: the handler decides on the request alone (deny all, allow all).',
  fields: [],
  handlerMethod: 'handleCheckNothing',
};

// ---- reportnothing (REPORT) ---------------------------------------------------------------
export type ReportNothingInstance = TemplateInstance;
export interface ReportNothingHandler {
  handleReportNothing(instances: readonly ReportNothingInstance[]): MaybePromise<void>;
}
export const REPORTNOTHING: TemplateDefinition<ReportNothingInstance> = {
  name: 'reportnothing',
  variety: TemplateVariety.REPORT,
  description: 'A report with no data: the handler only learns that a request happened.',
  fields: [],
  handlerMethod: 'handleReportNothing',
};

// ---- listentry (CHECK) --------------------------------------------------------------------
export interface ListEntryInstance extends TemplateInstance {
  /** The value to look up (list adapters expect a string or an IP address). */
  readonly value: InstanceValue;
}
export interface ListEntryHandler {
  handleListEntry(instance: ListEntryInstance, context: CallContext): MaybePromise<CheckResult>;
}
export const LISTENTRY: TemplateDefinition<ListEntryInstance> = {
  name: 'listentry',
  variety: TemplateVariety.CHECK,
  description: 'A single value checked against a list (whitelist or blacklist).',
  fields: [field('value', VALUE, 'the value to check')],
  handlerMethod: 'handleListEntry',
};

// ---- quota (QUOTA) ------------------------------------------------------------------------
export interface QuotaInstance extends TemplateInstance {
  readonly dimensions: ValueMap;
}
export interface QuotaHandler {
  handleQuota(instance: QuotaInstance, args: QuotaArgs, context: CallContext): MaybePromise<QuotaResult>;
}
export const QUOTA: TemplateDefinition<QuotaInstance> = {
  name: 'quota',
  variety: TemplateVariety.QUOTA,
  description: 'A quota allocation; the dimensions select the bucket (and the override).',
  fields: [field('dimensions', VALUE_MAP, 'the dimensions of the allocation')],
  handlerMethod: 'handleQuota',
};

// ---- metric (REPORT) ----------------------------------------------------------------------
export interface MetricInstance extends TemplateInstance {
  readonly value: InstanceValue;
  readonly dimensions: ValueMap;
  readonly monitoredResourceType: string | undefined;
  readonly monitoredResourceDimensions: ValueMap;
}
export interface MetricHandler {
  handleMetric(instances: readonly MetricInstance[]): MaybePromise<void>;
}
export const METRIC: TemplateDefinition<MetricInstance> = {
  name: 'metric',
  variety: TemplateVariety.REPORT,
  description: 'A measurement with dimensions (counters, gauges, distributions).',
  fields: [
    field('value', VALUE, 'the value being reported'),
    field('dimensions', VALUE_MAP, 'the labels of the value'),
    field('monitored_resource_type', STRING),
    field('monitored_resource_dimensions', VALUE_MAP),
  ],
  handlerMethod: 'handleMetric',
};

// ---- logentry (REPORT) --------------------------------------------------------------------
export interface LogEntryInstance extends TemplateInstance {
  readonly variables: ValueMap;
  readonly timestamp: Timestamp | undefined;
  readonly severity: string | undefined;
  readonly monitoredResourceType: string | undefined;
  readonly monitoredResourceDimensions: ValueMap;
}
export interface LogEntryHandler {
  handleLogEntry(instances: readonly LogEntryInstance[]): MaybePromise<void>;
}
export const LOGENTRY: TemplateDefinition<LogEntryInstance> = {
  name: 'logentry',
  variety: TemplateVariety.REPORT,
  description: 'A log line: named variables, a timestamp and a severity.',
  fields: [
    field('variables', VALUE_MAP),
    field('timestamp', TIMESTAMP),
    field('severity', STRING),
    field('monitored_resource_type', STRING),
    field('monitored_resource_dimensions', VALUE_MAP),
  ],
  handlerMethod: 'handleLogEntry',
};

// ---- authorization (CHECK) ----------------------------------------------------------------
export interface AuthorizationInstance extends TemplateInstance {
  readonly subject: {
    readonly user: string | undefined;
    readonly groups: string | undefined;
    readonly properties: ValueMap;
  };
  readonly action: {
    readonly namespace: string | undefined;
    readonly service: string | undefined;
    readonly method: string | undefined;
    readonly path: string | undefined;
    readonly properties: ValueMap;
  };
}
export interface AuthorizationHandler {
  handleAuthorization(instance: AuthorizationInstance, context: CallContext): MaybePromise<CheckResult>;
}
export const AUTHORIZATION: TemplateDefinition<AuthorizationInstance> = {
  name: 'authorization',
  variety: TemplateVariety.CHECK,
  description: 'Who (subject) wants to do what (action): the input of access-control adapters.',
  fields: [
    field('subject', message([field('user', STRING), field('groups', STRING), field('properties', VALUE_MAP)])),
    field(
      'action',
      message([field('namespace', STRING), field('service', STRING), field('method', STRING), field('path', STRING), field('properties', VALUE_MAP)]),
    ),
  ],
  handlerMethod: 'handleAuthorization',
};

// ---- apikey (CHECK) -----------------------------------------------------------------------
export interface ApiKeyInstance extends TemplateInstance {
  readonly api: string | undefined;
  readonly apiVersion: string | undefined;
  readonly apiOperation: string | undefined;
  readonly apiKey: string | undefined;
  readonly timestamp: Timestamp | undefined;
}
export interface ApiKeyHandler {
  handleApiKey(instance: ApiKeyInstance, context: CallContext): MaybePromise<CheckResult>;
}
export const APIKEY: TemplateDefinition<ApiKeyInstance> = {
  name: 'apikey',
  variety: TemplateVariety.CHECK,
  description: 'An API key presented for an API operation.',
  fields: [field('api', STRING), field('api_version', STRING), field('api_operation', STRING), field('api_key', STRING), field('timestamp', TIMESTAMP)],
  handlerMethod: 'handleApiKey',
};

// ---- tracespan (REPORT) -------------------------------------------------------------------
export interface TraceSpanInstance extends TemplateInstance {
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly parentSpanId: string | undefined;
  readonly spanName: string | undefined;
  readonly startTime: Timestamp | undefined;
  readonly endTime: Timestamp | undefined;
  readonly spanTags: ValueMap;
  readonly httpStatusCode: Int64 | undefined;
  readonly clientSpan: boolean | undefined;
  readonly rewriteClientSpanId: boolean | undefined;
  readonly sourceName: string | undefined;
  readonly sourceIp: IpAddress | undefined;
  readonly destinationName: string | undefined;
  readonly destinationIp: IpAddress | undefined;
  readonly requestSize: Int64 | undefined;
  readonly requestTotalSize: Int64 | undefined;
  readonly responseSize: Int64 | undefined;
  readonly responseTotalSize: Int64 | undefined;
  readonly apiProtocol: string | undefined;
}
export interface TraceSpanHandler {
  handleTraceSpan(instances: readonly TraceSpanInstance[]): MaybePromise<void>;
}
export const TRACESPAN: TemplateDefinition<TraceSpanInstance> = {
  name: 'tracespan',
  variety: TemplateVariety.REPORT,
  description: 'One span of a distributed trace.',
  fields: [
    field('trace_id', STRING),
    field('span_id', STRING),
    field('parent_span_id', STRING),
    field('span_name', STRING),
    field('start_time', TIMESTAMP),
    field('end_time', TIMESTAMP),
    field('span_tags', VALUE_MAP),
    field('http_status_code', INT64),
    field('client_span', BOOL),
    field('rewrite_client_span_id', BOOL),
    field('source_name', STRING),
    field('source_ip', IP_ADDRESS),
    field('destination_name', STRING),
    field('destination_ip', IP_ADDRESS),
    field('request_size', INT64),
    field('request_total_size', INT64),
    field('response_size', INT64),
    field('response_total_size', INT64),
    field('api_protocol', STRING),
  ],
  handlerMethod: 'handleTraceSpan',
};

// ---- edge (REPORT) ------------------------------------------------------------------------
export interface EdgeInstance extends TemplateInstance {
  readonly timestamp: Timestamp | undefined;
  readonly sourceWorkloadNamespace: string | undefined;
  readonly sourceWorkloadName: string | undefined;
  readonly sourceOwner: string | undefined;
  readonly sourceUid: string | undefined;
  readonly destinationWorkloadNamespace: string | undefined;
  readonly destinationWorkloadName: string | undefined;
  readonly destinationOwner: string | undefined;
  readonly destinationUid: string | undefined;
  readonly destinationServiceNamespace: string | undefined;
  readonly destinationServiceName: string | undefined;
  readonly contextProtocol: string | undefined;
  readonly apiProtocol: string | undefined;
}
export interface EdgeHandler {
  handleEdge(instances: readonly EdgeInstance[]): MaybePromise<void>;
}
export const EDGE: TemplateDefinition<EdgeInstance> = {
  name: 'edge',
  variety: TemplateVariety.REPORT,
  description: 'A call between two workloads, for building the service graph.',
  fields: [
    field('timestamp', TIMESTAMP),
    ...[
      'source_workload_namespace', 'source_workload_name', 'source_owner', 'source_uid',
      'destination_workload_namespace', 'destination_workload_name', 'destination_owner', 'destination_uid',
      'destination_service_namespace', 'destination_service_name', 'context_protocol', 'api_protocol',
    ].map((name) => field(name, STRING)),
  ],
  handlerMethod: 'handleEdge',
};

