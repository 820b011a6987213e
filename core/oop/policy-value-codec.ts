import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import { inferValueType, type AttributeValue } from '../attribute/value.js';
import { ValueType } from '../attribute/value-type.js';
import { WireType, type WireReader } from '../grpc/wire-reader.js';
import type { WireWriter } from '../grpc/wire-writer.js';
import { readSafeSecondsNanos, writeSecondsNanos } from '../grpc/seconds-nanos.js';

// istio.policy.v1beta1.Value and its wrapper messages (policy/v1beta1/type.proto): a oneof of
// string_value=1, int64_value=2, double_value=3, bool_value=4, ip_address_value=5 (IPAddress),
// timestamp_value=6 (TimeStamp), duration_value=7 (Duration), email_address_value=8,
// dns_name_value=9, uri_value=10, string_map_value=11 (StringMap). Each wrapper holds its
// payload in field 1.

const VALUE_FIELD: Readonly<Partial<Record<ValueType, number>>> = {
  [ValueType.STRING]: 1,
  [ValueType.INT64]: 2,
  [ValueType.DOUBLE]: 3,
  [ValueType.BOOL]: 4,
  [ValueType.IP_ADDRESS]: 5,
  [ValueType.TIMESTAMP]: 6,
  [ValueType.DURATION]: 7,
  [ValueType.EMAIL_ADDRESS]: 8,
  [ValueType.DNS_NAME]: 9,
  [ValueType.URI]: 10,
  [ValueType.STRING_MAP]: 11,
  // Istio's Value has no bytes case; raw bytes travel as an IPAddress.
  [ValueType.BYTES]: 5,
};

/** Writes `value` as an istio.policy.v1beta1.Value in field `field`; `type` is its inferred type (guessed from the value when unknown). */
export function writePolicyValue(writer: WireWriter, field: number, value: AttributeValue, type: ValueType | undefined): void {
  const valueType = type === undefined || type === ValueType.VALUE_TYPE_UNSPECIFIED ? inferValueType(value) : type;
  const mark = writer.begin(field);
  writeValueBody(writer, value, valueType);
  writer.end(mark);
}

function writeValueBody(writer: WireWriter, value: AttributeValue, type: ValueType): void {
  // A value whose representation does not fit its declared type is sent as what it is.
  const oneof = VALUE_FIELD[type] ?? 1;
  switch (oneof) {
    case 2:
      if (typeof value === 'number' || typeof value === 'bigint') {
        writer.tag(2, WireType.VARINT);
        writer.int64(typeof value === 'number' ? Math.trunc(value) : value);
        return;
      }
      break;
    case 3:
      if (typeof value === 'number') {
        writer.tag(3, WireType.FIXED64);
        writer.double(value);
        return;
      }
      break;
    case 4:
      if (typeof value === 'boolean') {
        writer.tag(4, WireType.VARINT);
        writer.bool(value);
        return;
      }
      break;
    case 5:
      if (value instanceof IpAddress || value instanceof Uint8Array) {
        const inner = writer.begin(5);
        writer.tag(1, WireType.LENGTH_DELIMITED);
        writer.bytes(value instanceof IpAddress ? value.bytes : value);
        writer.end(inner);
        return;
      }
      break;
    case 6:
      if (value instanceof Timestamp) {
        const wrapper = writer.begin(6);
        writeSecondsNanos(writer, 1, value.seconds, value.nanos);
        writer.end(wrapper);
        return;
      }
      break;
    case 7:
      if (value instanceof Duration) {
        const wrapper = writer.begin(7);
        writeSecondsNanos(writer, 1, value.seconds, value.subsecondNanos);
        writer.end(wrapper);
        return;
      }
      break;
    case 8:
    case 9:
    case 10:
      if (typeof value === 'string') {
        const wrapper = writer.begin(oneof);
        writer.tag(1, WireType.LENGTH_DELIMITED);
        writer.string(value);
        writer.end(wrapper);
        return;
      }
      break;
    case 11:
      if (value instanceof StringMap) {
        const wrapper = writer.begin(11);
        for (const [key, entry] of value.entries) writeStringEntry(writer, 1, key, entry);
        writer.end(wrapper);
        return;
      }
      break;
    default:
      if (typeof value === 'string') {
        writer.tag(1, WireType.LENGTH_DELIMITED);
        writer.string(value);
        return;
      }
  }
  const natural = inferValueType(value);
  if (natural === type) throw new TypeError(`cannot encode a value of type ${ValueType[type]}`);
  writeValueBody(writer, value, natural);
}

