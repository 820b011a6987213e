import { Timestamp } from '../../core/attribute/timestamp.js';
import type { LogEntryInstance, TraceSpanInstance } from '../../templates/definitions.js';
import { durationMillis, JsonObjectWriter } from './json-value.js';

/** Fields of a logentry document the adapter writes itself; variables may not use these names. */
export const RESERVED_LOGENTRY_FIELDS: ReadonlySet<string> = new Set(['@timestamp', 'instance', 'severity', 'monitored_resource']);

/** A document ready for the bulk API: its index and its JSON text. */
export interface BulkDocument {
  readonly index: string;
  readonly source: string;
}

/**
 * A logentry instance as a document: `@timestamp` (the instance's timestamp, or now), the
 * instance name, the severity, `monitored_resource` {type, dimensions} when set, then the
 * variables as top-level fields (a variable named like one of those is left out; validation
 * refuses such configs).
 */
export function logEntryDocument(instance: LogEntryInstance, time: Timestamp): string {
  const writer = new JsonObjectWriter()
    .field('@timestamp', time)
    .field('instance', instance.name)
    .field('severity', instance.severity);
  const resource = new JsonObjectWriter().field('type', instance.monitoredResourceType).object('dimensions', instance.monitoredResourceDimensions);
  if (!resource.empty) writer.raw('monitored_resource', resource.toString());
  for (const name of Object.keys(instance.variables)) {
    if (!RESERVED_LOGENTRY_FIELDS.has(name)) writer.field(name, instance.variables[name]);
  }
  return writer.toString();
}

/**
 * A tracespan instance as a document: `@timestamp` (the span's start, or now), the instance
 * name, the span's fields in lowerCamelCase, `durationMs` when both ends are set, and
 * `spanTags` as an object.
 */
export function traceSpanDocument(span: TraceSpanInstance, time: Timestamp): string {
  const writer = new JsonObjectWriter()
    .field('@timestamp', time)
    .field('instance', span.name)
    .field('traceId', span.traceId)
    .field('spanId', span.spanId)
    .field('parentSpanId', span.parentSpanId)
    .field('spanName', span.spanName)
    .field('startTime', span.startTime)
    .field('endTime', span.endTime);
  if (span.startTime !== undefined && span.endTime !== undefined) writer.raw('durationMs', String(durationMillis(span.endTime.since(span.startTime))));
  return writer
    .field('httpStatusCode', span.httpStatusCode)
    .field('clientSpan', span.clientSpan)
    .field('sourceName', span.sourceName)
    .field('sourceIp', span.sourceIp)
    .field('destinationName', span.destinationName)
    .field('destinationIp', span.destinationIp)
    .field('requestSize', span.requestSize)
    .field('requestTotalSize', span.requestTotalSize)
    .field('responseSize', span.responseSize)
    .field('responseTotalSize', span.responseTotalSize)
    .field('apiProtocol', span.apiProtocol)
    .object('spanTags', span.spanTags)
    .toString();
}

/** The time a logentry is indexed by: its timestamp, or `nowMs` when unset. */
export function logEntryTime(instance: LogEntryInstance, nowMs: number): Timestamp {
  return instance.timestamp ?? Timestamp.fromMillis(nowMs);
}

/** The time a span is indexed by: its start, or `nowMs` when unset. */
export function traceSpanTime(span: TraceSpanInstance, nowMs: number): Timestamp {
  return span.startTime ?? Timestamp.fromMillis(nowMs);
}
