import { plainLookupKey, type AttributeBag } from '../core/attribute/bag.js';
import type { StringMap } from '../core/attribute/string-map.js';
import type { AttributeValue } from '../core/attribute/value.js';
import type { AttributeList } from './identity-attributes.js';

/**
 * A bag over the proxy's attribute list without copying it (the request path builds the list
 * once, and hands it over to the report batch at the end: MixerClient.adoptReport). Every
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

  entries(): Iterable<readonly [string, AttributeValue]> {
    return this.attributes;
  }
}
