import type { TransportCheckResponse, TransportPrecondition, TransportQuotaResult } from '../client/transport.js';
import { HeaderOperationKind } from '../config/snapshot.js';
import type { HeaderOperation, RouteDirective } from '../runtime/check-outcome.js';
import { OK_STATUS, type DirectHttpResponse, type RpcStatus } from '../status/rpc-status.js';
import type { AttributeReference } from '../attribute/referenced-attributes.js';
import { DIRECT_HTTP_RESPONSE_TYPE_URL } from './check-response-encoder.js';
import { readReferencedAttributes, type DecodedReferences } from './referenced-attributes-codec.js';
import { WireReader, WireType } from './wire-reader.js';

const OPERATION_KINDS: readonly HeaderOperationKind[] = [HeaderOperationKind.REPLACE, HeaderOperationKind.REMOVE, HeaderOperationKind.APPEND];
const NO_REFERENCES: DecodedReferences = { references: [], valid: true };

/**
 * Decodes an istio.mixer.v1.CheckResponse for the client: a missing precondition stays
 * undefined (the client treats that as INVALID_ARGUMENT and caches nothing), a missing
 * valid_duration stays undefined (never expires by time), and referenced attributes are decoded
 * against the full dictionary (an undecodable one marks the answer not cacheable). Throws
 * WireFormatError for malformed bytes.
 */
export function decodeCheckResponse(buf: Buffer): TransportCheckResponse {
  const reader = new WireReader(buf);
  let precondition: TransportPrecondition | undefined;
  const quotas = new Map<string, TransportQuotaResult>();
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 2) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'CheckResponse.precondition');
      precondition = readPrecondition(reader);
    } else if (tag >>> 3 === 3) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'CheckResponse.quotas');
      const outer = reader.enter();
      let name = '';
      let result: TransportQuotaResult = { status: OK_STATUS, grantedAmount: 0, validDurationMs: undefined, referenced: [], referencedValid: true };
      while (!reader.atEnd) {
        const entryTag = reader.tag();
        if (entryTag >>> 3 === 1) {
          reader.expect(entryTag, WireType.LENGTH_DELIMITED, 'CheckResponse.quotas', 'key');
          name = reader.string();
        } else if (entryTag >>> 3 === 2) {
          reader.expect(entryTag, WireType.LENGTH_DELIMITED, 'CheckResponse.quotas', 'value');
          result = readQuotaResult(reader);
        } else reader.skip(entryTag & 7);
      }
      reader.leave(outer);
      quotas.set(name, result);
    } else {
      reader.skip(tag & 7);
    }
  }
  return { precondition, quotas };
}

function readPrecondition(reader: WireReader): TransportPrecondition {
  const outer = reader.enter();
  let status: RpcStatus = OK_STATUS;
  let validDurationMs: number | undefined;
  let validUseCount = 0;
  let referenced = NO_REFERENCES;
  let routeDirective: RouteDirective | undefined;
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'PreconditionResult.status');
        status = readStatus(reader);
        break;
      case 2:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'PreconditionResult.valid_duration');
        validDurationMs = readDurationMillis(reader);
        break;
      case 3:
        reader.expect(tag, WireType.VARINT, 'PreconditionResult.valid_use_count');
        validUseCount = reader.int32();
        break;
      case 5:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'PreconditionResult.referenced_attributes');
        referenced = readReferencedAttributes(reader);
        break;
      case 6:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'PreconditionResult.route_directive');
        routeDirective = readRouteDirective(reader);
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  return { status, validDurationMs, validUseCount, referenced: referenced.references, referencedValid: referenced.valid, routeDirective };
}

function readQuotaResult(reader: WireReader): TransportQuotaResult {
  const outer = reader.enter();
  let status: RpcStatus = OK_STATUS;
  let grantedAmount = 0;
  let validDurationMs: number | undefined;
  let referenced: readonly AttributeReference[] = [];
  let referencedValid = true;
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'QuotaResult.valid_duration');
        validDurationMs = readDurationMillis(reader);
        break;
      case 2: {
        reader.expect(tag, WireType.VARINT, 'QuotaResult.granted_amount');
        const amount = reader.int64();
        grantedAmount = typeof amount === 'bigint' ? Number(amount) : amount;
        break;
      }
      case 5: {
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'QuotaResult.referenced_attributes');
        const decoded = readReferencedAttributes(reader);
        referenced = decoded.references;
        referencedValid = decoded.valid;
        break;
      }
      case 6:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'QuotaResult.status');
        status = readStatus(reader);
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  return { status, grantedAmount, validDurationMs, referenced, referencedValid };
}

