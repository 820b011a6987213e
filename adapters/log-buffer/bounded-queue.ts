/** An entry in a BoundedQueue with its size, measured once when it was offered. */
export interface Sized<T> {
  readonly value: T;
  readonly bytes: number;
}

/**
 * A FIFO of at most `capacity` entries that never blocks: adding beyond the capacity drops the
 * oldest entries and says how many. It also keeps the total size of what it holds, so a
 * caller can tell when a full batch (by count or by bytes) is waiting.
 */
export class BoundedQueue<T> {
  private items: Array<Sized<T>> = [];
  private head = 0;
  private totalBytes = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Appends entries (newest last); returns the number of oldest entries dropped to make room. */
  pushBack(entries: ReadonlyArray<Sized<T>>): number {
    for (const entry of entries) {
      this.items.push(entry);
      this.totalBytes += entry.bytes;
    }
    return this.trim();
  }

  /**
   * Puts entries back at the front (oldest first), for a retry; returns how many oldest entries
   * were dropped because the queue filled up in the meantime.
   */
  pushFront(entries: ReadonlyArray<Sized<T>>): number {
    if (entries.length === 0) return 0;
    this.compact();
    this.items = [...entries, ...this.items];
    for (const entry of entries) this.totalBytes += entry.bytes;
    return this.trim();
  }

  /**
   * Takes the oldest entries up to `maxEntries` and `maxBytes` in total. The first entry is
   * always taken, even when it alone is larger than `maxBytes`, so an oversized entry cannot
   * block the queue.
   */
  takeBatch(maxEntries: number, maxBytes: number): Array<Sized<T>> {
    const batch: Array<Sized<T>> = [];
    let bytes = 0;
    while (this.head < this.items.length && batch.length < maxEntries) {
      const next = this.items[this.head]!;
      if (batch.length > 0 && bytes + next.bytes > maxBytes) break;
      batch.push(next);
      bytes += next.bytes;
      this.head++;
    }
    this.totalBytes -= bytes;
    this.compact();
    return batch;
  }

  /** Removes and returns everything. */
  drain(): Array<Sized<T>> {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.totalBytes = 0;
    return all;
  }

  private trim(): number {
    const excess = this.length - this.capacity;
    if (excess <= 0) return 0;
    for (let index = this.head; index < this.head + excess; index++) this.totalBytes -= this.items[index]!.bytes;
    this.head += excess;
    this.compact();
    return excess;
  }

  /** Releases the consumed prefix once it is large, keeping shifts amortised O(1). */
  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
