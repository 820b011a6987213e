import type { ResolvedPrefetchOptions } from './client-options.js';
import { TimeBasedCounter } from './time-based-counter.js';

/** OPEN: the last prefetch got all it asked for; CLOSE: it did not (the quota is running dry). */
export enum PrefetchMode {
  OPEN = 'OPEN',
  CLOSE = 'CLOSE',
}

interface Slot {
  available: number;
  /** Tokens are usable while now < expireAt. */
  expireAt: number;
  readonly id: number;
}

/** Mixer's answer to a prefetch; undefined for a network failure (treated as a full grant). */
export interface PrefetchGrant {
  readonly grantedAmount: number;
  /** Undefined when the result had no valid_duration (the grant then lives maxExpirationMs). */
  readonly validDurationMs: number | undefined;
}

/** A prefetch the pool decided on: send `amount` best-effort, then call `complete` once. */
export interface PrefetchCall {
  readonly amount: number;
  complete(grant: PrefetchGrant | undefined, now: number): void;
}

export interface PrefetchDecision {
  readonly passed: boolean;
  readonly prefetch: PrefetchCall | undefined;
}

/**
 * One quota cache element's pool of prefetched tokens (istio/proxy
 * `prefetch/quota_prefetch.cc`, followed step by step). Each request for n tokens:
 * 1. desired = max(demand over the predict window, minPrefetch); avail = unexpired tokens;
 * 2. prefetch max(n, desired) when (avail < desired/2 and none in flight) or avail < n,
 * 3. except in CLOSE mode while a prefetch is in flight or within closeWait of the last one;
 * 4. when avail is 0 in OPEN mode the prefetched amount is added at once, optimistically, for
 *    maxExpiration;
 * 5. the answer takes any shortfall back from that slot then from the oldest slots, sets the
 *    slot's expiry to now + valid_duration, counts a network failure as a full grant, and sets
 *    the mode (OPEN on a full grant, else CLOSE);
 * 6. the request passes when the pool covers n, deducted first in, first out.
 */
export class QuotaPrefetch {
  private readonly slots: Slot[] = [];
  private readonly demand: TimeBasedCounter;
  private mode = PrefetchMode.OPEN;
  private lastPrefetchAt = Number.NEGATIVE_INFINITY;
  private inFlight = 0;
  private nextSlotId = 0;

  constructor(
    private readonly options: ResolvedPrefetchOptions,
    now: number,
  ) {
    this.demand = new TimeBasedCounter(options.windowSlots, options.predictWindowMs, now);
  }

  get currentMode(): PrefetchMode {
    return this.mode;
  }

  get prefetchesInFlight(): number {
    return this.inFlight;
  }

  /** Unexpired tokens in the pool. */
  available(now: number): number {
    let total = 0;
    for (const slot of this.slots) if (now < slot.expireAt) total += slot.available;
    return total;
  }

  /** Takes `amount` tokens for one request and says whether a prefetch should go out. */
  check(amount: number, now: number): PrefetchDecision {
    const prefetch = this.attemptPrefetch(amount, now);
    this.demand.add(amount, now);
    let passed: boolean;
    if (amount === 1) {
      passed = this.subtract(1, now) === 0;
    } else {
      passed = this.available(now) >= amount;
      if (passed) this.subtract(amount, now);
    }
    return { passed, prefetch };
  }

  private attemptPrefetch(amount: number, now: number): PrefetchCall | undefined {
    if (this.mode === PrefetchMode.CLOSE && (this.inFlight > 0 || now - this.lastPrefetchAt < this.options.closeWaitMs)) return undefined;
    const available = this.available(now);
    const desired = Math.max(this.demand.count(now), this.options.minPrefetch);
    if (!((available < desired / 2 && this.inFlight === 0) || available < amount)) return undefined;
    const optimistic = available === 0 && this.mode === PrefetchMode.OPEN;
    return this.startPrefetch(Math.max(amount, desired), optimistic, now);
  }

  private startPrefetch(amount: number, optimistic: boolean, now: number): PrefetchCall {
    const slotId = optimistic ? this.add(amount, now + this.options.maxExpirationMs) : undefined;
    this.lastPrefetchAt = now;
    this.inFlight++;
    let done = false;
    return {
      amount,
      complete: (grant, completedAt) => {
        if (done) return;
        done = true;
        this.onResponse(slotId, amount, grant, completedAt);
      },
    };
  }

  private add(amount: number, expireAt: number): number {
    const id = ++this.nextSlotId;
    this.slots.push({ available: amount, expireAt, id });
    return id;
  }

  /** Deducts first in, first out, dropping spent and expired slots; returns what was not covered. */
  private subtract(amount: number, now: number): number {
    let delta = amount;
    while (this.slots.length > 0 && delta > 0) {
      const head = this.slots[0]!;
      if (now < head.expireAt) {
        if (head.available > 0) {
          const taken = Math.min(head.available, delta);
          head.available -= taken;
          delta -= taken;
        }
        if (head.available > 0) return 0;
      }
      this.slots.shift();
    }
    return delta;
  }

  private onResponse(slotId: number | undefined, requested: number, grant: PrefetchGrant | undefined, now: number): void {
    this.inFlight--;
    // A network failure is a full grant for maxExpiration: quota fails open.
    const granted = grant === undefined ? requested : grant.grantedAmount;
    const lifetime = grant === undefined ? this.options.maxExpirationMs : (grant.validDurationMs ?? this.options.maxExpirationMs);
    if (slotId !== undefined) {
      const slot = this.slots.find((candidate) => candidate.id === slotId);
      if (granted < requested) {
        let delta = requested - granted;
        if (slot !== undefined) {
          const taken = Math.min(slot.available, delta);
          slot.available -= taken;
          delta -= taken;
        }
        if (delta > 0) this.subtract(delta, now);
      }
      if (slot !== undefined && slot.available > 0) slot.expireAt = now + lifetime;
    } else if (granted > 0) {
      this.add(granted, now + lifetime);
    }
    this.mode = granted === requested ? PrefetchMode.OPEN : PrefetchMode.CLOSE;
  }
}
