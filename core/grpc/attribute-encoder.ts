import type { AttributeBag } from '../attribute/bag.js';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import type { AttributeManifest } from '../attribute/manifest.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import type { AttributeValue, Int64 } from '../attribute/value.js';
import { ValueType } from '../attribute/value-type.js';
import { AttributeField } from './compressed-attributes.js';
import { WireType } from './wire-reader.js';
import type { WireWriter } from './wire-writer.js';
import type { WordTable } from './word-table.js';

/** One attribute ready to write: its map, its name index and its value (strings as word indexes). */
interface PendingEntry {
  readonly field: AttributeField;
  readonly name: number;
  readonly value: number | Int64 | boolean | Timestamp | Duration | Uint8Array | readonly number[];
}

/** The attributes of a bag as name/value pairs. */
export function bagEntries(bag: AttributeBag): [string, AttributeValue][] {
  const entries: [string, AttributeValue][] = [];
  for (const name of bag.names()) {
    const value = bag.get(name);
    if (value !== undefined) entries.push([name, value]);
  }
  return entries;
}

/**
 * Writes the fields of a CompressedAttributes message (the caller opens and closes it). Every
 * name and string gets its index from `table`; with `ownWords` the table's words are written as
 * this message's `words` (a Check), otherwise the caller puts them elsewhere (a Report's
 * default_words, shared by the batch). Entries are grouped by map, in field order, as Mixer's
 * and Envoy's encoders write them.
 */
export function writeCompressedAttributes(
  writer: WireWriter,
  attributes: AttributeBag | Iterable<readonly [string, AttributeValue]>,
  table: WordTable,
  manifest: AttributeManifest,
  ownWords: boolean,
): void {
  const pending: PendingEntry[] = [];
  const pairs = isBag(attributes) ? bagEntries(attributes) : attributes;
  for (const [name, value] of pairs) pending.push(pendingEntry(table.index(name), name, value, table, manifest));
  pending.sort((a, b) => a.field - b.field);
  if (ownWords) {
    for (const word of table.words) {
      writer.tag(AttributeField.WORDS, WireType.LENGTH_DELIMITED);
      writer.string(word);
    }
  }
  for (const entry of pending) writeEntry(writer, entry);
}

function isBag(value: unknown): value is AttributeBag {
  return typeof (value as AttributeBag).names === 'function' && typeof (value as AttributeBag).get === 'function';
}

function pendingEntry(name: number, attribute: string, value: AttributeValue, table: WordTable, manifest: AttributeManifest): PendingEntry {
  if (typeof value === 'string') return { field: AttributeField.STRINGS, name, value: table.index(value) };
  if (typeof value === 'boolean') return { field: AttributeField.BOOLS, name, value };
  if (typeof value === 'bigint') return { field: AttributeField.INT64S, name, value };
  if (typeof value === 'number') {
    const type = manifest.typeOf(attribute);
    const integral = type === ValueType.INT64 || (type !== ValueType.DOUBLE && Number.isSafeInteger(value));
    return integral && Number.isSafeInteger(value) ? { field: AttributeField.INT64S, name, value } : { field: AttributeField.DOUBLES, name, value };
  }
  if (value instanceof Timestamp) return { field: AttributeField.TIMESTAMPS, name, value };
  if (value instanceof Duration) return { field: AttributeField.DURATIONS, name, value };
  if (value instanceof IpAddress) return { field: AttributeField.BYTES, name, value: value.toIpv4() ?? value.bytes };
  if (value instanceof StringMap) {
    const indexes: number[] = [];
    for (const [key, text] of value.entries) indexes.push(table.index(key), table.index(text));
    return { field: AttributeField.STRING_MAPS, name, value: indexes };
  }
  return { field: AttributeField.BYTES, name, value };
}

function writeEntry(writer: WireWriter, entry: PendingEntry): void {
  const mark = writer.begin(entry.field);
  writer.tag(1, WireType.VARINT);
  writer.sint32(entry.name);
  switch (entry.field) {
    case AttributeField.STRINGS:
      writer.tag(2, WireType.VARINT);
      writer.sint32(entry.value as number);
      break;
    case AttributeField.INT64S:
      writer.tag(2, WireType.VARINT);
      writer.int64(entry.value as Int64);
      break;
    case AttributeField.DOUBLES:
      writer.tag(2, WireType.FIXED64);
      writer.double(entry.value as number);
      break;
    case AttributeField.BOOLS:
      writer.tag(2, WireType.VARINT);
      writer.bool(entry.value as boolean);
      break;
    case AttributeField.TIMESTAMPS: {
      const time = entry.value as Timestamp;
      writeSecondsNanos(writer, 2, time.seconds, time.nanos);
      break;
    }
    case AttributeField.DURATIONS: {
      const duration = entry.value as Duration;
      writeSecondsNanos(writer, 2, duration.seconds, duration.subsecondNanos);
      break;
    }
    case AttributeField.BYTES:
      writer.tag(2, WireType.LENGTH_DELIMITED);
      writer.bytes(entry.value as Uint8Array);
      break;
    default: {
      const map = writer.begin(2);
      const indexes = entry.value as readonly number[];
      for (let index = 0; index < indexes.length; index += 2) {
        const pair = writer.begin(1);
        writer.tag(1, WireType.VARINT);
        writer.sint32(indexes[index]!);
        writer.tag(2, WireType.VARINT);
        writer.sint32(indexes[index + 1]!);
        writer.end(pair);
      }
      writer.end(map);
    }
  }
  writer.end(mark);
}

/** A google.protobuf.Timestamp or Duration as field `field`: seconds (1) and nanos (2), zeros left out. */
export function writeSecondsNanos(writer: WireWriter, field: number, seconds: number, nanos: number): void {
  const mark = writer.begin(field);
  if (seconds !== 0) {
    writer.tag(1, WireType.VARINT);
    writer.int64(seconds);
  }
  if (nanos !== 0) {
    writer.tag(2, WireType.VARINT);
    writer.int32(nanos);
  }
  writer.end(mark);
}
