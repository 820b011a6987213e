import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';
import { CLOCK_TRIES, MAX_DRIFT, readClock, readTimeReply, RedisClock, type TimeSource } from './redis-clock.js';

// The clock arithmetic, with TIME answers and Mixer's clock given by the test; the pool reads a
// real Redis's clock in redisquota.int.test.ts and the robustness tests.

/** A TIME answer for a Redis time in ms (microseconds truncated, as Redis reports them). */
function timeReply(redisMs: number): [string, string] {
  const seconds = Math.floor(redisMs / 1000);
  return [String(seconds), String(Math.floor((redisMs - seconds * 1000) * 1000))];
}

function source(reply: unknown): TimeSource {
  return { time: () => Promise.resolve(reply) };
}

describe('RedisClock', () => {
  it('knows nothing until read, then maps Mixer time to Redis time, the smallest offset of a round winning', () => {
    const clock = new RedisClock(() => 0);
    assert.equal(clock.known, false);
    assert.equal(clock.redisTimeAt(100), undefined);
    clock.record([]);
    assert.equal(clock.known, false, 'an empty round teaches nothing');
    clock.record([
      { offsetMs: 1000.5, at: 10 },
      { offsetMs: 900.5, at: 12 },
    ]);
    assert.equal(clock.known, true);
    assert.equal(clock.redisTimeAt(10), 910, 'the smaller offset, in whole ms rounded down');
    assert.equal(clock.redisTimeAt(60_010), 60_010 + 900 - 60, 'a reading 60 s old is trusted 60 ms less (MAX_DRIFT)');
    clock.record([]);
    assert.equal(clock.redisTimeAt(10), 910, 'an empty round keeps the last reading');
  });

  it('reads TIME answers and refuses anything else', () => {
    assert.equal(readTimeReply(['1796685207', '748482']), 1_796_685_207_748.482);
    assert.equal(readTimeReply([1, 0]), 1000);
    for (const bad of [undefined, 'OK', ['1'], ['1', '2', '3'], ['x', '0'], ['1', '1000000'], ['-1', '0'], ['1.5', '0']]) assert.equal(readTimeReply(bad), undefined, JSON.stringify(bad));
  });

  it('times out a node that does not answer, and passes on a node that refuses TIME', async () => {
    // readClock's timer does not keep a process alive (a clock reading must not delay Mixer's exit); this one does, for the test.
    const alive = setTimeout(() => undefined, 60_000);
    try {
      assert.equal(await readClock({ time: () => new Promise(() => undefined) }, () => 0, 5, 1), undefined);
    } finally {
      clearTimeout(alive);
    }
    await assert.rejects(readClock({ time: () => Promise.reject(new Error("NOPERM this user has no permissions to run the 'time' command")) }, () => 0, 1000, 1), /NOPERM/);
    assert.equal(await readClock(source('OK'), () => 0, 1000, 1), undefined);
  });

  it('asks again while the round trip is longer than wanted, and keeps the best reading', async () => {
    // Mixer's clock at each call: sent, received, sent, received…; Redis answers 1,000 ms ahead at the moment it reads.
    const script = (moments: number[]) => {
      let call = 0;
      return () => moments[Math.min(call++, moments.length - 1)]!;
    };
    const answers = (readAt: number[]) => {
      let call = 0;
      return { time: () => Promise.resolve(timeReply(1000 + readAt[call++]!)) };
    };
    // 200 ms round trip (a fresh connection), then 1 ms: the second reading is 199 ms better.
    assert.deepEqual(await readClock(answers([0, 200]), script([0, 200, 200, 201]), 1000, 5), { offsetMs: 999, at: 201 });
    // Always slow: three tries, the best one kept.
    assert.deepEqual(await readClock(answers([0, 150, 300]), script([0, 100, 100, 200, 200, 400]), 1000, 5), { offsetMs: 950, at: 200 });
    // Fast at once: one try.
    const once = answers([10]);
    assert.deepEqual(await readClock(once, script([10, 11]), 1000, 5), { offsetMs: 999, at: 11 });
  });

  it('never puts a deadline after the moment Redis reaches it (property: any offset, delays and drift up to MAX_DRIFT)', async () => {
    const trip = fc.record({ wait: fc.double({ min: 0, max: 100, noNaN: true }), roundTrip: fc.double({ min: 0, max: 5000, noNaN: true }), readAt: fc.double({ min: 0, max: 1, noNaN: true }) });
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }), // Redis's clock minus Mixer's, at Mixer time 0
        fc.double({ min: -MAX_DRIFT, max: MAX_DRIFT, noNaN: true }), // how fast Redis's clock runs against Mixer's, minus 1
        fc.array(trip, { minLength: CLOCK_TRIES, maxLength: CLOCK_TRIES }), // each TIME: sent after `wait`, answered `roundTrip` later, read `readAt` of the way
        fc.double({ min: 0, max: 1000, noNaN: true }), // the round trip readClock is content with
        fc.double({ min: 0, max: 1e7, noNaN: true }), // how long after the reading the deadline is asked for
        async (offset, drift, trips, preciseMs, later) => {
          const redisAt = (moment: number): number => 1.7e12 + moment + offset + moment * drift;
          const moments: number[] = [];
          const readings: number[] = [];
          let now = 0;
          for (const { wait, roundTrip, readAt } of trips) {
            moments.push(now + wait, now + wait + roundTrip);
            readings.push(redisAt(now + wait + readAt * roundTrip));
            now += wait + roundTrip;
          }
          let call = 0;
          let asked = 0;
          const clock = new RedisClock(() => moments[call++]!);
          const sample = await readClock({ time: () => Promise.resolve(timeReply(readings[asked++]!)) }, clock.monotonic, 10_000, preciseMs);
          clock.record([sample!]);
          const moment = moments[call - 1]! + later;
          assert.ok(clock.redisTimeAt(moment)! <= redisAt(moment), `deadline ${clock.redisTimeAt(moment)} after Redis's ${redisAt(moment)}`);
        },
      ),
      { seed: 13, numRuns: 2000 },
    );
  });
});
