/** Ticks per second: quota windows are made of 100 ms slots. */
export const TICKS_PER_SECOND = 10;
export const MILLIS_PER_TICK = 1000 / TICKS_PER_SECOND;

/**
 * A rate limit: at most `limit` units allocated over the last `slots` ticks. Each allocation is
 * recorded in the slot of its tick; as time moves on, slots that fall out of the window give
 * their units back. Time is passed in as ticks, so tests need no clock.
 */
export class RollingWindow {
  private readonly slots: number[];
  private currentSlot = 0;
  private currentTick: number | undefined;
  private avail: number;

  constructor(
    readonly limit: number,
    ticksInWindow: number,
  ) {
    this.slots = new Array<number>(Math.max(1, ticksInWindow)).fill(0);
    this.avail = limit;
  }

  /** Units that can still be allocated (as of the last tick seen). */
  get available(): number {
    return this.avail;
  }

  /** Allocates `amount` at `tick` if that many are available; false (and nothing taken) otherwise. */
  alloc(amount: number, tick: number): boolean {
    this.roll(tick);
    if (amount > this.avail) return false;
    this.slots[this.currentSlot]! += amount;
    this.avail -= amount;
    return true;
  }

  /** Gives back up to `amount`, newest slots first; returns how much was released. */
  release(amount: number, tick: number): number {
    this.roll(tick);
    let remaining = amount;
    let total = 0;
    let index = this.currentSlot;
    for (let step = 0; step < this.slots.length && remaining > 0; step++) {
      const used = this.slots[index]!;
      const taken = Math.min(used, remaining);
      this.slots[index] = used - taken;
      total += taken;
      remaining -= taken;
      index = index === 0 ? this.slots.length - 1 : index - 1;
    }
    this.avail += total;
    return total;
  }

  /** True when nothing is allocated any more at `tick`: the window holds no state and can go. */
  isIdleAt(tick: number): boolean {
    this.roll(tick);
    return this.avail === this.limit;
  }

  private roll(tick: number): void {
    if (this.currentTick === undefined) {
      this.currentTick = tick;
      return;
    }
    // A clock that went backwards leaves the window where it is.
    const behind = Math.min(Math.max(0, tick - this.currentTick), this.slots.length);
    for (let step = 1; step <= behind; step++) {
      const index = (this.currentSlot + step) % this.slots.length;
      this.avail += this.slots[index]!;
      this.slots[index] = 0;
    }
    this.currentSlot = (this.currentSlot + behind) % this.slots.length;
    this.currentTick = Math.max(tick, this.currentTick);
  }
}