/** A map<string, string> entry (key = 1, value = 2) in field `field`. */
export function writeStringEntry(writer: WireWriter, field: number, key: string, value: string): void {
  const mark = writer.begin(field);
  writer.tag(1, WireType.LENGTH_DELIMITED);
  writer.string(key);
  writer.tag(2, WireType.LENGTH_DELIMITED);
  writer.string(value);
  writer.end(mark);
}

/** Reads the istio.policy.v1beta1.Value the reader is positioned on (its length prefix next). */
export function readPolicyValue(reader: WireReader): AttributeValue | undefined {
  const outer = reader.enter();
  let value: AttributeValue | undefined;
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'Value.string_value');
        value = reader.string();
        break;
      case 2:
        reader.expect(tag, WireType.VARINT, 'Value.int64_value');
        value = reader.int64();
        break;
      case 3:
        reader.expect(tag, WireType.FIXED64, 'Value.double_value');
        value = reader.double();
        break;
      case 4:
        reader.expect(tag, WireType.VARINT, 'Value.bool_value');
        value = reader.bool();
        break;
      case 5:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'Value.ip_address_value');
        value = readIpAddress(reader);
        break;
      case 6:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'Value.timestamp_value');
        value = readTimestampWrapper(reader);
        break;
      case 7: {
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'Value.duration_value');
        const wrapper = reader.enter();
        let duration = Duration.ZERO;
        while (!reader.atEnd) {
          const inner = reader.tag();
          if (inner >>> 3 === 1 && (inner & 7) === WireType.LENGTH_DELIMITED) {
            const [seconds, nanos] = readSafeSecondsNanos(reader, 'DurationValue.value');
            duration = Duration.fromParts(seconds, nanos);
          } else reader.skip(inner & 7);
        }
        reader.leave(wrapper);
        value = duration;
        break;
      }
      case 8:
      case 9:
      case 10:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'Value wrapper');
        value = readStringWrapper(reader);
        break;
      case 11:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'Value.string_map_value');
        value = StringMap.fromObject(readStringMapBody(reader));
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  return value;
}

/** istio.policy.v1beta1.IPAddress (bytes value = 1): an address for 0, 4 or 16 bytes, raw bytes otherwise. */
export function readIpAddress(reader: WireReader): IpAddress | Uint8Array {
  const outer = reader.enter();
  let bytes: Uint8Array = new Uint8Array(0);
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1 && (tag & 7) === WireType.LENGTH_DELIMITED) bytes = Uint8Array.from(reader.bytes());
    else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return bytes.length === 0 || bytes.length === 4 || bytes.length === 16 ? IpAddress.fromBytes(bytes) : bytes;
}

/** istio.policy.v1beta1.TimeStamp (google.protobuf.Timestamp value = 1). */
export function readTimestampWrapper(reader: WireReader): Timestamp {
  const outer = reader.enter();
  let timestamp = Timestamp.EPOCH;
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1 && (tag & 7) === WireType.LENGTH_DELIMITED) {
      const [seconds, nanos] = readSafeSecondsNanos(reader, 'TimestampValue.value');
      timestamp = Timestamp.fromParts(seconds, nanos);
    } else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return timestamp;
}

function readStringWrapper(reader: WireReader): string {
  const outer = reader.enter();
  let text = '';
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1 && (tag & 7) === WireType.LENGTH_DELIMITED) text = reader.string();
    else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return text;
}

/** The body of a message whose field 1 is map<string, string> (entries key = 1, value = 2). */
function readStringMapBody(reader: WireReader): Record<string, string> {
  const outer = reader.enter();
  const entries: Record<string, string> = {};
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1 && (tag & 7) === WireType.LENGTH_DELIMITED) {
      const [key, value] = readStringEntry(reader);
      entries[key] = value;
    } else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return entries;
}

/** One map<string, string> entry the reader is positioned on. */
export function readStringEntry(reader: WireReader): [string, string] {
  const outer = reader.enter();
  let key = '';
  let value = '';
  while (!reader.atEnd) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WireType.LENGTH_DELIMITED) key = reader.string();
    else if (field === 2 && (tag & 7) === WireType.LENGTH_DELIMITED) value = reader.string();
    else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return [key, value];
}
