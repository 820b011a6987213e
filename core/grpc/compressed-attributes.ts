import { Duration } from '../attribute/duration.js';
import { Timestamp } from '../attribute/timestamp.js';
import type { Int64 } from '../attribute/value.js';
import { MixerError } from '../errors/mixer-error.js';
import { GLOBAL_WORD_COUNT, GLOBAL_WORD_INDEX } from './global-dictionary.js';
import { WireReader, WireType } from './wire-reader.js';
import { readSecondsNanos } from './seconds-nanos.js';
import { WordList } from './word-list.js';

/** CompressedAttributes that are well-formed protobuf but not valid attributes (a bad word index, a bad timestamp). */
export class AttributeDecodeError extends MixerError {
  constructor(message: string) {
    super('MIXER_ERR_ATTRIBUTE_DECODE', message);
  }
}

/** The fields of istio.mixer.v1.CompressedAttributes; each typed map's field number is its kind. */
export const AttributeField = {
  WORDS: 1,
  STRINGS: 2,
  INT64S: 3,
  DOUBLES: 4,
  BOOLS: 5,
  TIMESTAMPS: 6,
  DURATIONS: 7,
  BYTES: 8,
  STRING_MAPS: 9,
} as const;
export type AttributeField = (typeof AttributeField)[keyof typeof AttributeField];
type Field<Name extends keyof typeof AttributeField> = (typeof AttributeField)[Name];

export const ATTRIBUTE_FIELD_NAMES: Readonly<Record<number, string>> = {
  [AttributeField.STRINGS]: 'strings',
  [AttributeField.INT64S]: 'int64s',
  [AttributeField.DOUBLES]: 'doubles',
  [AttributeField.BOOLS]: 'bools',
  [AttributeField.TIMESTAMPS]: 'timestamps',
  [AttributeField.DURATIONS]: 'durations',
  [AttributeField.BYTES]: 'bytes',
  [AttributeField.STRING_MAPS]: 'string_maps',
};

/** One map entry of a CompressedAttributes message: a name index and its value, still compressed. */
export type WireAttribute =
  | { readonly field: Field<'STRINGS'>; readonly name: number; readonly value: number }
  | { readonly field: Field<'INT64S'>; readonly name: number; readonly value: Int64 }
  | { readonly field: Field<'DOUBLES'>; readonly name: number; readonly value: number }
  | { readonly field: Field<'BOOLS'>; readonly name: number; readonly value: boolean }
  | { readonly field: Field<'TIMESTAMPS'>; readonly name: number; readonly value: Timestamp }
  | { readonly field: Field<'DURATIONS'>; readonly name: number; readonly value: Duration }
  /** A view into the received buffer: copy before keeping it. */
  | { readonly field: Field<'BYTES'>; readonly name: number; readonly value: Buffer }
  /** Key and value word indexes, alternating. */
  | { readonly field: Field<'STRING_MAPS'>; readonly name: number; readonly value: readonly number[] };

const WHERE: readonly string[] = Array.from({ length: 10 }, (_, field) => `CompressedAttributes.${ATTRIBUTE_FIELD_NAMES[field] ?? 'words'}`);

// Mixer's ProtoBag looks a name up in strings, string_maps, int64s, doubles, bools, timestamps,
// durations, bytes, in that order; the first map holding it wins.
const LOOKUP_RANK: readonly number[] = [9, 9, 0, 2, 3, 4, 5, 6, 7, 1];

/**
 * A decoded CompressedAttributes message: its words and its entries, names and string values
 * still word indexes.
 */
export class DecodedAttributes {
  private localNames: Map<string, number> | undefined;

  constructor(
    readonly words: WordList,
    /** Every entry in wire order (a name may appear in more than one map). */
    readonly entries: readonly WireAttribute[],
  ) {}

  /**
   * The entry a name index stands for: the first hit in Mixer's lookup order over the maps
   * (within one map, the later entry: protobuf's rule for a repeated map key). A scan: a message
   * holds a few dozen entries, fewer than it takes to pay for building a map per request.
   */
  entryFor(index: number): WireAttribute | undefined {
    let found: WireAttribute | undefined;
    let rank = 99;
    for (const entry of this.entries) {
      if (entry.name !== index) continue;
      const entryRank = LOOKUP_RANK[entry.field]!;
      if (entryRank <= rank) {
        found = entry;
        rank = entryRank;
      }
    }
    return found;
  }

