/**
 * Amounts counted over a sliding window split into slots (istio/proxy
 * `prefetch/time_based_counter.cc`): `count(now)` is the sum of what was added in the slots
 * covering the last window.
 */
export class TimeBasedCounter {
  private readonly slots: number[];
  private readonly slotMs: number;
  private tail = 0;
  private total = 0;
  private lastTime: number;

  constructor(slotCount: number, windowMs: number, now: number) {
    this.slots = new Array<number>(slotCount).fill(0);
    this.slotMs = windowMs / slotCount;
    this.lastTime = now;
  }

  add(amount: number, now: number): void {
    this.roll(now);
    this.slots[this.tail] = this.slots[this.tail]! + amount;
    this.total += amount;
  }

  count(now: number): number {
    this.roll(now);
    return this.total;
  }

  private roll(now: number): void {
    const elapsed = now - this.lastTime;
    if (elapsed < this.slotMs) return;
    const steps = Math.floor(elapsed / this.slotMs);
    if (steps >= this.slots.length) {
      this.slots.fill(0);
      this.tail = 0;
      this.total = 0;
      this.lastTime = now;
      return;
    }
    for (let step = 0; step < steps; step++) {
      this.tail = (this.tail + 1) % this.slots.length;
      this.total -= this.slots[this.tail]!;
      this.slots[this.tail] = 0;
      this.lastTime += this.slotMs;
    }
  }
}
