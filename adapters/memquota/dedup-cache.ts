/** The answer a deduplication id got, to repeat it. */
export interface DedupEntry {
  readonly grantedAmount: number;
  /** When the grant stops being valid (ms since the epoch); undefined for allocation quotas. */
  readonly expiresAtMs: number | undefined;
}

/**
 * Recently seen deduplication ids, in two generations like Istio's: ids go into `recent`; every
 * `windowMs` the generations rotate and the oldest is dropped, so an id is remembered for
 * between one and two windows. Rotation follows the clock passed in (lazily on every call, and
 * from the handler's scheduled reaper), so memory stays bounded even when idle.
 */
export class DedupCache {
  private recent = new Map<string, DedupEntry>();
  private old = new Map<string, DedupEntry>();
  private rotatedAt: number;

  constructor(
    private readonly windowMs: number,
    now: number,
  ) {
    this.rotatedAt = now;
  }

  get size(): number {
    return this.recent.size + this.old.size;
  }

  get(id: string, now: number): DedupEntry | undefined {
    this.reap(now);
    return this.recent.get(id) ?? this.old.get(id);
  }

  set(id: string, entry: DedupEntry, now: number): void {
    this.reap(now);
    this.recent.set(id, entry);
  }

  /** Rotates the generations when a window has passed; drops both after two. */
  reap(now: number): void {
    const elapsed = now - this.rotatedAt;
    if (elapsed < this.windowMs) return;
    if (elapsed >= 2 * this.windowMs) {
      this.recent.clear();
      this.old.clear();
    } else {
      this.old = this.recent;
      this.recent = new Map();
    }
    this.rotatedAt = now;
  }
}
