import { plainLookupKey, type AttributeBag } from '../attribute/bag.js';
import { IpAddress } from '../attribute/ip-address.js';
import type { AttributeManifest } from '../attribute/manifest.js';
import { StringMap } from '../attribute/string-map.js';
import type { AttributeValue } from '../attribute/value.js';
import { ValueType, valueTypeName } from '../attribute/value-type.js';
import { ATTRIBUTE_FIELD_NAMES, AttributeDecodeError, AttributeField, type DecodedAttributes, type WireAttribute } from './compressed-attributes.js';

const ABSENT = Symbol('absent');

/** The CompressedAttributes map each declared value type travels in. */
const FIELD_OF_TYPE: Readonly<Record<number, AttributeField>> = {
  [ValueType.STRING]: AttributeField.STRINGS,
  [ValueType.EMAIL_ADDRESS]: AttributeField.STRINGS,
  [ValueType.URI]: AttributeField.STRINGS,
  [ValueType.DNS_NAME]: AttributeField.STRINGS,
  [ValueType.INT64]: AttributeField.INT64S,
  [ValueType.DOUBLE]: AttributeField.DOUBLES,
  [ValueType.BOOL]: AttributeField.BOOLS,
  [ValueType.TIMESTAMP]: AttributeField.TIMESTAMPS,
  [ValueType.DURATION]: AttributeField.DURATIONS,
  [ValueType.IP_ADDRESS]: AttributeField.BYTES,
  [ValueType.BYTES]: AttributeField.BYTES,
  [ValueType.STRING_MAP]: AttributeField.STRING_MAPS,
};

/**
 * A request's attributes read straight from the received CompressedAttributes (Mixer's
 * ProtoBag): a name is found through the message's words first, then the global dictionary
 * (see DecodedAttributes.indexOf); its value is decompressed on first read and kept, so the
 * many rules reading one attribute pay for it once. String maps carry their attribute's name,
 * so a TrackingBag over this bag records key lookups; bytes become an IP_ADDRESS when the
 * manifest declares one, BYTES otherwise. Reads are not recorded here: the dispatcher wraps
 * the bag in its TrackingBag.
 */
export class ProtoBag implements AttributeBag {
  /** Values already read, by name (`ABSENT` for a name the message does not carry). */
  private readonly read = new Map<string, AttributeValue | typeof ABSENT>();

  private constructor(
    private readonly attributes: DecodedAttributes,
    private readonly manifest: AttributeManifest,
  ) {}

  /**
   * A bag over decoded attributes, checked against the manifest: a declared attribute that
   * arrived in the map of another type is an AttributeDecodeError naming it (undeclared
   * attributes keep the type they arrived with).
   */
  static create(attributes: DecodedAttributes, manifest: AttributeManifest): ProtoBag {
    for (const entry of attributes.entries) checkDeclaredType(entry, attributes, manifest);
    return new ProtoBag(attributes, manifest);
  }

  get(name: string): AttributeValue | undefined {
    const known = this.read.get(name);
    if (known !== undefined) return known === ABSENT ? undefined : known;
    const value = this.decode(name);
    this.read.set(name, value ?? ABSENT);
    return value;
  }

  /** Whether `name` is present as a STRING_MAP (without decoding it). */
  isStringMap(name: string): boolean {
    const known = this.read.get(name);
    if (known !== undefined) return known instanceof StringMap;
    const index = this.attributes.indexOf(name);
    return index !== undefined && this.attributes.entryFor(index)?.field === AttributeField.STRING_MAPS;
  }

  lookupKey(map: StringMap, key: string): string | undefined {
    return plainLookupKey(map, key);
  }

  names(): string[] {
    const names = new Set<string>();
    for (const entry of this.attributes.entries) names.add(this.attributes.words.resolve(entry.name));
    return [...names];
  }

  private decode(name: string): AttributeValue | undefined {
    const index = this.attributes.indexOf(name);
    const entry = index === undefined ? undefined : this.attributes.entryFor(index);
    if (entry === undefined) return undefined;
    switch (entry.field) {
      case AttributeField.STRINGS:
        return this.attributes.words.resolve(entry.value);
      case AttributeField.STRING_MAPS:
        return this.stringMap(entry.value, name);
      case AttributeField.BYTES:
        return this.manifest.typeOf(name) === ValueType.IP_ADDRESS ? IpAddress.fromBytes(entry.value) : Uint8Array.from(entry.value);
      default:
        return entry.value;
    }
  }

  private stringMap(pairs: readonly number[], name: string): StringMap {
    const words = this.attributes.words;
    const entries = new Map<string, string>();
    for (let index = 0; index < pairs.length; index += 2) entries.set(words.resolve(pairs[index]!), words.resolve(pairs[index + 1]!));
    return new StringMap(entries, name);
  }
}

function checkDeclaredType(entry: WireAttribute, attributes: DecodedAttributes, manifest: AttributeManifest): void {
  const name = attributes.words.resolve(entry.name);
  const type = manifest.typeOf(name);
  if (type === undefined) return;
  const expected = FIELD_OF_TYPE[type];
  if (expected !== entry.field) {
    throw new AttributeDecodeError(
      `attribute '${name}' is declared ${valueTypeName(type)} and travels in ${ATTRIBUTE_FIELD_NAMES[expected ?? 0] ?? 'no map'}, but arrived in ${ATTRIBUTE_FIELD_NAMES[entry.field]}`,
    );
  }
  if (type === ValueType.IP_ADDRESS) {
    const length = (entry.value as Buffer).length;
    if (length !== 0 && length !== 4 && length !== 16) {
      throw new AttributeDecodeError(`attribute '${name}' is an IP_ADDRESS: expected 4 or 16 bytes, got ${length}`);
    }
  }
}
