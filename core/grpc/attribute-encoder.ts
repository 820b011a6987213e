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
import { WireWriter } from './wire-writer.js';
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

/** The zigzag form of a sint32 (a word index). */
function zigzag(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

/**
 * Writes the fields of CompressedAttributes messages, one message at a time: every name and
 * string gets its index from `table`, in the bag's order. Entries are grouped by map, in field
 * order and in the bag's order within a map, as Mixer's and Envoy's encoders write them: each
 * map's entries go into a scratch writer of their own as the bag is read once, and the scratch
 * writers are copied out in field order. One encoder serves many messages (a Report batch's
 * entries): the scratch writers are reused, so an entry allocates next to nothing.
 */
export class CompressedAttributesEncoder {
  /** Scratch writers by AttributeField (STRINGS..STRING_MAPS); the other slots are unused. */
  private readonly groups: WireWriter[] = [];
  /** The writer of the STRING_MAP being written (forEachEntry's callback has no other way to it). */
  private mapWriter: WireWriter | undefined;

  constructor(
    private readonly table: WordTable,
    private readonly manifest: AttributeManifest,
  ) {
    for (let field = 0; field <= AttributeField.STRING_MAPS; field++) this.groups.push(new WireWriter(field >= AttributeField.STRINGS ? 256 : 1));
  }

  /**
   * Writes the attribute fields of one CompressedAttributes message (the caller opens and closes
   * it, and puts the table's words where they belong: `writeWords` for a Check's own words, a
   * Report's default_words for a batch).
   */
  write(writer: WireWriter, attributes: AttributeBag | Iterable<readonly [string, AttributeValue]>): void {
    const groups = this.groups;
    for (let field: number = AttributeField.STRINGS; field <= AttributeField.STRING_MAPS; field++) groups[field]!.pos = 0;
    if (!isBag(attributes)) {
      for (const [name, value] of attributes) this.add(value, name);
    } else if (attributes.entries !== undefined) {
      const entries = attributes.entries();
      // A Map is walked with forEach: no [name, value] pair per attribute.
      if (entries instanceof Map) entries.forEach(addAttribute, this);
      else for (const [name, value] of entries) this.add(value, name);
    } else {
      for (const name of attributes.names()) {
        const value = attributes.get(name);
        if (value !== undefined) this.add(value, name);
      }
    }
    for (let field: number = AttributeField.STRINGS; field <= AttributeField.STRING_MAPS; field++) {
      const group = groups[field]!;
      if (group.pos > 0) writer.raw(group.finish());
    }
  }

  /** Writes the table's words as a message's `words` field entries. */
  writeWords(writer: WireWriter): void {
    for (const word of this.table.words) {
      writer.tag(AttributeField.WORDS, WireType.LENGTH_DELIMITED);
      writer.string(word);
    }
  }

  /** One attribute into its map's scratch writer (value first: Map.prototype.forEach's order). */
  add(value: AttributeValue, attribute: string): void {
    const groups = this.groups;
    const name = zigzag(this.table.index(attribute));
    if (typeof value === 'string') {
      groups[AttributeField.STRINGS]!.varintPairField(AttributeField.STRINGS, name, zigzag(this.table.index(value)));
    } else if (typeof value === 'boolean') {
      groups[AttributeField.BOOLS]!.varintPairField(AttributeField.BOOLS, name, value ? 1 : 0);
    } else if (typeof value === 'number') {
      const type = this.manifest.typeOf(attribute);
      const integral = Number.isSafeInteger(value) && type !== ValueType.DOUBLE;
      if (integral && value >= 0 && value <= 0xffffffff) groups[AttributeField.INT64S]!.varintPairField(AttributeField.INT64S, name, value);
      else if (integral) writeInt64Entry(groups[AttributeField.INT64S]!, name, value);
      else {
        const writer = groups[AttributeField.DOUBLES]!;
        const mark = openEntry(writer, AttributeField.DOUBLES, name);
        writer.tag(2, WireType.FIXED64);
        writer.double(value);
        writer.end(mark);
      }
    } else if (typeof value === 'bigint') {
      writeInt64Entry(groups[AttributeField.INT64S]!, name, value);
    } else if (value instanceof Timestamp) {
      const writer = groups[AttributeField.TIMESTAMPS]!;
      const mark = openEntry(writer, AttributeField.TIMESTAMPS, name);
      writeSecondsNanos(writer, 2, value.seconds, value.nanos);
      writer.end(mark);
    } else if (value instanceof Duration) {
      const writer = groups[AttributeField.DURATIONS]!;
      const mark = openEntry(writer, AttributeField.DURATIONS, name);
      writeDuration(writer, 2, value);
      writer.end(mark);
    } else if (value instanceof StringMap) {
      const writer = groups[AttributeField.STRING_MAPS]!;
      const mark = openEntry(writer, AttributeField.STRING_MAPS, name);
      const map = writer.begin(2);
      this.mapWriter = writer;
      value.forEachEntry(addMapEntry, this);
      writer.end(map);
      writer.end(mark);
    } else {
      const writer = groups[AttributeField.BYTES]!;
      const mark = openEntry(writer, AttributeField.BYTES, name);
      writer.tag(2, WireType.LENGTH_DELIMITED);
      writer.bytes(value instanceof IpAddress ? (value.toIpv4() ?? value.bytes) : value);
      writer.end(mark);
    }
  }

  /** One StringMap entry: key and value word indexes. */
  addMapEntry(key: string, text: string): void {
    this.mapWriter!.varintPairField(1, zigzag(this.table.index(key)), zigzag(this.table.index(text)));
  }
}

function addAttribute(this: CompressedAttributesEncoder, value: AttributeValue, name: string): void {
  this.add(value, name);
}

function addMapEntry(key: string, text: string, encoder: CompressedAttributesEncoder): void {
  encoder.addMapEntry(key, text);
}

/** Opens a map entry of field `field` and writes its key, the (zigzagged) name index; returns the mark for `end`. */
function openEntry(writer: WireWriter, field: AttributeField, name: number): number {
  const mark = writer.begin(field);
  writer.tag(1, WireType.VARINT);
  writer.uint32(name);
  return mark;
}

function writeInt64Entry(writer: WireWriter, name: number, value: Int64): void {
  const mark = openEntry(writer, AttributeField.INT64S, name);
  writer.tag(2, WireType.VARINT);
  writer.int64(value);
  writer.end(mark);
}

/**
 * Writes the fields of one self-contained CompressedAttributes message (a Check's: the caller
 * opens and closes it): its own `words` first, then the attributes.
 */
export function writeCompressedAttributes(
  writer: WireWriter,
  attributes: AttributeBag | Iterable<readonly [string, AttributeValue]>,
  table: WordTable,
  manifest: AttributeManifest,
): void {
  const encoder = new CompressedAttributesEncoder(table, manifest);
  // The words come first, yet are only known once every attribute has been indexed.
  const body = new WireWriter(512);
  encoder.write(body, attributes);
  encoder.writeWords(writer);
  writer.raw(body.finish());
}

function isBag(value: unknown): value is AttributeBag {
  return typeof (value as AttributeBag).names === 'function' && typeof (value as AttributeBag).get === 'function';
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

