import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Mixer's monotonic clock, in ms (never steps: the deadline arithmetic must not jump with NTP). */
export type MonotonicClock = () => number;

export const monotonicNow: MonotonicClock = () => performance.now();

/**
 * How fast the two clocks may drift apart, at most (1,000 ppm: twice the fastest rate at which
 * NTP slews a clock). A reading is trusted to this rate as it ages.
 */
export const MAX_DRIFT = 1e-3;

/** One reading of a node's clock: Redis's time minus Mixer's, at most this much (ms), read at `at`. */
export interface ClockSample {
  readonly offsetMs: number;
  readonly at: number;
}

/** Anything that answers Redis's TIME (a connection, or a Redis Cluster node). */
export interface TimeSource {
  time(): Promise<unknown>;
}

/**
 * What Redis's clock reads, seen from Mixer's monotonic clock, as a LOWER bound: an allocation's
 * deadline is written in Redis's clock (the script compares it with TIME), and a deadline
 * computed from a lower bound can only come early, never late, so a script Mixer has given up
 * on cannot pass its deadline check.
 *
 * A TIME sent at Mixer time `s` and answered at `r` was read by Redis at some moment between, so
 * at `r` Redis's clock read at least the answer: offset ≥ answer − r. With several nodes (Redis
 * Cluster) the smallest offset holds for all of them. A reading ages: the clocks may drift by
 * MAX_DRIFT per ms since it was taken, which is subtracted, until the next reading replaces it.
 */
export class RedisClock {
  private sample: ClockSample | undefined;

  constructor(readonly monotonic: MonotonicClock = monotonicNow) {}

  /** True once a reading has been taken (before that no deadline can be written). */
  get known(): boolean {
    return this.sample !== undefined;
  }

  /** Replaces the reading with a round of readings (one per node; the smallest offset wins); an empty round keeps the old one. */
  record(samples: readonly ClockSample[]): void {
    if (samples.length === 0) return;
    let offsetMs = Number.POSITIVE_INFINITY;
    let at = Number.POSITIVE_INFINITY;
    for (const sample of samples) {
      offsetMs = Math.min(offsetMs, sample.offsetMs);
      at = Math.min(at, sample.at);
    }
    this.sample = { offsetMs, at };
  }

  /**
   * A Redis time (whole ms since the epoch) that Redis's clock has certainly not passed before
   * Mixer's monotonic clock reads `at`; undefined until the clock has been read.
   */
  redisTimeAt(at: number): number | undefined {
    const sample = this.sample;
    if (sample === undefined) return undefined;
    const aged = Math.max(0, at - sample.at) * MAX_DRIFT;
    return Math.floor(at + sample.offsetMs - aged);
  }
}

/** TIMEs sent to one node in one reading, at most (see readClock). */
export const CLOCK_TRIES = 3;

/**
 * Reads `source`'s clock: undefined when it does not answer TIME within `timeoutMs` or answers
 * something else; rejects when TIME fails (e.g. an ACL that does not allow it). A reading is only
 * as good as its round trip (it may be early by that much), and the first TIME on a fresh
 * connection, or on a busy machine, can take long: while a round trip exceeds `preciseMs`, TIME
 * is asked again, up to CLOCK_TRIES times, and the best reading (the highest lower bound, all
 * taken within moments of each other) is kept.
 */
export async function readClock(source: TimeSource, monotonic: MonotonicClock, timeoutMs: number, preciseMs: number): Promise<ClockSample | undefined> {
  let best: ClockSample | undefined;
  for (let attempt = 0; attempt < CLOCK_TRIES; attempt++) {
    const sentAt = monotonic();
    let reply: unknown;
    try {
      reply = await askTime(source, timeoutMs);
    } catch (error) {
      if (best === undefined) throw error;
      return best;
    }
    const receivedAt = monotonic();
    const redisMs = readTimeReply(reply);
    if (redisMs === undefined) return best;
    if (best === undefined || redisMs - receivedAt > best.offsetMs) best = { offsetMs: redisMs - receivedAt, at: receivedAt };
    if (receivedAt - sentAt <= preciseMs) return best;
  }
  return best;
}

/** TIME's answer, or undefined after `timeoutMs` (a timer that does not hold the process open). */
async function askTime(source: TimeSource, timeoutMs: number): Promise<unknown> {
  const controller = new AbortController();
  const asked = source.time();
  asked.catch(() => undefined); // a failure after the timeout has nobody left to tell
  try {
    return await Promise.race([asked, sleep(timeoutMs, undefined, { signal: controller.signal, ref: false })]);
  } finally {
    controller.abort();
  }
}

/** TIME's answer ([seconds, microseconds], as strings or numbers) in ms; undefined for anything else. */
export function readTimeReply(reply: unknown): number | undefined {
  if (!Array.isArray(reply) || reply.length !== 2) return undefined;
  const [seconds, micros] = [Number(reply[0]), Number(reply[1])];
  if (!Number.isSafeInteger(seconds) || !Number.isSafeInteger(micros) || seconds < 0 || micros < 0 || micros >= 1e6) return undefined;
  return seconds * 1000 + micros / 1000;
}
