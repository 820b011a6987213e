import type { AttributeBag } from '../attribute/bag.js';
import { DictBag } from '../attribute/dict-bag.js';
import { TrackingBag } from '../attribute/tracking-bag.js';
import type { AttributeValue } from '../attribute/value.js';

/**
 * The bag under a TrackingBag: the client's reads (cache keys, serialization) are not policy
 * reads and must not be recorded as referenced attributes.
 */
export function untracked(bag: AttributeBag): AttributeBag {
  return bag instanceof TrackingBag ? untracked(bag.untracked) : bag;
}

/** A copy of the attributes as they are now (reports wait in a batch; the caller's bag may change). */
export function snapshotBag(bag: AttributeBag): AttributeBag {
  const source = untracked(bag);
  const entries: [string, AttributeValue][] = [];
  for (const name of source.names()) {
    const value = source.get(name);
    if (value !== undefined) entries.push([name, value]);
  }
  return new DictBag(entries);
}
