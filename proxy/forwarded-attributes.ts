import { Duration } from '../core/attribute/duration.js';
import { IpAddress } from '../core/attribute/ip-address.js';
import { StringMap } from '../core/attribute/string-map.js';
import { Timestamp } from '../core/attribute/timestamp.js';
import type { AttributeValue } from '../core/attribute/value.js';
import { MixerError } from '../core/errors/mixer-error.js';
import { readSafeSecondsNanos, writeSecondsNanos } from '../core/grpc/seconds-nanos.js';
import { WireFormatError, WireReader, WireType } from '../core/grpc/wire-reader.js';
import { WireWriter } from '../core/grpc/wire-writer.js';

// The `x-istio-attributes` header: base64 of a serialized istio.mixer.v1.Attributes message
// (map<string, AttributeValue> attributes = 1), the uncompressed form Istio's proxies use to
// tell the next hop who is calling (mixer-api.md §1.2, §4.7).

/** The header the outbound proxy adds and the inbound proxy reads and removes. */
export const FORWARDED_ATTRIBUTES_HEADER = 'x-istio-attributes';

/** A header that is not valid base64 of an Attributes message. */
export class ForwardedAttributesError extends MixerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MIXER_ERR_PROXY_FORWARDED_ATTRIBUTES', message, options);
  }
}

const VALUE_FIELD = { STRING: 2, INT64: 3, DOUBLE: 4, BOOL: 5, BYTES: 6, TIMESTAMP: 7, DURATION: 8, STRING_MAP: 9 } as const;

/** Serializes attributes as istio.mixer.v1.Attributes (IP addresses travel as bytes, as Envoy sends them). */
export function encodeForwardedAttributes(attributes: Iterable<readonly [string, AttributeValue]>): Buffer {
  const writer = new WireWriter(128);
  for (const [name, value] of attributes) {
    const entry = writer.begin(1);
    writer.tag(1, WireType.LENGTH_DELIMITED);
    writer.string(name);
    const message = writer.begin(2);
    writeValue(writer, value);
    writer.end(message);
    writer.end(entry);
  }
  return Buffer.from(writer.finish());
}

function writeValue(writer: WireWriter, value: AttributeValue): void {
  if (typeof value === 'string') {
    writer.tag(VALUE_FIELD.STRING, WireType.LENGTH_DELIMITED);
    writer.string(value);
  } else if (typeof value === 'boolean') {
    writer.tag(VALUE_FIELD.BOOL, WireType.VARINT);
    writer.bool(value);
  } else if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) {
    writer.tag(VALUE_FIELD.INT64, WireType.VARINT);
    writer.int64(value);
  } else if (typeof value === 'number') {
    writer.tag(VALUE_FIELD.DOUBLE, WireType.FIXED64);
    writer.double(value);
  } else if (value instanceof Timestamp) {
    writeSecondsNanos(writer, VALUE_FIELD.TIMESTAMP, value.seconds, value.nanos);
  } else if (value instanceof Duration) {
    writeSecondsNanos(writer, VALUE_FIELD.DURATION, value.seconds, value.subsecondNanos);
  } else if (value instanceof IpAddress) {
    writer.tag(VALUE_FIELD.BYTES, WireType.LENGTH_DELIMITED);
    writer.bytes(value.toIpv4() ?? value.bytes);
  } else if (value instanceof StringMap) {
    const map = writer.begin(VALUE_FIELD.STRING_MAP);
    for (const [key, text] of value.entries) {
      const pair = writer.begin(1);
      writer.tag(1, WireType.LENGTH_DELIMITED);
      writer.string(key);
      writer.tag(2, WireType.LENGTH_DELIMITED);
      writer.string(text);
      writer.end(pair);
    }
    writer.end(map);
  } else {
    writer.tag(VALUE_FIELD.BYTES, WireType.LENGTH_DELIMITED);
    writer.bytes(value);
  }
}

