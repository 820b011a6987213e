interface Slot<V> {
  value: V;
  lastUsed: number;
}

/**
 * A least-recently-used map from signature text to values, keyed by the text itself (V8 hashes
 * a string once, natively, and compares the text on a hash match, so two signatures can never
 * share an entry). Optionally, entries not used for `idleMs` are removed (the quota cache's
 * 10 min).
 */
export class SignatureLru<V> {
  private readonly slots = new Map<string, Slot<V>>();
  /** The signature of the most recently used slot (last in `slots`): a hit on it need not move it. */
  private newest: string | undefined;

  constructor(
    private readonly maxEntries: number,
    private readonly idleMs = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  /** The value stored under `signature`, marked as just used. */
  get(signature: string, now: number): V | undefined {
    this.sweepIdle(now);
    const slot = this.slots.get(signature);
    if (slot === undefined) return undefined;
    if (signature !== this.newest) {
      this.slots.delete(signature);
      this.slots.set(signature, slot);
      this.newest = signature;
    }
    slot.lastUsed = now;
    return slot.value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used when full. */
  set(signature: string, value: V, now: number): void {
    if (this.maxEntries <= 0) return;
    this.sweepIdle(now);
    this.slots.delete(signature);
    while (this.slots.size >= this.maxEntries) {
      const oldest = this.slots.keys().next();
      if (oldest.done === true) break;
      this.slots.delete(oldest.value);
    }
    this.slots.set(signature, { value, lastUsed: now });
    this.newest = signature;
  }

  delete(signature: string): void {
    this.remove(signature);
  }

  clear(): void {
    this.slots.clear();
    this.newest = undefined;
  }

  private remove(signature: string): void {
    this.slots.delete(signature);
    if (signature === this.newest) this.newest = undefined;
  }

  /** Removes idle entries, oldest first (the map is in order of last use). */
  private sweepIdle(now: number): void {
    if (this.idleMs === Number.POSITIVE_INFINITY) return;
    for (const [signature, slot] of this.slots) {
      if (now - slot.lastUsed < this.idleMs) break;
      this.remove(signature);
    }
  }
}
