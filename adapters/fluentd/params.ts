import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams, GoDuration, ProtoEnum } from '../sdk/params-schema.js';

export const EVENT_MODES = ['Message', 'PackedForward', 'CompressedPackedForward'] as const;
/** How fluent-logger frames events on the wire (Fluentd's forward protocol modes). */
export type EventMode = (typeof EVENT_MODES)[number];

const MEGABYTE = 1024 * 1024;

/**
 * fluentd's params: Istio 1.4's (mixer/adapter/fluentd/config/config.proto) plus the wire and
 * retry settings this implementation adds (eventMode, requireAckResponse, subSecondPrecision,
 * the backoff bounds).
 */
export const FluentdParamsSchema = Type.Object(
  {
    address: Type.String({ default: 'localhost:24224', description: 'host:port of the Fluentd / Fluent Bit forward input' }),
    integerDuration: Type.Boolean({ default: false, description: 'durations as integer milliseconds instead of Go text (1.5s)' }),
    instanceBufferSize: Type.Integer({ default: 1024, minimum: 1, description: 'entries buffered at most; beyond that the oldest are dropped' }),
    maxBatchSizeBytes: Type.Integer({ default: 8 * MEGABYTE, minimum: 1, description: 'a batch is sent once this many bytes are buffered' }),
    pushIntervalDuration: GoDuration({ default: '1m', description: 'buffered entries are sent at least this often' }),
    pushTimeoutDuration: GoDuration({ default: '1m', description: 'a delivery is abandoned (and retried) after this long' }),
    eventMode: ProtoEnum(EVENT_MODES, { default: 'PackedForward', description: 'forward protocol mode: one frame per entry, or one per tag and batch' }),
    requireAckResponse: Type.Boolean({ default: false, description: 'ask the receiver to acknowledge each frame (at-least-once delivery)' }),
    subSecondPrecision: Type.Boolean({ default: false, description: 'send times as EventTime (nanoseconds) instead of whole seconds' }),
    initialBackoffDuration: GoDuration({ default: '1s', description: 'wait after the first failed delivery; doubles per failure' }),
    maxBackoffDuration: GoDuration({ default: '1m', description: 'the longest wait between delivery attempts' }),
  },
  { additionalProperties: false },
);

export type FluentdParams = StaticDecode<typeof FluentdParamsSchema>;
export const fluentdParams = defineParams(FluentdParamsSchema);
