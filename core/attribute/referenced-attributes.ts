/**
 * What an evaluation read from a request: attributes found (EXACT), attributes looked up but
 * absent (ABSENCE), and the same for map keys. This is Istio's ReferencedAttributes, the key a
 * Check result may be cached under.
 */
export enum ReferenceCondition {
  ABSENCE = 1,
  EXACT = 2,
  REGEX = 3,
}

export interface AttributeReference {
  readonly name: string;
  /** Set for a map key reference (`request.headers[x-user]`). */
  readonly mapKey?: string;
  readonly condition: ReferenceCondition;
}

export class ReferencedAttributes {
  private readonly attributes = new Map<string, ReferenceCondition>();
  private readonly keys = new Map<string, Map<string, ReferenceCondition>>();
  /** Maps read only for key lookups: their keys are the references, not the whole map. */
  private readonly keyedMaps = new Set<string>();

  recordAttribute(name: string, present: boolean): void {
    // A name first seen present stays EXACT; absence recorded later cannot happen for the
    // same immutable bag, so the first observation is kept.
    if (!this.attributes.has(name)) this.attributes.set(name, present ? ReferenceCondition.EXACT : ReferenceCondition.ABSENCE);
  }

  /**
   * A map read only to look keys up in it: an absent map is an ABSENCE reference; a present one
   * adds nothing by itself (its key lookups are recorded), unless the whole map is also used.
   */
  recordMapForKeys(name: string, present: boolean): void {
    if (present) this.keyedMaps.add(name);
    else this.recordAttribute(name, false);
  }

  recordKey(mapName: string, key: string, present: boolean): void {
    let keys = this.keys.get(mapName);
    if (keys === undefined) {
      keys = new Map();
      this.keys.set(mapName, keys);
    }
    if (!keys.has(key)) keys.set(key, present ? ReferenceCondition.EXACT : ReferenceCondition.ABSENCE);
  }

  clear(): void {
    this.attributes.clear();
    this.keys.clear();
    this.keyedMaps.clear();
  }

  get isEmpty(): boolean {
    return this.attributes.size === 0 && this.keys.size === 0 && this.keyedMaps.size === 0;
  }

  /**
   * Calls `visit` for every reference a cache key needs (what goes on the wire) without building
   * objects: attributes, absences and map keys; a map read only for its keys is not itself a
   * reference.
   */
  forEach(visit: (name: string, mapKey: string | undefined, condition: ReferenceCondition) => void): void {
    for (const [name, condition] of this.attributes) visit(name, undefined, condition);
    for (const [name, keys] of this.keys) for (const [mapKey, condition] of keys) visit(name, mapKey, condition);
  }

  /** The references a cache key needs (what goes on the wire), as objects. */
  entries(): AttributeReference[] {
    const out: AttributeReference[] = [];
    for (const [name, condition] of this.attributes) out.push({ name, condition });
    for (const [name, keys] of this.keys) for (const [mapKey, condition] of keys) out.push({ name, mapKey, condition });
    return out;
  }

  /**
   * The compact text form used by `mixer eval` and the conformance vectors, sorted:
   * `name` found (maps read for their keys included), `-name` absent, `map[key]` key found,
   * `-map[key]` key absent.
   */
  toStrings(): string[] {
    const texts = this.entries().map((reference) => {
      const text = reference.mapKey === undefined ? reference.name : `${reference.name}[${reference.mapKey}]`;
      return reference.condition === ReferenceCondition.ABSENCE ? `-${text}` : text;
    });
    // Istio's expression tests list every attribute read, maps read for their keys included.
    for (const name of this.keyedMaps) if (!this.attributes.has(name)) texts.push(name);
    return texts.sort();
  }
}
