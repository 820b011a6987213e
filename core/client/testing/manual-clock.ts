import type { ClientClock, TimerHandle } from '../client-clock.js';

interface PendingTimer {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Lets promise continuations queued so far run (one macrotask turn drains the microtasks). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when a test says so. `advance(ms)` fires due timers in time order
 * (ties in creation order), letting promise chains settle after each one, so a timer that
 * schedules another timer inside the advanced span also fires.
 */
export class ManualClock implements ClientClock {
  private current: number;
  private sequence = 0;
  private readonly timers: PendingTimer[] = [];

  constructor(start = 1_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer: PendingTimer = { at: this.current + Math.max(0, delayMs), order: this.sequence++, callback, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Timers not yet fired nor cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.current = next.at;
      next.callback();
      await settle();
    }
    this.current = target;
    await settle();
  }

  private nextDue(target: number): PendingTimer | undefined {
    for (let index = this.timers.length - 1; index >= 0; index--) {
      if (this.timers[index]!.cancelled) this.timers.splice(index, 1);
    }
    let best: PendingTimer | undefined;
    for (const timer of this.timers) {
      if (timer.at > target) continue;
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.order < best.order)) best = timer;
    }
    return best;
  }
}
