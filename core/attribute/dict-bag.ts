import { plainLookupKey, type AttributeBag } from './bag.js';
import { StringMap } from './string-map.js';
import type { AttributeValue } from './value.js';

/**
 * A bag over a name → value table. STRING_MAP values are re-labelled with the attribute name
 * they are stored under, so key lookups can be attributed to it.
 */
export class DictBag implements AttributeBag {
  private readonly values: Map<string, AttributeValue>;

  constructor(values: Iterable<readonly [string, AttributeValue]> = []) {
    this.values = new Map();
    for (const [name, value] of values) this.values.set(name, value instanceof StringMap ? value.withName(name) : value);
  }

  static of(values: Readonly<Record<string, AttributeValue>>): DictBag {
    return new DictBag(Object.entries(values));
  }

  get(name: string): AttributeValue | undefined {
    return this.values.get(name);
  }

  lookupKey(map: StringMap, key: string): string | undefined {
    return plainLookupKey(map, key);
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  entries(): Iterable<readonly [string, AttributeValue]> {
    return this.values;
  }
}
