import type { TemplateName } from '../../adapters/sdk/adapter-info.js';
import { TemplateVariety } from '../../templates/template.js';

/**
 * How an instance field travels in a template's `InstanceMsg`:
 * - `value`: istio.policy.v1beta1.Value (any attribute type, tagged by its oneof case);
 * - `valueMap`: map<string, istio.policy.v1beta1.Value>;
 * - `string`, `int64`, `bool`: scalars;
 * - `timestamp`: istio.policy.v1beta1.TimeStamp; `ipAddress`: istio.policy.v1beta1.IPAddress;
 * - `message`: a nested message (authorization's subject and action).
 */
export type WireFieldKind = 'value' | 'valueMap' | 'string' | 'int64' | 'bool' | 'timestamp' | 'ipAddress' | 'message';

export interface WireField {
  /** The property of the instance object (lowerCamelCase). */
  readonly key: string;
  /** The field number in Istio's generated `InstanceMsg`. */
  readonly number: number;
  readonly kind: WireFieldKind;
  /** For `message` fields: the nested message's fields. */
  readonly fields?: readonly WireField[];
}

/** One template's remote service: its proto package, gRPC method and InstanceMsg layout. */
export interface TemplateWire {
  readonly template: TemplateName;
  readonly variety: TemplateVariety.CHECK | TemplateVariety.REPORT | TemplateVariety.QUOTA;
  /** `/<package>.Handle<T>Service/Handle<T>`. */
  readonly path: string;
  /** `Handle<T>`: the gRPC method name. */
  readonly method: string;
  readonly fields: readonly WireField[];
}

/** `name = 72295727` in every InstanceMsg: the instance's fully qualified name. */
export const INSTANCE_NAME_FIELD = 72295727;

const f = (key: string, number: number, kind: WireFieldKind, fields?: readonly WireField[]): WireField =>
  fields === undefined ? { key, number, kind } : { key, number, kind, fields };

function wire(template: TemplateName, pkg: string, handle: string, variety: TemplateWire['variety'], fields: readonly WireField[]): TemplateWire {
  return Object.freeze({ template, variety, method: `Handle${handle}`, path: `/${pkg}.Handle${handle}Service/Handle${handle}`, fields: Object.freeze(fields) });
}

const { CHECK, REPORT, QUOTA } = TemplateVariety;

// Field numbers are those of Istio 1.4's generated `mixer/template/<name>/template_handler_service.proto`.
const WIRES: readonly TemplateWire[] = [
  wire('checknothing', 'checknothing', 'CheckNothing', CHECK, []),
  wire('reportnothing', 'reportnothing', 'ReportNothing', REPORT, []),
  wire('listentry', 'listentry', 'ListEntry', CHECK, [f('value', 1, 'value')]),
  wire('quota', 'quota', 'Quota', QUOTA, [f('dimensions', 1, 'valueMap')]),
  wire('metric', 'metric', 'Metric', REPORT, [
    f('value', 1, 'value'),
    f('dimensions', 2, 'valueMap'),
    f('monitoredResourceType', 3, 'string'),
    f('monitoredResourceDimensions', 4, 'valueMap'),
  ]),
  wire('logentry', 'logentry', 'LogEntry', REPORT, [
    f('variables', 1, 'valueMap'),
    f('timestamp', 2, 'timestamp'),
    f('severity', 3, 'string'),
    f('monitoredResourceType', 4, 'string'),
    f('monitoredResourceDimensions', 5, 'valueMap'),
  ]),
  wire('authorization', 'authorization', 'Authorization', CHECK, [
    f('subject', 1, 'message', [f('user', 1, 'string'), f('groups', 2, 'string'), f('properties', 3, 'valueMap')]),
    f('action', 2, 'message', [
      f('namespace', 1, 'string'),
      f('service', 2, 'string'),
      f('method', 3, 'string'),
      f('path', 4, 'string'),
      f('properties', 5, 'valueMap'),
    ]),
  ]),
  wire('apikey', 'apikey', 'ApiKey', CHECK, [
    f('api', 1, 'string'),
    f('apiVersion', 2, 'string'),
    f('apiOperation', 3, 'string'),
    f('apiKey', 4, 'string'),
    f('timestamp', 5, 'timestamp'),
  ]),
  wire('tracespan', 'tracespan', 'TraceSpan', REPORT, [
    f('traceId', 1, 'string'),
    f('spanId', 2, 'string'),
    f('parentSpanId', 3, 'string'),
    f('spanName', 4, 'string'),
    f('startTime', 5, 'timestamp'),
    f('endTime', 6, 'timestamp'),
    f('spanTags', 7, 'valueMap'),
    f('httpStatusCode', 8, 'int64'),
    f('clientSpan', 9, 'bool'),
    f('rewriteClientSpanId', 10, 'bool'),
    f('sourceName', 11, 'string'),
    f('sourceIp', 12, 'ipAddress'),
    f('destinationName', 13, 'string'),
    f('destinationIp', 14, 'ipAddress'),
    f('requestSize', 15, 'int64'),
    f('requestTotalSize', 16, 'int64'),
    f('responseSize', 17, 'int64'),
    f('responseTotalSize', 18, 'int64'),
    f('apiProtocol', 19, 'string'),
  ]),
  wire('edge', 'edge', 'Edge', REPORT, [
    f('timestamp', 1, 'timestamp'),
    f('sourceWorkloadNamespace', 10, 'string'),
    f('sourceWorkloadName', 11, 'string'),
    f('sourceOwner', 12, 'string'),
    f('sourceUid', 13, 'string'),
    f('destinationWorkloadNamespace', 20, 'string'),
    f('destinationWorkloadName', 21, 'string'),
    f('destinationOwner', 22, 'string'),
    f('destinationUid', 23, 'string'),
    f('destinationServiceNamespace', 24, 'string'),
    f('destinationServiceName', 25, 'string'),
    f('contextProtocol', 30, 'string'),
    f('apiProtocol', 31, 'string'),
  ]),
];

const BY_TEMPLATE: ReadonlyMap<string, TemplateWire> = new Map(WIRES.map((entry) => [entry.template, entry]));

/** The remote service of a compiled-in template, or undefined for a template with none (attribute generators). */
export function templateWire(template: string): TemplateWire | undefined {
  return BY_TEMPLATE.get(template);
}

/** Every template that can be sent to an out-of-process adapter. */
export function remoteTemplates(): readonly TemplateWire[] {
  return WIRES;
}
