import { WireReader, WireType } from '../grpc/wire-reader.js';
import { WireWriter } from '../grpc/wire-writer.js';

// google.protobuf.Struct: how a handler's params travel to an out-of-process adapter (inside the
// `adapter_config` Any). Struct{fields = 1 map<string, Value>}; Value is a oneof of
// null_value = 1, number_value = 2, string_value = 3, bool_value = 4, struct_value = 5,
// list_value = 6 (ListValue{values = 1 repeated Value}).

/** The Any type URL of a Struct. */
export const STRUCT_TYPE_URL = 'type.googleapis.com/google.protobuf.Struct';

/** A JSON value, as params read from YAML are. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Encodes a JSON object (params) as a Struct. Values JSON cannot hold (undefined, functions) are left out. */
export function encodeStruct(object: Readonly<Record<string, unknown>>): Buffer {
  const writer = new WireWriter(128);
  writeStructFields(writer, object);
  return Buffer.from(writer.finish());
}

function writeStructFields(writer: WireWriter, object: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(object)) {
    if (!isJson(value)) continue;
    const entry = writer.begin(1);
    writer.tag(1, WireType.LENGTH_DELIMITED);
    writer.string(key);
    writeValue(writer, 2, value);
    writer.end(entry);
  }
}

function isJson(value: unknown): boolean {
  return value === null || ['boolean', 'number', 'string', 'object'].includes(typeof value);
}

function writeValue(writer: WireWriter, field: number, value: unknown): void {
  const mark = writer.begin(field);
  if (value === null) {
    writer.tag(1, WireType.VARINT);
    writer.uint32(0);
  } else if (typeof value === 'number') {
    writer.tag(2, WireType.FIXED64);
    writer.double(value);
  } else if (typeof value === 'string') {
    writer.tag(3, WireType.LENGTH_DELIMITED);
    writer.string(value);
  } else if (typeof value === 'boolean') {
    writer.tag(4, WireType.VARINT);
    writer.bool(value);
  } else if (Array.isArray(value)) {
    const list = writer.begin(6);
    for (const item of value) writeValue(writer, 1, isJson(item) ? item : null);
    writer.end(list);
  } else if (typeof value === 'object') {
    const struct = writer.begin(5);
    writeStructFields(writer, value as Record<string, unknown>);
    writer.end(struct);
  }
  writer.end(mark);
}

/** Decodes a Struct into a plain JSON object. Throws WireFormatError (core/grpc) on malformed bytes. */
export function decodeStruct(bytes: Uint8Array): Record<string, JsonValue> {
  const reader = WireReader.of(bytes);
  return readStructFields(reader);
}

function readStructFields(reader: WireReader): Record<string, JsonValue> {
  const object: Record<string, JsonValue> = {};
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 !== 1) {
      reader.skip(tag & 7);
      continue;
    }
    reader.expect(tag, WireType.LENGTH_DELIMITED, 'Struct.fields');
    const outer = reader.enter();
    let key = '';
    let value: JsonValue = null;
    while (!reader.atEnd) {
      const inner = reader.tag();
      if (inner >>> 3 === 1 && (inner & 7) === WireType.LENGTH_DELIMITED) key = reader.string();
      else if (inner >>> 3 === 2 && (inner & 7) === WireType.LENGTH_DELIMITED) value = readValue(reader);
      else reader.skip(inner & 7);
    }
    reader.leave(outer);
    object[key] = value;
  }
  return object;
}

function readValue(reader: WireReader): JsonValue {
  const outer = reader.enter();
  let value: JsonValue = null;
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1:
        reader.skip(tag & 7);
        value = null;
        break;
      case 2:
        reader.expect(tag, WireType.FIXED64, 'Value.number_value');
        value = reader.double();
        break;
      case 3:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'Value.string_value');
        value = reader.string();
        break;
      case 4:
        reader.expect(tag, WireType.VARINT, 'Value.bool_value');
        value = reader.bool();
        break;
      case 5: {
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'Value.struct_value');
        const struct = reader.enter();
        value = readStructFields(reader);
        reader.leave(struct);
        break;
      }
      case 6: {
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'Value.list_value');
        const list = reader.enter();
        const items: JsonValue[] = [];
        while (!reader.atEnd) {
          const inner = reader.tag();
          if (inner >>> 3 === 1 && (inner & 7) === WireType.LENGTH_DELIMITED) items.push(readValue(reader));
          else reader.skip(inner & 7);
        }
        reader.leave(list);
        value = items;
        break;
      }
      default:
        reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  return value;
}
