import { HeaderOperationKind } from '../config/snapshot.js';
import type { CheckOutcome, HeaderOperation, RouteDirective } from '../runtime/check-outcome.js';
import { RpcCode } from '../status/rpc-code.js';
import type { RpcStatus } from '../status/rpc-status.js';
import { writeSecondsNanos } from './seconds-nanos.js';
import { writeReferencedAttributes } from './referenced-attributes-codec.js';
import { WireType } from './wire-reader.js';
import { WireWriter } from './wire-writer.js';

/** The type URL of istio.policy.v1beta1.DirectHttpResponse in a google.rpc.Status detail. */
export const DIRECT_HTTP_RESPONSE_TYPE_URL = 'type.googleapis.com/istio.policy.v1beta1.DirectHttpResponse';

const OPERATION_NUMBERS: Readonly<Record<HeaderOperationKind, number>> = {
  [HeaderOperationKind.REPLACE]: 0,
  [HeaderOperationKind.REMOVE]: 1,
  [HeaderOperationKind.APPEND]: 2,
};

const MAX_DURATION_SECONDS = 315_576_000_000;
const MAX_INT32 = 2_147_483_647;

/**
 * Writes the istio.mixer.v1.CheckResponse for `outcome` in one pass, straight from the
 * outcome. As Mixer's Go server does, the precondition, its status, its valid_duration and its
 * referenced_attributes are always present; quotas are written only when the outcome has them
 * (the dispatcher allocates them only when the precondition is OK). Referenced attributes use
 * global word indexes only below the caller's `globalWordCount`, and leave out the reading of a
 * whole string map (`isStringMap`), as Mixer does: a proxy keys its cache on the map's keys that
 * were read, not on every header of the request.
 */
export function encodeCheckResponse(outcome: CheckOutcome, globalWordCount: number, isStringMap?: (name: string) => boolean): Buffer {
  const writer = new WireWriter(256);
  const precondition = writer.begin(2);
  writeStatus(writer, 1, outcome.status);
  writeMillis(writer, 2, outcome.validDurationMs);
  if (outcome.validUseCount !== 0) {
    writer.tag(3, WireType.VARINT);
    writer.int32(Math.max(-MAX_INT32 - 1, Math.min(MAX_INT32, Math.trunc(outcome.validUseCount))));
  }
  writeReferencedAttributes(writer, 5, outcome.referenced, globalWordCount, isStringMap);
  if (outcome.routeDirective !== undefined) writeRouteDirective(writer, 6, outcome.routeDirective);
  writer.end(precondition);
  for (const [name, quota] of outcome.quotas) {
    const entry = writer.begin(3);
    writer.tag(1, WireType.LENGTH_DELIMITED);
    writer.string(name);
    const result = writer.begin(2);
    writeMillis(writer, 1, quota.validDurationMs);
    if (quota.grantedAmount !== 0) {
      writer.tag(2, WireType.VARINT);
      writer.int64(Math.trunc(quota.grantedAmount));
    }
    writeReferencedAttributes(writer, 5, quota.referenced, globalWordCount, isStringMap);
    writeStatus(writer, 6, quota.status);
    writer.end(result);
    writer.end(entry);
  }
  return writer.finish();
}

/** A google.rpc.Status; a direct HTTP response rides along as a DirectHttpResponse detail, as Mixer sends it. */
export function writeStatus(writer: WireWriter, field: number, status: RpcStatus): void {
  const mark = writer.begin(field);
  if (status.code !== RpcCode.OK) {
    writer.tag(1, WireType.VARINT);
    writer.int32(status.code);
  }
  if (status.message !== '') {
    writer.tag(2, WireType.LENGTH_DELIMITED);
    writer.string(status.message);
  }
  const direct = status.directResponse;
  if (direct !== undefined) {
    const detail = writer.begin(3);
    writer.tag(1, WireType.LENGTH_DELIMITED);
    writer.string(DIRECT_HTTP_RESPONSE_TYPE_URL);
    const value = writer.begin(2);
    if (direct.code !== 0) {
      writer.tag(1, WireType.VARINT);
      writer.int32(direct.code);
    }
    if (direct.body !== '') {
      writer.tag(2, WireType.LENGTH_DELIMITED);
      writer.string(direct.body);
    }
    for (const [name, text] of Object.entries(direct.headers)) {
      const header = writer.begin(3);
      writer.tag(1, WireType.LENGTH_DELIMITED);
      writer.string(name);
      writer.tag(2, WireType.LENGTH_DELIMITED);
      writer.string(text);
      writer.end(header);
    }
    writer.end(value);
    writer.end(detail);
  }
  writer.end(mark);
}

/** A google.protobuf.Duration from milliseconds (infinite → the largest Duration). */
export function writeMillis(writer: WireWriter, field: number, milliseconds: number): void {
  if (!Number.isFinite(milliseconds)) {
    writeSecondsNanos(writer, field, milliseconds > 0 ? MAX_DURATION_SECONDS : -MAX_DURATION_SECONDS, 0);
    return;
  }
  const seconds = Math.trunc(milliseconds / 1000);
  const nanos = Math.round((milliseconds - seconds * 1000) * 1e6);
  writeSecondsNanos(writer, field, seconds, nanos);
}

function writeRouteDirective(writer: WireWriter, field: number, directive: RouteDirective): void {
  const mark = writer.begin(field);
  for (const operation of directive.requestHeaderOperations) writeHeaderOperation(writer, 1, operation);
  for (const operation of directive.responseHeaderOperations) writeHeaderOperation(writer, 2, operation);
  if (directive.directResponseCode !== 0) {
    writer.tag(3, WireType.VARINT);
    writer.uint32(directive.directResponseCode);
  }
  if (directive.directResponseBody !== '') {
    writer.tag(4, WireType.LENGTH_DELIMITED);
    writer.string(directive.directResponseBody);
  }
  writer.end(mark);
}

function writeHeaderOperation(writer: WireWriter, field: number, operation: HeaderOperation): void {
  const mark = writer.begin(field);
  writer.tag(1, WireType.LENGTH_DELIMITED);
  writer.string(operation.name);
  if (operation.value !== '') {
    writer.tag(2, WireType.LENGTH_DELIMITED);
    writer.string(operation.value);
  }
  const number = OPERATION_NUMBERS[operation.operation];
  if (number !== 0) {
    writer.tag(3, WireType.VARINT);
    writer.uint32(number);
  }
  writer.end(mark);
}
