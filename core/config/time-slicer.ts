import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Work written as a generator that yields at checkpoints (after each resource, rule or route),
 * so it can run to completion at once or in slices.
 */
export type Steps<T> = Generator<void, T, void>;

/** How long one slice of config work may hold the event loop, by default. */
export const DEFAULT_SLICE_MS = 4;

export interface TimeSlicerOptions {
  /** How long a slice may run before the work yields to the event loop. Default 4 ms. */
  readonly sliceMs?: number;
  /** Stops the work at its next yield, with the signal's reason (a newer config superseded it). */
  readonly signal?: AbortSignal;
  /** The clock slices are measured with; `performance.now` unless a test gives another. */
  readonly now?: () => number;
}

/**
 * Lets a long config build share the event loop with requests: the work calls `due` at its
 * checkpoints and, once its slice has run for `sliceMs`, awaits `yield()`, which lets every
 * pending I/O callback (Checks, Reports) run before the next slice starts. This is scheduling,
 * not measurement: a slow machine yields more often, never answers differently.
 */
export class TimeSlicer {
  private readonly sliceMs: number;
  private readonly now: () => number;
  private sliceStarted: number;

  constructor(private readonly options: TimeSlicerOptions = {}) {
    this.sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    this.now = options.now ?? (() => performance.now());
    this.sliceStarted = this.now();
  }

  /** Whether the current slice has run its time. */
  get due(): boolean {
    return this.now() - this.sliceStarted >= this.sliceMs;
  }

  /** Throws the signal's reason when the work was called off. */
  throwIfAborted(): void {
    this.options.signal?.throwIfAborted();
  }

  /** Yields to the event loop, then starts a new slice. */
  async yield(): Promise<void> {
    await nextTurn();
    this.sliceStarted = this.now();
  }

  /** Yields when the slice is used up: `const pause = slicer.checkpoint(); if (pause) await pause;`. */
  checkpoint(): Promise<void> | undefined {
    return this.due ? this.yield() : undefined;
  }

  /** Runs `steps` in slices; throws the signal's reason at the first yield after the work was called off. */
  async run<T>(steps: Steps<T>): Promise<T> {
    try {
      this.throwIfAborted();
      for (;;) {
        const step = steps.next();
        if (step.done === true) return step.value;
        if (this.due) {
          await this.yield();
          this.throwIfAborted();
        }
      }
    } finally {
      steps.return(undefined as never);
    }
  }
}

/** Runs `steps` to completion without yielding (`mixer validate`, tests, small configs). */
export function runAtOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}
