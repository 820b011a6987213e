import type { AttributeBag } from '../attribute/bag.js';
import { ReferenceCondition, type AttributeReference } from '../attribute/referenced-attributes.js';
import { StringMap } from '../attribute/string-map.js';
import { encodeValue, lengthPrefixed } from './attribute-signature.js';

/** An attribute, or one key of a STRING_MAP attribute, that a Mixer answer depended on. */
export interface ReferenceKey {
  readonly name: string;
  readonly mapKey: string | undefined;
}

function compareKeys(a: ReferenceKey, b: ReferenceKey): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.mapKey === b.mapKey) return 0;
  if (a.mapKey === undefined) return -1;
  if (b.mapKey === undefined) return 1;
  return a.mapKey < b.mapKey ? -1 : 1;
}

function sortedUnique(keys: ReferenceKey[]): ReferenceKey[] {
  keys.sort(compareKeys);
  return keys.filter((key, index) => index === 0 || compareKeys(keys[index - 1]!, key) !== 0);
}

function keyText(key: ReferenceKey): string {
  return key.mapKey === undefined ? lengthPrefixed(key.name) : `${lengthPrefixed(key.name)}[${lengthPrefixed(key.mapKey)}]`;
}

function keyDisplay(key: ReferenceKey): string {
  return key.mapKey === undefined ? key.name : `${key.name}[${key.mapKey}]`;
}

/**
 * A "Referenced" of istio/proxy's client: the sorted ABSENCE keys and sorted EXACT keys of one
 * response's referenced attributes. A request fits the shape when every ABSENCE key is missing
 * and every EXACT key is present; its signature is then the values of the EXACT keys.
 *
 * Reads go straight to the bag's `get` and to `StringMap.get`, never to `lookupKey`, so a
 * recording bag under the request would not see them as policy reads.
 */
export class ReferencedShape {
  /** The canonical identity of the shape: equal for equal shapes. */
  readonly id: string;

  private constructor(
    readonly absence: readonly ReferenceKey[],
    readonly exact: readonly ReferenceKey[],
  ) {
    this.id = `A${absence.map(keyText).join('')}E${exact.map(keyText).join('')};`;
  }

  /**
   * The shape of a response's references; undefined when an answer must not be cached: a REGEX
   * condition (Istio's client does not support it), or a condition it does not know.
   */
  static fromReferences(references: readonly AttributeReference[]): ReferencedShape | undefined {
    const absence: ReferenceKey[] = [];
    const exact: ReferenceKey[] = [];
    for (const reference of references) {
      const key = { name: reference.name, mapKey: reference.mapKey };
      if (reference.condition === ReferenceCondition.ABSENCE) absence.push(key);
      else if (reference.condition === ReferenceCondition.EXACT) exact.push(key);
      else return undefined;
    }
    return new ReferencedShape(sortedUnique(absence), sortedUnique(exact));
  }

  /** True when `bag` satisfies every ABSENCE and EXACT key. */
  fits(bag: AttributeBag): boolean {
    for (const key of this.absence) {
      const value = bag.get(key.name);
      if (value === undefined) continue;
      // A whole attribute referenced as absent must be absent; a map key, absent from its map.
      if (key.mapKey === undefined || !(value instanceof StringMap) || value.has(key.mapKey)) return false;
    }
    for (const key of this.exact) {
      const value = bag.get(key.name);
      if (value === undefined) return false;
      if (key.mapKey !== undefined && (!(value instanceof StringMap) || !value.has(key.mapKey))) return false;
    }
    return true;
  }

  /**
   * The canonical signature text of `bag` under this shape (the shape itself, then name and
   * value of every EXACT key, then `extra`: the quota name for the quota cache), or undefined
   * when the bag does not fit the shape.
   */
  signature(bag: AttributeBag, extra = ''): string | undefined {
    if (!this.fits(bag)) return undefined;
    let text = this.id;
    for (const key of this.exact) {
      const value = bag.get(key.name)!;
      if (key.mapKey === undefined) text += lengthPrefixed(key.name) + encodeValue(value);
      else text += `${lengthPrefixed(key.name)}[${lengthPrefixed(key.mapKey)}]${lengthPrefixed((value as StringMap).get(key.mapKey)!)}`;
    }
    return text + lengthPrefixed(extra);
  }

  toString(): string {
    return `absent: [${this.absence.map(keyDisplay).join(', ')}], exact: [${this.exact.map(keyDisplay).join(', ')}]`;
  }
}

/**
 * The distinct shapes seen, in the order first seen; every lookup tries each. Bounded: past
 * `maxShapes` a new shape is refused (its answers are not cached) so that a server emitting
 * ever-new shapes cannot make each lookup slower without limit.
 */
export class ShapeSet {
  private readonly shapes = new Map<string, ReferencedShape>();

  constructor(private readonly maxShapes: number) {}

  /** The stored shape equal to `shape` (added if new); undefined when full. */
  intern(shape: ReferencedShape): ReferencedShape | undefined {
    const known = this.shapes.get(shape.id);
    if (known !== undefined) return known;
    if (this.shapes.size >= this.maxShapes) return undefined;
    this.shapes.set(shape.id, shape);
    return shape;
  }

  get size(): number {
    return this.shapes.size;
  }

  [Symbol.iterator](): IterableIterator<ReferencedShape> {
    return this.shapes.values();
  }
}
