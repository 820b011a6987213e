import type { AttributeBag } from '../attribute/bag.js';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import type { AttributeManifest } from '../attribute/manifest.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import type { AttributeValue, Int64 } from '../attribute/value.js';
import { ValueType } from '../attribute/value-type.js';
import { AttributeField } from './compressed-attributes.js';
import { writeSecondsNanos } from './seconds-nanos.js';
import { WireType } from './wire-reader.js';
import type { WireWriter } from './wire-writer.js';
import type { WordTable } from './word-table.js';

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
 * The attributes of one message, classified, in columns rather than one object per attribute
 * (the Report path encodes dozens per request): each attribute's map (field), its name index
 * and its value, strings already word indexes. A STRING_MAP's value is the offset of its
 * pair count in `mapIndexes`, followed by its key and value indexes.
 */
class EntryColumns {
  readonly fields: number[] = [];
  readonly names: number[] = [];
  readonly values: (number | Int64 | boolean | Timestamp | Duration | Uint8Array)[] = [];
  readonly mapIndexes: number[] = [];
  /** Bit `field` is set when some attribute goes into that map. */
  presentFields = 0;

  constructor(
    private readonly table: WordTable,
    private readonly manifest: AttributeManifest,
  ) {}

  add(attribute: string, value: AttributeValue): void {
    const name = this.table.index(attribute);
    let field: AttributeField;
    let stored: number | Int64 | boolean | Timestamp | Duration | Uint8Array;
    if (typeof value === 'string') {
      field = AttributeField.STRINGS;
      stored = this.table.index(value);
    } else if (typeof value === 'boolean') {
      field = AttributeField.BOOLS;
      stored = value;
    } else if (typeof value === 'bigint') {
      field = AttributeField.INT64S;
      stored = value;
    } else if (typeof value === 'number') {
      const type = this.manifest.typeOf(attribute);
      const integral = type === ValueType.INT64 || (type !== ValueType.DOUBLE && Number.isSafeInteger(value));
      field = integral && Number.isSafeInteger(value) ? AttributeField.INT64S : AttributeField.DOUBLES;
      stored = value;
    } else if (value instanceof Timestamp) {
      field = AttributeField.TIMESTAMPS;
      stored = value;
    } else if (value instanceof Duration) {
      field = AttributeField.DURATIONS;
      stored = value;
    } else if (value instanceof IpAddress) {
      field = AttributeField.BYTES;
      stored = value.toIpv4() ?? value.bytes;
    } else if (value instanceof StringMap) {
      field = AttributeField.STRING_MAPS;
      stored = this.mapIndexes.length;
      this.mapIndexes.push(0);
      value.forEachEntry(addMapEntry, this);
      this.mapIndexes[stored] = (this.mapIndexes.length - stored - 1) / 2;
    } else {
      field = AttributeField.BYTES;
      stored = value;
    }
    this.fields.push(field);
    this.names.push(name);
    this.values.push(stored);
    this.presentFields |= 1 << field;
  }

  addMapEntry(key: string, text: string): void {
    this.mapIndexes.push(this.table.index(key), this.table.index(text));
  }
}

function addMapEntry(key: string, text: string, columns: EntryColumns): void {
  columns.addMapEntry(key, text);
}

/**
 * Writes the fields of a CompressedAttributes message (the caller opens and closes it). Every
 * name and string gets its index from `table`, in the bag's order; with `ownWords` the table's
 * words are written as this message's `words` (a Check), otherwise the caller puts them
 * elsewhere (a Report's default_words, shared by the batch). Entries are grouped by map, in
 * field order and in the bag's order within a map, as Mixer's and Envoy's encoders write them.
 */
export function writeCompressedAttributes(
  writer: WireWriter,
  attributes: AttributeBag | Iterable<readonly [string, AttributeValue]>,
  table: WordTable,
  manifest: AttributeManifest,
  ownWords: boolean,
): void {
  const columns = new EntryColumns(table, manifest);
  if (isBag(attributes) && attributes.entries !== undefined) {
    for (const [name, value] of attributes.entries()) columns.add(name, value);
  } else if (isBag(attributes)) {
    for (const name of attributes.names()) {
      const value = attributes.get(name);
      if (value !== undefined) columns.add(name, value);
    }
  } else {
    for (const [name, value] of attributes) columns.add(name, value);
  }
  if (ownWords) {
    for (const word of table.words) {
      writer.tag(AttributeField.WORDS, WireType.LENGTH_DELIMITED);
      writer.string(word);
    }
  }
  const { fields, names, values, mapIndexes, presentFields } = columns;
  for (let field: number = AttributeField.STRINGS; field <= AttributeField.STRING_MAPS; field++) {
    if ((presentFields & (1 << field)) === 0) continue;
    for (let index = 0; index < fields.length; index++) {
      if (fields[index] === field) writeEntry(writer, field as AttributeField, names[index]!, values[index]!, mapIndexes);
    }
  }
}

function isBag(value: unknown): value is AttributeBag {
  return typeof (value as AttributeBag).names === 'function' && typeof (value as AttributeBag).get === 'function';
}

function writeEntry(writer: WireWriter, field: AttributeField, name: number, value: EntryColumns['values'][number], mapIndexes: readonly number[]): void {
  const mark = writer.begin(field);
  writer.tag(1, WireType.VARINT);
  writer.sint32(name);
  switch (field) {
    case AttributeField.STRINGS:
      writer.tag(2, WireType.VARINT);
      writer.sint32(value as number);
      break;
    case AttributeField.INT64S:
      writer.tag(2, WireType.VARINT);
      writer.int64(value as Int64);
      break;
    case AttributeField.DOUBLES:
      writer.tag(2, WireType.FIXED64);
      writer.double(value as number);
      break;
    case AttributeField.BOOLS:
      writer.tag(2, WireType.VARINT);
      writer.bool(value as boolean);
      break;
    case AttributeField.TIMESTAMPS: {
      const time = value as Timestamp;
      writeSecondsNanos(writer, 2, time.seconds, time.nanos);
      break;
    }
    case AttributeField.DURATIONS:
      writeDuration(writer, 2, value as Duration);
      break;
    case AttributeField.BYTES:
      writer.tag(2, WireType.LENGTH_DELIMITED);
      writer.bytes(value as Uint8Array);
      break;
    default: {
      const map = writer.begin(2);
      const start = value as number;
      const end = start + 1 + 2 * mapIndexes[start]!;
      for (let index = start + 1; index < end; index += 2) {
        const pair = writer.begin(1);
        writer.tag(1, WireType.VARINT);
        writer.sint32(mapIndexes[index]!);
        writer.tag(2, WireType.VARINT);
        writer.sint32(mapIndexes[index + 1]!);
        writer.end(pair);
      }
      writer.end(map);
    }
  }
  writer.end(mark);
}

/** Below this many nanos (11.5 days) a double divides them into seconds exactly. */
const EXACT_NANOS = 1_000_000_000_000_000n;

/** A Duration as seconds and nanos, as Duration.seconds/subsecondNanos give them, without BigInt division for the usual short ones. */
function writeDuration(writer: WireWriter, field: number, duration: Duration): void {
  const nanos = duration.nanos;
  if (nanos < EXACT_NANOS && nanos > -EXACT_NANOS) {
    const total = Number(nanos);
    const seconds = Math.trunc(total / 1e9);
    writeSecondsNanos(writer, field, seconds, total - seconds * 1e9);
  } else {
    writeSecondsNanos(writer, field, duration.seconds, duration.subsecondNanos);
  }
}

