/** A pending one-shot timer; `cancel` is idempotent. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time as the Mixer client sees it: a monotonic millisecond reading and one-shot timers. Every
 * time-dependent part of the client (cache expiry, quota prefetch windows, report batching,
 * retry backoff, call timeouts) goes through one injected clock, so tests drive time by hand
 * (see `testing/manual-clock.ts`).
 */
export interface ClientClock {
  /** Milliseconds on a monotonic scale (only differences are meaningful). */
  now(): number;
  /** Runs `callback` once after `delayMs`. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
}

/**
 * The real clock: `performance.now()` and Node timers. Timers are unref'd: a pending report
 * batch or retry never keeps a process alive on its own (close the client to flush).
 */
export const systemClock: ClientClock = Object.freeze({
  now: () => performance.now(),
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
});

/** Resolves after `delayMs` on `clock`; rejects with the signal's reason if it aborts first. */
export function sleep(clock: ClientClock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(signal!.reason as Error);
    };
    const timer = clock.setTimer(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