/** The header value for `attributes`. */
export function forwardedAttributesHeader(attributes: Iterable<readonly [string, AttributeValue]>): string {
  return encodeForwardedAttributes(attributes).toString('base64');
}

/**
 * Decodes an Attributes message. Bytes values named `*.ip` become IP addresses (as Mixer types
 * them); other bytes stay bytes. Unknown fields are skipped; malformed input throws
 * ForwardedAttributesError.
 */
export function decodeForwardedAttributes(bytes: Uint8Array): Map<string, AttributeValue> {
  const reader = WireReader.of(bytes);
  const attributes = new Map<string, AttributeValue>();
  try {
    while (!reader.atEnd) {
      const tag = reader.tag();
      if (tag >>> 3 !== 1) {
        reader.skip(tag & 7);
        continue;
      }
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'Attributes.attributes');
      const outer = reader.enter();
      let name = '';
      let value: AttributeValue | undefined;
      while (!reader.atEnd) {
        const field = reader.tag();
        if (field >>> 3 === 1) name = reader.string();
        else if (field >>> 3 === 2) {
          reader.expect(field, WireType.LENGTH_DELIMITED, 'Attributes.attributes value');
          const inner = reader.enter();
          value = readValue(reader);
          reader.leave(inner);
        } else reader.skip(field & 7);
      }
      reader.leave(outer);
      if (name === '') throw new ForwardedAttributesError('an attribute without a name');
      if (value === undefined) continue;
      if (value instanceof Uint8Array && name.endsWith('.ip') && (value.length === 4 || value.length === 16)) value = IpAddress.fromBytes(value);
      attributes.set(name, value instanceof StringMap ? value.withName(name) : value);
    }
  } catch (error) {
    if (error instanceof WireFormatError) throw new ForwardedAttributesError(`malformed istio.mixer.v1.Attributes: ${error.message}`, { cause: error });
    throw error;
  }
  return attributes;
}

function readValue(reader: WireReader): AttributeValue | undefined {
  let value: AttributeValue | undefined;
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case VALUE_FIELD.STRING:
        value = reader.string();
        break;
      case VALUE_FIELD.INT64:
        value = reader.int64();
        break;
      case VALUE_FIELD.DOUBLE:
        value = reader.double();
        break;
      case VALUE_FIELD.BOOL:
        value = reader.bool();
        break;
      case VALUE_FIELD.BYTES:
        value = Uint8Array.from(reader.bytes());
        break;
      case VALUE_FIELD.TIMESTAMP: {
        const [seconds, nanos] = readSafeSecondsNanos(reader, 'AttributeValue');
        value = Timestamp.fromParts(seconds, nanos);
        break;
      }
      case VALUE_FIELD.DURATION: {
        const [seconds, nanos] = readSafeSecondsNanos(reader, 'AttributeValue');
        value = Duration.fromParts(seconds, nanos);
        break;
      }
      case VALUE_FIELD.STRING_MAP:
        value = readStringMap(reader);
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  return value;
}

function readStringMap(reader: WireReader): StringMap {
  const outer = reader.enter();
  const entries = new Map<string, string>();
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 !== 1) {
      reader.skip(tag & 7);
      continue;
    }
    const pairEnd = reader.enter();
    let key = '';
    let text = '';
    while (!reader.atEnd) {
      const field = reader.tag();
      if (field >>> 3 === 1) key = reader.string();
      else if (field >>> 3 === 2) text = reader.string();
      else reader.skip(field & 7);
    }
    reader.leave(pairEnd);
    entries.set(key, text);
  }
  reader.leave(outer);
  return new StringMap(entries, '');
}

/** Parses the header's base64 text; throws ForwardedAttributesError when it is not base64 of an Attributes message. */
export function parseForwardedAttributesHeader(text: string): Map<string, AttributeValue> {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text.trim())) throw new ForwardedAttributesError(`${FORWARDED_ATTRIBUTES_HEADER} is not base64`);
  return decodeForwardedAttributes(Buffer.from(text.trim(), 'base64'));
}