  /**
   * The index a name goes by: one of this message's words used as an attribute name first (the
   * later slot when a word repeats), as Mixer looks names up in the message dictionary before
   * the global one; then the global dictionary. Only words that name attributes are decoded for
   * this (Mixer's dictionary holds every word: the two differ only for a message that lists an
   * attribute's name among its words yet keys the attribute by its global index, which Mixer
   * then cannot find and this finds).
   */
  indexOf(name: string): number | undefined {
    if (this.localNames === undefined) {
      this.localNames = new Map();
      for (const entry of this.entries) {
        if (entry.name >= 0) continue;
        const word = this.words.resolve(entry.name);
        const known = this.localNames.get(word);
        if (known === undefined || entry.name < known) this.localNames.set(word, entry.name);
      }
    }
    return this.localNames.size === 0 ? GLOBAL_WORD_INDEX.get(name) : (this.localNames.get(name) ?? GLOBAL_WORD_INDEX.get(name));
  }
}

// google.protobuf.Timestamp's range (0001-01-01 to 9999-12-31), as Go's ptypes checks it.
const MIN_TIMESTAMP_SECONDS = -62_135_596_800;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799;
const MAX_DURATION_NANOS = (1n << 63n) - 1n;

/**
 * Decodes the CompressedAttributes message in `buf[start, end)`: one pass over the bytes, no
 * string decoding. Every word index (names, string values, string-map keys and values) is then
 * checked against the global dictionary and the message's words; `fallbackWords` stands in for
 * empty words (a Report entry uses the request's default_words). Throws WireFormatError for
 * malformed bytes and AttributeDecodeError for an index that names no word or a bad value.
 */
export function decodeCompressedAttributes(buf: Buffer, start: number, end: number, fallbackWords?: WordList): DecodedAttributes {
  const reader = new WireReader(buf, start, end);
  const ranges: number[] = [];
  const entries: WireAttribute[] = [];
  while (!reader.atEnd) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === AttributeField.WORDS) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'CompressedAttributes.words');
      const wordEnd = reader.delimitedEnd();
      ranges.push(reader.pos, wordEnd);
      reader.pos = wordEnd;
    } else if (field >= AttributeField.STRINGS && field <= AttributeField.STRING_MAPS) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, WHERE[field]!);
      entries.push(readEntry(reader, field as AttributeField));
    } else {
      reader.skip(tag & 7);
    }
  }
  const words = ranges.length > 0 ? new WordList(buf, ranges) : (fallbackWords ?? WordList.EMPTY);
  for (const entry of entries) {
    checkIndex(entry.name, words, entry.field, 'name');
    if (entry.field === AttributeField.STRINGS) checkIndex(entry.value, words, entry.field, 'value');
    else if (entry.field === AttributeField.STRING_MAPS) {
      for (let index = 0; index < entry.value.length; index++) checkIndex(entry.value[index]!, words, entry.field, index % 2 === 0 ? 'map key' : 'map value');
    }
  }
  return new DecodedAttributes(words, entries);
}

function checkIndex(index: number, words: WordList, field: AttributeField, role: string): void {
  if (words.defines(index)) return;
  throw new AttributeDecodeError(
    `CompressedAttributes.${ATTRIBUTE_FIELD_NAMES[field]}: ${role} index ${index} is not defined in the available dictionaries ` +
      `(${GLOBAL_WORD_COUNT} global words, ${words.size} message words)`,
  );
}

