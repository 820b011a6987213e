import type { StringMap } from './string-map.js';
import type { AttributeValue } from './value.js';

/**
 * A read-only set of attributes for one request. Expressions read through `get` and look up
 * map keys through `lookupKey`, so a bag that records reads (TrackingBag) sees both.
 */
export interface AttributeBag {
  /** The attribute's value, or undefined when the request does not carry it. */
  get(name: string): AttributeValue | undefined;
  /** A key of a STRING_MAP value read from this bag; undefined when the key is absent. */
  lookupKey(map: StringMap, key: string): string | undefined;
  /** The names of the attributes present. */
  names(): string[];
  /**
   * Reads a STRING_MAP only to look keys up in it (`m["k"]`), as opposed to using the whole map.
   * A recording bag then records the keys, not the whole map, as Istio's proxy-facing bag does;
   * bags that do not record need not implement it (`get` is used instead).
   */
  getMapForKeys?(name: string): AttributeValue | undefined;
  /**
   * Every attribute present with its value, in the bag's order, for serializers that read the
   * whole bag: a bag over a list implements it to spare one lookup per name. Never recorded.
   */
  entries?(): Iterable<readonly [string, AttributeValue]>;
}

/** The plain key lookup every bag that does not record reads uses. */
export function plainLookupKey(map: StringMap, key: string): string | undefined {
  return map.get(key);
}
