import type { InstanceTypes, InstanceValue, TemplateInstance } from '../../templates/template.js';
import { IpAddress } from '../attribute/ip-address.js';
import { Timestamp } from '../attribute/timestamp.js';
import type { AttributeValue } from '../attribute/value.js';
import { WireFormatError, WireType, type WireReader } from '../grpc/wire-reader.js';
import type { WireWriter } from '../grpc/wire-writer.js';
import { writeSecondsNanos } from '../grpc/seconds-nanos.js';
import { readIpAddress, readPolicyValue, readTimestampWrapper, writePolicyValue } from './policy-value-codec.js';
import { INSTANCE_NAME_FIELD, type WireField } from './template-wire.js';

type Fields = Readonly<Record<string, unknown>>;

/**
 * Writes a template instance as its InstanceMsg in field `field`. `types` are the field types
 * Mixer inferred for the instance (they pick the Value case: INT64 or DOUBLE, URI or STRING);
 * unset fields are left out.
 */
export function writeInstanceMsg(writer: WireWriter, field: number, fields: readonly WireField[], instance: TemplateInstance, types: InstanceTypes | undefined): void {
  const mark = writer.begin(field);
  writer.tag(INSTANCE_NAME_FIELD, WireType.LENGTH_DELIMITED);
  writer.string(instance.name);
  writeFields(writer, fields, instance as unknown as Fields, types);
  writer.end(mark);
}

function writeFields(writer: WireWriter, fields: readonly WireField[], object: Fields, types: InstanceTypes | undefined): void {
  for (const spec of fields) {
    const value = object[spec.key];
    if (value === undefined || value === null) continue;
    const type = types?.[spec.key];
    switch (spec.kind) {
      case 'value':
        writePolicyValue(writer, spec.number, value as AttributeValue, typeof type === 'number' ? type : undefined);
        break;
      case 'valueMap': {
        const nestedTypes = typeof type === 'object' ? type : undefined;
        for (const [key, entry] of Object.entries(value as Readonly<Record<string, InstanceValue>>)) {
          if (entry === undefined) continue;
          const mark = writer.begin(spec.number);
          writer.tag(1, WireType.LENGTH_DELIMITED);
          writer.string(key);
          const entryType = nestedTypes?.[key];
          writePolicyValue(writer, 2, entry, typeof entryType === 'number' ? (entryType) : undefined);
          writer.end(mark);
        }
        break;
      }
      case 'string':
        if (typeof value === 'string') {
          writer.tag(spec.number, WireType.LENGTH_DELIMITED);
          writer.string(value);
        }
        break;
      case 'int64':
        writer.tag(spec.number, WireType.VARINT);
        writer.int64(typeof value === 'bigint' ? value : Math.trunc(Number(value)));
        break;
      case 'bool':
        writer.tag(spec.number, WireType.VARINT);
        writer.bool(value === true);
        break;
      case 'timestamp':
        if (value instanceof Timestamp) {
          const wrapper = writer.begin(spec.number);
          writeSecondsNanos(writer, 1, value.seconds, value.nanos);
          writer.end(wrapper);
        }
        break;
      case 'ipAddress':
        if (value instanceof IpAddress || value instanceof Uint8Array) {
          const wrapper = writer.begin(spec.number);
          writer.tag(1, WireType.LENGTH_DELIMITED);
          writer.bytes(value instanceof IpAddress ? value.bytes : value);
          writer.end(wrapper);
        }
        break;
      case 'message': {
        const mark = writer.begin(spec.number);
        writeFields(writer, spec.fields ?? [], value as Fields, typeof type === 'object' ? type : undefined);
        writer.end(mark);
        break;
      }
    }
  }
}

/**
 * Reads an InstanceMsg (the reader is on its length prefix) into the instance object an
 * in-process handler would get: every field present, unset values undefined, maps `{}`.
 */
export function readInstanceMsg(reader: WireReader, fields: readonly WireField[]): TemplateInstance {
  const outer = reader.enter();
  const instance = emptyObject(fields);
  instance['name'] = '';
  readFields(reader, fields, instance);
  reader.leave(outer);
  return instance as unknown as TemplateInstance;
}

function emptyObject(fields: readonly WireField[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const spec of fields) {
    object[spec.key] = spec.kind === 'valueMap' ? {} : spec.kind === 'message' ? emptyObject(spec.fields ?? []) : undefined;
  }
  return object;
}

function readFields(reader: WireReader, fields: readonly WireField[], object: Record<string, unknown>): void {
  while (!reader.atEnd) {
    const tag = reader.tag();
    const number = tag >>> 3;
    if (number === INSTANCE_NAME_FIELD && 'name' in object) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'InstanceMsg.name');
      object['name'] = reader.string();
      continue;
    }
    const spec = fields.find((candidate) => candidate.number === number);
    if (spec === undefined) {
      reader.skip(tag & 7);
      continue;
    }
    const what = `InstanceMsg.${spec.key}`;
    switch (spec.kind) {
      case 'value':
        reader.expect(tag, WireType.LENGTH_DELIMITED, what);
        object[spec.key] = readPolicyValue(reader);
        break;
      case 'valueMap': {
        reader.expect(tag, WireType.LENGTH_DELIMITED, what);
        const [key, value] = readValueEntry(reader);
        (object[spec.key] as Record<string, InstanceValue>)[key] = value;
        break;
      }
      case 'string':
        reader.expect(tag, WireType.LENGTH_DELIMITED, what);
        object[spec.key] = reader.string();
        break;
      case 'int64':
        reader.expect(tag, WireType.VARINT, what);
        object[spec.key] = reader.int64();
        break;
      case 'bool':
        reader.expect(tag, WireType.VARINT, what);
        object[spec.key] = reader.bool();
        break;
      case 'timestamp':
        reader.expect(tag, WireType.LENGTH_DELIMITED, what);
        object[spec.key] = readTimestampWrapper(reader);
        break;
      case 'ipAddress': {
        reader.expect(tag, WireType.LENGTH_DELIMITED, what);
        const address = readIpAddress(reader);
        if (!(address instanceof IpAddress)) throw new WireFormatError(`${what}: ${address.length} bytes is not an IP address`);
        object[spec.key] = address;
        break;
      }
      case 'message': {
        reader.expect(tag, WireType.LENGTH_DELIMITED, what);
        const outer = reader.enter();
        readFields(reader, spec.fields ?? [], object[spec.key] as Record<string, unknown>);
        reader.leave(outer);
        break;
      }
    }
  }
}

/** One map<string, Value> entry. */
function readValueEntry(reader: WireReader): [string, InstanceValue] {
  const outer = reader.enter();
  let key = '';
  let value: InstanceValue;
  while (!reader.atEnd) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WireType.LENGTH_DELIMITED) key = reader.string();
    else if (field === 2 && (tag & 7) === WireType.LENGTH_DELIMITED) value = readPolicyValue(reader);
    else reader.skip(tag & 7);
  }
  reader.leave(outer);
  return [key, value];
}
