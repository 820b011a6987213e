import type { AttributeBag } from '../attribute/bag.js';
import type { AttributeManifest } from '../attribute/manifest.js';
import type { QuotaRequest } from '../runtime/check-outcome.js';
import { writeCompressedAttributes } from './attribute-encoder.js';
import { AttributeDecodeError, decodeCompressedAttributes, type DecodedAttributes } from './compressed-attributes.js';
import { GlobalDictionaryMismatchError } from './grpc-errors.js';
import { WireReader, WireType } from './wire-reader.js';
import { writeQuotaEntry } from './quota-params-writer.js';
import { WireWriter } from './wire-writer.js';
import { WordTable } from './word-table.js';

/** An istio.mixer.v1.CheckRequest as the server receives it: attributes decoded, values still compressed. */
export interface DecodedCheckRequest {
  readonly attributes: DecodedAttributes;
  readonly globalWordCount: number;
  readonly deduplicationId: string;
  readonly quotas: ReadonlyMap<string, QuotaRequest>;
}

const NO_QUOTAS: ReadonlyMap<string, QuotaRequest> = new Map();

/**
 * Decodes a CheckRequest: attributes (1), global_word_count (2), deduplication_id (3), quotas (4).
 * Unknown fields are skipped; a repeated `attributes` field is merged as protobuf merges
 * messages (its parts read as one). Throws WireFormatError, GlobalDictionaryMismatchError (checked
 * before the attributes are) or AttributeDecodeError.
 */
export function decodeCheckRequest(buf: Buffer): DecodedCheckRequest {
  const reader = new WireReader(buf);
  let attributesStart = -1;
  let attributesEnd = -1;
  let merged: Buffer | undefined;
  let globalWordCount = 0;
  let deduplicationId = '';
  let quotas: Map<string, QuotaRequest> | undefined;
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1: {
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'CheckRequest.attributes');
        const end = reader.delimitedEnd();
        if (attributesStart >= 0) {
          merged = Buffer.concat([merged ?? buf.subarray(attributesStart, attributesEnd), buf.subarray(reader.pos, end)]);
        }
        attributesStart = reader.pos;
        attributesEnd = end;
        reader.pos = end;
        break;
      }
      case 2:
        reader.expect(tag, WireType.VARINT, 'CheckRequest.global_word_count');
        globalWordCount = reader.uint32();
        break;
      case 3:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'CheckRequest.deduplication_id');
        deduplicationId = reader.string();
        break;
      case 4: {
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'CheckRequest.quotas');
        const [name, request] = readQuota(reader);
        (quotas ??= new Map()).set(name, request);
        break;
      }
      default:
        reader.skip(tag & 7);
    }
  }
  GlobalDictionaryMismatchError.check(globalWordCount);
  const attributes =
    merged !== undefined
      ? decodeCompressedAttributes(merged, 0, merged.length)
      : attributesStart >= 0
        ? decodeCompressedAttributes(buf, attributesStart, attributesEnd)
        : decodeCompressedAttributes(buf, 0, 0);
  return { attributes, globalWordCount, deduplicationId, quotas: quotas ?? NO_QUOTAS };
}

/** One quotas map entry: name (1) → QuotaParams (2) {amount (1), best_effort (2)}. */
function readQuota(reader: WireReader): [string, QuotaRequest] {
  const outer = reader.enter();
  let name = '';
  let amount = 0;
  let bestEffort = false;
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'CheckRequest.quotas', 'key');
      name = reader.string();
    } else if (tag >>> 3 === 2) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'CheckRequest.quotas', 'value');
      const params = reader.enter();
      while (!reader.atEnd) {
        const paramTag = reader.tag();
        if (paramTag >>> 3 === 1) {
          reader.expect(paramTag, WireType.VARINT, 'CheckRequest.QuotaParams.amount');
          const value = reader.int64();
          if (typeof value === 'bigint') throw new AttributeDecodeError(`quota amount ${value} is beyond the supported range (±2^53)`);
          amount = value;
        } else if (paramTag >>> 3 === 2) {
          reader.expect(paramTag, WireType.VARINT, 'CheckRequest.QuotaParams.best_effort');
          bestEffort = reader.bool();
        } else {
          reader.skip(paramTag & 7);
        }
      }
      reader.leave(params);
    } else {
      reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  return [name, { amount, bestEffort }];
}

/** What a client sends in one Check. */
export interface CheckRequestInput {
  readonly attributes: AttributeBag;
  readonly quotas: ReadonlyMap<string, QuotaRequest>;
  readonly deduplicationId: string;
}

/**
 * Encodes a CheckRequest the way Envoy does: names and strings below `globalWordCount` in the
 * global dictionary go by their global index, every other word into the message's own words.
 * `manifest` types numbers (INT64 or DOUBLE) the bag cannot tell apart.
 */
export function encodeCheckRequest(input: CheckRequestInput, manifest: AttributeManifest, globalWordCount: number): Buffer {
  const writer = new WireWriter(512);
  const attributes = writer.begin(1);
  writeCompressedAttributes(writer, input.attributes, new WordTable(globalWordCount), manifest);
  writer.end(attributes);
  if (globalWordCount !== 0) {
    writer.tag(2, WireType.VARINT);
    writer.uint32(globalWordCount);
  }
  if (input.deduplicationId !== '') {
    writer.tag(3, WireType.LENGTH_DELIMITED);
    writer.string(input.deduplicationId);
  }
  for (const [name, quota] of input.quotas) writeQuotaEntry(writer, 4, name, quota.amount, quota.bestEffort);
  return Buffer.from(writer.finish());
}
