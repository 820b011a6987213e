import { plainLookupKey, type AttributeBag } from '../core/attribute/bag.js';
import type { StringMap } from '../core/attribute/string-map.js';
import type { AttributeValue } from '../core/attribute/value.js';
import type { AttributeList } from './identity-attributes.js';

/**
 * A bag over the proxy's attribute list without copying it (the request path builds the list
 * once; the Mixer client copies what it keeps, e.g. a report waiting for its batch). Every
 * STRING_MAP in the list already carries its attribute name.
 */
export class AttributeListBag implements AttributeBag {
  constructor(private readonly attributes: AttributeList) {}

  get(name: string): AttributeValue | undefined {
    return this.attributes.get(name);
  }

  lookupKey(map: StringMap, key: string): string | undefined {
    return plainLookupKey(map, key);
  }

  names(): string[] {
    return [...this.attributes.keys()];
  }
}
