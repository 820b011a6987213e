import type { AttributeBag } from './bag.js';
import { ReferencedAttributes } from './referenced-attributes.js';
import type { StringMap } from './string-map.js';
import type { AttributeValue } from './value.js';

/**
 * Wraps a request's bag and records every attribute and map key read through it, present or
 * absent. The record is what makes a Check decision cacheable.
 */
export class TrackingBag implements AttributeBag {
  readonly referenced = new ReferencedAttributes();

  constructor(private readonly inner: AttributeBag) {}

  get(name: string): AttributeValue | undefined {
    const value = this.inner.get(name);
    this.referenced.recordAttribute(name, value !== undefined);
    return value;
  }

  getMapForKeys(name: string): AttributeValue | undefined {
    const value = this.inner.get(name);
    this.referenced.recordMapForKeys(name, value !== undefined);
    return value;
  }

  /** The bag this one records reads of. */
  get untracked(): AttributeBag {
    return this.inner;
  }

  lookupKey(map: StringMap, key: string): string | undefined {
    const value = this.inner.lookupKey(map, key);
    if (map.name !== '') this.referenced.recordKey(map.name, key, value !== undefined);
    return value;
  }

  names(): string[] {
    return this.inner.names();
  }
}
