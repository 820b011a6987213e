import { ReferenceCondition, type AttributeReference, type ReferencedAttributes } from '../attribute/referenced-attributes.js';
import { GLOBAL_WORD_COUNT, GLOBAL_WORDS } from './global-dictionary.js';
import { WireType, type WireReader } from './wire-reader.js';
import type { WireWriter } from './wire-writer.js';
import { WordTable } from './word-table.js';

/**
 * Writes `referenced` as an istio.mixer.v1.ReferencedAttributes field: names and map keys go by
 * their global index only when it is below the request's `globalWordCount` (what the caller
 * knows), every other word into the message's own `words`. A map key never gets index 0, which
 * the protocol reserves for "the whole map". Words come first, then the matches, as Mixer
 * writes them. As in Mixer's ProtoBag, reading a string map that is present records nothing
 * for the map itself (only its keys count): `isStringMap` tells which names are maps.
 */
export function writeReferencedAttributes(
  writer: WireWriter,
  field: number,
  referenced: ReferencedAttributes,
  globalWordCount: number,
  isStringMap: (name: string) => boolean = NEVER,
): void {
  const table = new WordTable(globalWordCount);
  const matches: number[] = [];
  referenced.forEach((name, mapKey, condition) => {
    if (mapKey === undefined && condition === ReferenceCondition.EXACT && isStringMap(name)) return;
    matches.push(table.index(name), condition, mapKey === undefined ? 0 : table.nonZeroIndex(mapKey));
  });
  const mark = writer.begin(field);
  for (const word of table.words) {
    writer.tag(1, WireType.LENGTH_DELIMITED);
    writer.string(word);
  }
  for (let index = 0; index < matches.length; index += 3) {
    const match = writer.begin(2);
    const name = matches[index]!;
    const mapKey = matches[index + 2]!;
    if (name !== 0) {
      writer.tag(1, WireType.VARINT);
      writer.sint32(name);
    }
    writer.tag(2, WireType.VARINT);
    writer.uint32(matches[index + 1]!);
    if (mapKey !== 0) {
      writer.tag(4, WireType.VARINT);
      writer.sint32(mapKey);
    }
    writer.end(match);
  }
  writer.end(mark);
}

const NEVER = (): boolean => false;

/** ReferencedAttributes as a client reads them. */
export interface DecodedReferences {
  readonly references: AttributeReference[];
  /** False when an index names no word, or a condition is REGEX or unknown: the answer must not be cached. */
  readonly valid: boolean;
}

interface RawMatch {
  name: number;
  condition: number;
  regex: string;
  mapKey: number;
}

/**
 * Reads a ReferencedAttributes message (the reader is positioned on its length prefix) and
 * decodes its words against the full global dictionary plus the message's own words, as
 * Envoy's check cache does.
 */
export function readReferencedAttributes(reader: WireReader): DecodedReferences {
  const outer = reader.enter();
  const words: string[] = [];
  const raw: RawMatch[] = [];
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'ReferencedAttributes.words');
      words.push(reader.string());
    } else if (tag >>> 3 === 2) {
      reader.expect(tag, WireType.LENGTH_DELIMITED, 'ReferencedAttributes.attribute_matches');
      raw.push(readMatch(reader));
    } else {
      reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  const lookup = (index: number): string | undefined => (index >= 0 ? (index < GLOBAL_WORD_COUNT ? GLOBAL_WORDS[index] : undefined) : words[-index - 1]);
  const references: AttributeReference[] = [];
  let valid = true;
  for (const match of raw) {
    const name = lookup(match.name);
    const mapKey = match.mapKey === 0 ? undefined : lookup(match.mapKey);
    if (name === undefined || (match.mapKey !== 0 && mapKey === undefined)) {
      valid = false;
      continue;
    }
    const condition = match.condition as ReferenceCondition;
    if (condition !== ReferenceCondition.ABSENCE && condition !== ReferenceCondition.EXACT) {
      // REGEX (which Envoy's cache does not support) or a condition that names nothing.
      valid = false;
      if (condition !== ReferenceCondition.REGEX) continue;
    }
    references.push(mapKey === undefined ? { name, condition } : { name, mapKey, condition });
  }
  return { references, valid };
}

function readMatch(reader: WireReader): RawMatch {
  const outer = reader.enter();
  const match: RawMatch = { name: 0, condition: 0, regex: '', mapKey: 0 };
  while (!reader.atEnd) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1:
        reader.expect(tag, WireType.VARINT, 'AttributeMatch.name');
        match.name = reader.sint32();
        break;
      case 2:
        reader.expect(tag, WireType.VARINT, 'AttributeMatch.condition');
        match.condition = reader.int32();
        break;
      case 3:
        reader.expect(tag, WireType.LENGTH_DELIMITED, 'AttributeMatch.regex');
        match.regex = reader.string();
        break;
      case 4:
        reader.expect(tag, WireType.VARINT, 'AttributeMatch.map_key');
        match.mapKey = reader.sint32();
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  return match;
}
