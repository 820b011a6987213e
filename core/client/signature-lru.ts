import { hash53 } from './attribute-signature.js';

interface Slot<V> {
  readonly signature: string;
  value: V;
  lastUsed: number;
}

/**
 * A least-recently-used map from signature text to values. It is keyed by the signature's
 * 53-bit hash and keeps the full text in each slot: a lookup whose text differs from the
 * slot's (a hash collision) is a miss, never someone else's entry. Optionally, entries not used
 * for `idleMs` are removed (the quota cache's 10 min).
 */
export class SignatureLru<V> {
  private readonly slots = new Map<number, Slot<V>>();
  /** The hash of the most recently used slot (last in `slots`): a hit on it need not move it. */
  private newest: number | undefined;

  constructor(
    private readonly maxEntries: number,
    private readonly idleMs = Number.POSITIVE_INFINITY,
    /** Injectable so tests can force collisions. */
    private readonly hash: (text: string) => number = hash53,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  /** The value stored under `signature`, marked as just used. */
  get(signature: string, now: number): V | undefined {
    this.sweepIdle(now);
    const hash = this.hash(signature);
    const slot = this.slots.get(hash);
    if (slot === undefined || slot.signature !== signature) return undefined;
    if (hash !== this.newest) {
      this.slots.delete(hash);
      this.slots.set(hash, slot);
      this.newest = hash;
    }
    slot.lastUsed = now;
    return slot.value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used when full. */
  set(signature: string, value: V, now: number): void {
    if (this.maxEntries <= 0) return;
    this.sweepIdle(now);
    const hash = this.hash(signature);
    this.slots.delete(hash);
    while (this.slots.size >= this.maxEntries) {
      const oldest = this.slots.keys().next();
      if (oldest.done === true) break;
      this.slots.delete(oldest.value);
    }
    this.slots.set(hash, { signature, value, lastUsed: now });
    this.newest = hash;
  }

  delete(signature: string): void {
    const hash = this.hash(signature);
    if (this.slots.get(hash)?.signature === signature) this.remove(hash);
  }

  clear(): void {
    this.slots.clear();
    this.newest = undefined;
  }

  private remove(hash: number): void {
    this.slots.delete(hash);
    if (hash === this.newest) this.newest = undefined;
  }

  /** Removes idle entries, oldest first (the map is in order of last use). */
  private sweepIdle(now: number): void {
    if (this.idleMs === Number.POSITIVE_INFINITY) return;
    for (const [hash, slot] of this.slots) {
      if (now - slot.lastUsed < this.idleMs) break;
      this.remove(hash);
    }
  }
}
