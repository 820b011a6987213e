import type { InstanceTypes, TemplateInstance } from '../../templates/template.js';
import type { CheckResult, QuotaResult } from '../../templates/handler-contract.js';
import { readStatus } from '../grpc/check-response-decoder.js';
import { writeMillis, writeStatus } from '../grpc/check-response-encoder.js';
import { WireFormatError, WireReader, WireType } from '../grpc/wire-reader.js';
import { writeQuotaEntry } from '../grpc/quota-params-writer.js';
import { WireWriter } from '../grpc/wire-writer.js';
import { OK_STATUS, type RpcStatus } from '../status/rpc-status.js';
import { readInstanceMsg, writeInstanceMsg } from './instance-codec.js';
import { readSafeSecondsNanos } from '../grpc/seconds-nanos.js';
import type { TemplateWire } from './template-wire.js';
import { TemplateVariety } from '../../templates/template.js';

// The messages of the generated template services (Istio's template_handler_service.proto) and
// of istio.mixer.adapter.model.v1beta1 (check.proto, quota.proto, report.proto):
//   Handle<T>Request { instance = 1 | repeated instances = 1; adapter_config = 2 (Any);
//                      dedup_id = 3; quota_request = 4 (quota only) }
//   QuotaRequest { map<string, QuotaParams{amount = 1, best_effort = 2}> quotas = 1 }
//   CheckResult  { status = 1; valid_duration = 2; valid_use_count = 3 }
//   QuotaResult  { map<string, Result{valid_duration = 2, granted_amount = 3, status = 4}> quotas = 1 }
//   ReportResult {}

/** google.protobuf.Any: a type URL and the encoded message. */
export interface AnyMessage {
  readonly typeUrl: string;
  readonly value: Buffer;
}

/** One quota asked for in a HandleQuota request. */
export interface QuotaAsk {
  readonly name: string;
  readonly amount: number;
  readonly bestEffort: boolean;
}

/** A decoded Handle<T>Request. */
export interface HandleRequest {
  readonly instances: readonly TemplateInstance[];
  readonly adapterConfig: AnyMessage | undefined;
  readonly dedupId: string;
  readonly quotas: readonly QuotaAsk[];
}

/** `adapter_config` (field 2) encoded once per handler, written as is into every request. */
export function encodeAdapterConfigField(config: AnyMessage): Buffer {
  const writer = new WireWriter(64 + config.value.length);
  const mark = writer.begin(2);
  writer.tag(1, WireType.LENGTH_DELIMITED);
  writer.string(config.typeUrl);
  writer.tag(2, WireType.LENGTH_DELIMITED);
  writer.bytes(config.value);
  writer.end(mark);
  return Buffer.from(writer.finish());
}

/**
 * Encodes a Handle<T>Request: one `instance` for CHECK and QUOTA templates, repeated
 * `instances` for REPORT templates. `typesOf` gives each instance's inferred field types.
 */
export function encodeHandleRequest(
  wire: TemplateWire,
  instances: readonly TemplateInstance[],
  typesOf: (instanceName: string) => InstanceTypes | undefined,
  adapterConfigField: Buffer | undefined,
  dedupId: string,
  quota?: QuotaAsk,
): Buffer {
  const writer = new WireWriter(256 * Math.max(1, instances.length));
  for (const instance of instances) writeInstanceMsg(writer, 1, wire.fields, instance, typesOf(instance.name));
  if (adapterConfigField !== undefined) writer.raw(adapterConfigField);
  if (dedupId !== '') {
    writer.tag(3, WireType.LENGTH_DELIMITED);
    writer.string(dedupId);
  }
  if (quota !== undefined) {
    const request = writer.begin(4);
    writeQuotaEntry(writer, 1, quota.name, quota.amount, quota.bestEffort);
    writer.end(request);
  }
  return writer.finish();
}

/** Decodes a Handle<T>Request of template `wire`. Throws WireFormatError on malformed bytes. */
export function decodeHandleRequest(wire: TemplateWire, bytes: Buffer): HandleRequest {
  const reader = WireReader.of(bytes);
  const instances: TemplateInstance[] = [];
  let adapterConfig: AnyMessage | undefined;
  let dedupId = '';
  const quotas: QuotaAsk[] = [];
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1:
        reader.expect(tag, WireType.LENGTH_DELIMITED, wire.variety === TemplateVariety.REPORT ? 'instances' : 'instance');
        instances.push(readInstanceMsg(reader, wire.fields));
        break;
      case 2:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'adapter_config');
        adapterConfig = readAny(reader);
        break;
      case 3:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'dedup_id');
        dedupId = reader.string();
        break;
      case 4:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'quota_request');
        readQuotaRequest(reader, quotas);
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  if (wire.variety !== TemplateVariety.REPORT && instances.length > 1) {
    throw new WireFormatError(`Handle${wire.method.slice('Handle'.length)}Request carries ${instances.length} instances; a ${wire.variety} template takes one`);
  }
  return { instances, adapterConfig, dedupId, quotas };
}

function readAny(reader: WireReader): AnyMessage {
  const outer = reader.enter();
  let typeUrl = '';
  let value: Buffer = Buffer.alloc(0);
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1 && (tag & 7) === WireType.LENGTH_DELIMITED) typeUrl = reader.string();
    else if (tag >>> 3 === 2 && (tag & 7) === WireType.LENGTH_DELIMITED) value = reader.bytes();
    else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return { typeUrl, value };
}