/** Reads one map entry (key = 1, value = 2); a missing key or value is its zero value. */
function readEntry(reader: WireReader, field: AttributeField): WireAttribute {
  const outer = reader.enter();
  const where = WHERE[field]!;
  let name = 0;
  let value: WireAttribute['value'] | undefined;
  while (!reader.atEnd) {
    const tag = reader.tag();
    const number = tag >>> 3;
    if (number === 1) {
      reader.expect(tag, WireType.VARINT, where, 'key');
      name = reader.sint32();
    } else if (number === 2) {
      value = readValue(reader, tag, field, where);
    } else {
      reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  return { field, name, value: value ?? zeroValue(field) } as WireAttribute;
}

function readValue(reader: WireReader, tag: number, field: AttributeField, where: string): WireAttribute['value'] {
  switch (field) {
    case AttributeField.STRINGS:
      reader.expect(tag, WireType.VARINT, where, 'value');
      return reader.sint32();
    case AttributeField.INT64S:
      reader.expect(tag, WireType.VARINT, where, 'value');
      return reader.int64();
    case AttributeField.DOUBLES:
      reader.expect(tag, WireType.FIXED64, where, 'value');
      return reader.double();
    case AttributeField.BOOLS:
      reader.expect(tag, WireType.VARINT, where, 'value');
      return reader.bool();
    case AttributeField.TIMESTAMPS:
      reader.expect(tag, WireType.LENGTH_DELIMITED, where, 'value');
      return readTimestamp(reader, where);
    case AttributeField.DURATIONS:
      reader.expect(tag, WireType.LENGTH_DELIMITED, where, 'value');
      return readDuration(reader, where);
    case AttributeField.BYTES:
      reader.expect(tag, WireType.LENGTH_DELIMITED, where, 'value');
      return reader.bytes();
    default:
      reader.expect(tag, WireType.LENGTH_DELIMITED, where, 'value');
      return readStringMap(reader, where);
  }
}

function zeroValue(field: AttributeField): WireAttribute['value'] {
  switch (field) {
    case AttributeField.INT64S:
    case AttributeField.DOUBLES:
    case AttributeField.STRINGS:
      return 0;
    case AttributeField.BOOLS:
      return false;
    case AttributeField.TIMESTAMPS:
      return Timestamp.EPOCH;
    case AttributeField.DURATIONS:
      return Duration.ZERO;
    case AttributeField.BYTES:
      return Buffer.alloc(0);
    default:
      return [];
  }
}

function readTimestamp(reader: WireReader, where: string): Timestamp {
  const { seconds, nanos } = readSecondsNanos(reader, where);
  if (typeof seconds === 'bigint' || seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) {
    throw new AttributeDecodeError(`${where}: timestamp seconds ${seconds} is outside 0001-01-01 to 9999-12-31`);
  }
  if (nanos < 0 || nanos >= 1e9) throw new AttributeDecodeError(`${where}: timestamp nanos ${nanos} is outside [0, 1e9)`);
  return Timestamp.fromParts(seconds, nanos);
}

function readDuration(reader: WireReader, where: string): Duration {
  const { seconds, nanos } = readSecondsNanos(reader, where);
  const total = BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
  if (nanos <= -1e9 || nanos >= 1e9 || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
    throw new AttributeDecodeError(`${where}: duration nanos ${nanos} must be within (-1e9, 1e9) with the sign of seconds ${seconds}`);
  }
  if (total > MAX_DURATION_NANOS || total < -MAX_DURATION_NANOS - 1n) {
    throw new AttributeDecodeError(`${where}: duration of ${seconds} s is out of range (about ±292 years)`);
  }
  return Duration.ofNanos(total);
}

/** istio.mixer.v1.StringMap: repeated entries (1) of key (1) and value (2) word indexes. */
function readStringMap(reader: WireReader, where: string): number[] {
  const outer = reader.enter();
  const pairs: number[] = [];
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 !== 1) {
      reader.skip(tag & 7);
      continue;
    }
    reader.expect(tag, WireType.LENGTH_DELIMITED, where, 'entries');
    const mapOuter = reader.enter();
    let key = 0;
    let value = 0;
    while (!reader.atEnd) {
      const pairTag = reader.tag();
      if (pairTag >>> 3 === 1) {
        reader.expect(pairTag, WireType.VARINT, where, 'entry key');
        key = reader.sint32();
      } else if (pairTag >>> 3 === 2) {
        reader.expect(pairTag, WireType.VARINT, where, 'entry value');
        value = reader.sint32();
      } else {
        reader.skip(pairTag & 7);
      }
    }
    reader.leave(mapOuter);
    pairs.push(key, value);
  }
  reader.leave(outer);
  return pairs;
}
