/** Thrown (as a rejection) when a tracked call outlives its deadline. */
export class DeadlineExceededError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

interface Pending {
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly reject: (error: Error) => void;
  settled: boolean;
}

/**
 * Times out calls without a timer per call: one sweep timer runs while calls are pending and
 * rejects those past their deadline. A call pays one array push, not a setTimeout.
 */
export class DeadlineTracker {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly granularityMs = 10,
    private readonly clock: () => number = Date.now,
  ) {}

  /** `promise`, or a DeadlineExceededError rejection once `timeoutMs` has passed. */
  track<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { deadline: this.clock() + timeoutMs, timeoutMs, reject: (error) => reject(error), settled: false };
      this.pending.push(entry);
      this.ensureTimer();
      promise.then(
        (value) => {
          entry.settled = true;
          resolve(value);
        },
        (error: unknown) => {
          entry.settled = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  get pendingCount(): number {
    return this.pending.filter((entry) => !entry.settled).length;
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.pending = [];
  }

  private ensureTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.sweep(), this.granularityMs);
    this.timer.unref();
  }

  private sweep(): void {
    const now = this.clock();
    const still: Pending[] = [];
    for (const entry of this.pending) {
      if (entry.settled) continue;
      if (entry.deadline <= now) {
        entry.settled = true;
        entry.reject(new DeadlineExceededError(entry.timeoutMs));
      } else {
        still.push(entry);
      }
    }
    this.pending = still;
    if (still.length === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