function readQuotaRequest(reader: WireReader, quotas: QuotaAsk[]): void {
  const outer = reader.enter();
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 !== 1 || (tag & 7) !== WireType.LENGTH_DELIMITED) {
      reader.skip(tag & 7);
      continue;
    }
    const entry = reader.enter();
    let name = '';
    let amount = 0;
    let bestEffort = false;
    while (!reader.atEnd) {
      const inner = reader.tag();
      if (inner >>> 3 === 1 && (inner & 7) === WireType.LENGTH_DELIMITED) name = reader.string();
      else if (inner >>> 3 === 2 && (inner & 7) === WireType.LENGTH_DELIMITED) {
        const params = reader.enter();
        while (!reader.atEnd) {
          const field = reader.tag();
          if (field >>> 3 === 1 && (field & 7) === WireType.VARINT) amount = Number(reader.int64());
          else if (field >>> 3 === 2 && (field & 7) === WireType.VARINT) bestEffort = reader.bool();
          else reader.skip(field & 7);
        }
        reader.leave(params);
      } else reader.skip(inner & 7);
    }
    reader.leave(entry);
    quotas.push({ name, amount, bestEffort });
  }
  reader.leave(outer);
}

// ---- results -------------------------------------------------------------------------------

export function encodeCheckResult(result: CheckResult): Buffer {
  const writer = new WireWriter(64);
  writeStatus(writer, 1, result.status);
  writeMillis(writer, 2, result.validDurationMs);
  if (result.validUseCount !== 0) {
    writer.tag(3, WireType.VARINT);
    writer.int32(Math.max(-2147483648, Math.min(2147483647, Math.trunc(result.validUseCount))));
  }
  return Buffer.from(writer.finish());
}

export function decodeCheckResult(bytes: Buffer): CheckResult {
  const reader = WireReader.of(bytes);
  let status: RpcStatus = OK_STATUS;
  let validDurationMs = 0;
  let validUseCount = 0;
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'CheckResult.status');
        status = readStatus(reader);
        break;
      case 2: {
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'CheckResult.valid_duration');
        const [seconds, nanos] = readSafeSecondsNanos(reader, 'CheckResult.valid_duration');
        validDurationMs = seconds * 1000 + nanos / 1e6;
        break;
      }
      case 3:
        reader.expect(tag, WireType.VARINT, 'CheckResult.valid_use_count');
        validUseCount = reader.int32();
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  return { status, validDurationMs, validUseCount };
}

/** A QuotaResult with one entry, keyed by the quota (instance) name, as Istio keys it. */
export function encodeQuotaResult(name: string, result: QuotaResult): Buffer {
  const writer = new WireWriter(64);
  const entry = writer.begin(1);
  writer.tag(1, WireType.LENGTH_DELIMITED);
  writer.string(name);
  const value = writer.begin(2);
  writeMillis(writer, 2, result.validDurationMs);
  if (result.grantedAmount !== 0) {
    writer.tag(3, WireType.VARINT);
    writer.int64(Math.trunc(result.grantedAmount));
  }
  writeStatus(writer, 4, result.status);
  writer.end(value);
  writer.end(entry);
  return Buffer.from(writer.finish());
}

/** The result for quota `name` (or the only one, whatever its key); zero values when absent, as Istio reads it. */
export function decodeQuotaResult(bytes: Buffer, name: string): QuotaResult {
  const reader = WireReader.of(bytes);
  let found: QuotaResult | undefined;
  let any: QuotaResult | undefined;
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 !== 1 || (tag & 7) !== WireType.LENGTH_DELIMITED) {
      reader.skip(tag & 7);
      continue;
    }
    const entry = reader.enter();
    let key = '';
    let result: QuotaResult = { status: OK_STATUS, grantedAmount: 0, validDurationMs: 0 };
    while (!reader.atEnd) {
      const inner = reader.tag();
      if (inner >>> 3 === 1 && (inner & 7) === WireType.LENGTH_DELIMITED) key = reader.string();
      else if (inner >>> 3 === 2 && (inner & 7) === WireType.LENGTH_DELIMITED) result = readQuotaResultValue(reader);
      else reader.skip(inner & 7);
    }
    reader.leave(entry);
    any ??= result;
    if (key === name) found = result;
  }
  return found ?? any ?? { status: OK_STATUS, grantedAmount: 0, validDurationMs: 0 };
}

function readQuotaResultValue(reader: WireReader): QuotaResult {
  const outer = reader.enter();
  let status: RpcStatus = OK_STATUS;
  let grantedAmount = 0;
  let validDurationMs = 0;
  while (!reader.atEnd) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 2 && (tag & 7) === WireType.LENGTH_DELIMITED) {
      const [seconds, nanos] = readSafeSecondsNanos(reader, 'QuotaResult.valid_duration');
      validDurationMs = seconds * 1000 + nanos / 1e6;
    } else if (field === 3 && (tag & 7) === WireType.VARINT) grantedAmount = Number(reader.int64());
    else if (field === 4 && (tag & 7) === WireType.LENGTH_DELIMITED) status = readStatus(reader);
    else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return { status, grantedAmount, validDurationMs };
}

/** ReportResult is empty. */
export const REPORT_RESULT: Buffer = Buffer.alloc(0);