/** google.rpc.Status, with a DirectHttpResponse detail (if any) as `directResponse`. */
export function readStatus(reader: WireReader): RpcStatus {
  const outer = reader.enter();
  let code = 0;
  let message = '';
  let directResponse: DirectHttpResponse | undefined;
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1) {
      reader.expect(tag, WireType.VARINT, 'Status.code');
      code = reader.int32();
    } else if (tag >>> 3 === 2) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'Status.message');
      message = reader.string();
    } else if (tag >>> 3 === 3) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'Status.details');
      directResponse = readDetail(reader) ?? directResponse;
    } else {
      reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  if (code === 0 && message === '' && directResponse === undefined) return OK_STATUS;
  return directResponse === undefined ? { code, message } : { code, message, directResponse };
}

/** A google.protobuf.Any detail: a DirectHttpResponse when its type says so, else undefined. */
function readDetail(reader: WireReader): DirectHttpResponse | undefined {
  const outer = reader.enter();
  let typeUrl = '';
  let valueStart = -1;
  let valueEnd = -1;
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'Any.type_url');
      typeUrl = reader.string();
    } else if (tag >>> 3 === 2) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'Any.value');
      valueEnd = reader.delimitedEnd();
      valueStart = reader.pos;
      reader.pos = valueEnd;
    } else reader.skip(tag & 7);
  }
  reader.leave(outer);
  if (typeUrl !== DIRECT_HTTP_RESPONSE_TYPE_URL) return undefined;
  const value = new WireReader(reader.buf, Math.max(valueStart, 0), Math.max(valueEnd, 0));
  let code = 0;
  let body = '';
  const headers: Record<string, string> = {};
  while (!value.atEnd) {
    const tag = value.tag();
    if (tag >>> 3 === 1) {
      value.expect(tag, WireType.VARINT, 'DirectHttpResponse.code');
      code = value.int32();
    } else if (tag >>> 3 === 2) {
      value.expect(tag, WireType.LENGTH_DELIMITED, 'DirectHttpResponse.body');
      body = value.string();
    } else if (tag >>> 3 === 3) {
      value.expect(tag, WireType.LENGTH_DELIMITED, 'DirectHttpResponse.headers');
      const entry = value.enter();
      let name = '';
      let text = '';
      while (!value.atEnd) {
        const entryTag = value.tag();
        if (entryTag >>> 3 === 1 || entryTag >>> 3 === 2) {
          value.expect(entryTag, WireType.LENGTH_DELIMITED, 'DirectHttpResponse.headers', entryTag >>> 3 === 1 ? 'key' : 'value');
          if (entryTag >>> 3 === 1) name = value.string();
          else text = value.string();
        } else value.skip(entryTag & 7);
      }
      value.leave(entry);
      headers[name] = text;
    } else value.skip(tag & 7);
  }
  return { code, body, headers };
}

/** A google.protobuf.Duration in milliseconds. */
function readDurationMillis(reader: WireReader): number {
  const outer = reader.enter();
  let seconds = 0;
  let nanos = 0;
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1) {
      reader.expect(tag, WireType.VARINT, 'Duration.seconds');
      seconds = Number(reader.int64());
    } else if (tag >>> 3 === 2) {
      reader.expect(tag, WireType.VARINT, 'Duration.nanos');
      nanos = reader.int32();
    } else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return seconds * 1000 + nanos / 1e6;
}

function readRouteDirective(reader: WireReader): RouteDirective {
  const outer = reader.enter();
  const requestHeaderOperations: HeaderOperation[] = [];
  const responseHeaderOperations: HeaderOperation[] = [];
  let directResponseCode = 0;
  let directResponseBody = '';
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1:
      case 2:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'RouteDirective.header_operations');
        (tag >>> 3 === 1 ? requestHeaderOperations : responseHeaderOperations).push(readHeaderOperation(reader));
        break;
      case 3:
        reader.expect(tag, WireType.VARINT, 'RouteDirective.direct_response_code');
        directResponseCode = reader.uint32();
        break;
      case 4:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'RouteDirective.direct_response_body');
        directResponseBody = reader.string();
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  return { requestHeaderOperations, responseHeaderOperations, directResponseCode, directResponseBody };
}

function readHeaderOperation(reader: WireReader): HeaderOperation {
  const outer = reader.enter();
  let name = '';
  let value = '';
  let operation = HeaderOperationKind.REPLACE;
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1 || tag >>> 3 === 2) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'HeaderOperation', tag >>> 3 === 1 ? 'name' : 'value');
      if (tag >>> 3 === 1) name = reader.string();
      else value = reader.string();
    } else if (tag >>> 3 === 3) {
      reader.expect(tag, WireType.VARINT, 'HeaderOperation.operation');
      operation = OPERATION_KINDS[reader.int32()] ?? HeaderOperationKind.REPLACE;
    } else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return { name, value, operation };
}
