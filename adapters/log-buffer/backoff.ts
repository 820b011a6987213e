/** How long to wait between delivery attempts after failures. */
export interface BackoffPolicy {
  /** The delay after the first failure. */
  readonly initialMs: number;
  /** The delay never grows beyond this. */
  readonly maxMs: number;
}

/**
 * Exponential backoff without jitter: initialMs, 2×, 4×, … capped at maxMs, back to initialMs
 * after a success. Deterministic, so tests can step a manual clock to each retry.
 */
export class ExponentialBackoff {
  private failures = 0;

  constructor(private readonly policy: BackoffPolicy) {
    if (!(policy.initialMs > 0) || !(policy.maxMs >= policy.initialMs)) {
      throw new RangeError(`backoff needs 0 < initial (${policy.initialMs}ms) <= max (${policy.maxMs}ms)`);
    }
  }

  /** Consecutive failures since the last success. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Records a failure and returns the delay before the next attempt. */
  nextDelayMs(): number {
    const delay = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}
