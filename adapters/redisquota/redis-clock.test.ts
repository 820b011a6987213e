import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';
import { MAX_DRIFT, readClock, readTimeReply, RedisClock, type TimeSource } from './redis-clock.js';

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
    assert.equal(await readClock({ time: () => new Promise(() => undefined) }, () => 0, 5), undefined);
    await assert.rejects(readClock({ time: () => Promise.reject(new Error("NOPERM this user has no permissions to run the 'time' command")) }, () => 0, 1000), /NOPERM/);
    assert.equal(await readClock(source('OK'), () => 0, 1000), undefined);
  });

  it('never puts a deadline after the moment Redis reaches it (property: any offset, delay and drift up to MAX_DRIFT)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }), // Redis's clock minus Mixer's, when the TIME is read
        fc.double({ min: 0, max: 1e6, noNaN: true }), // Mixer's clock when TIME is sent
        fc.double({ min: 0, max: 1, noNaN: true }), // where between sending and answering Redis reads its clock
        fc.double({ min: 0, max: 5000, noNaN: true }), // the round trip
        fc.double({ min: -MAX_DRIFT, max: MAX_DRIFT, noNaN: true }), // how fast Redis's clock runs against Mixer's, minus 1
        fc.double({ min: 0, max: 1e7, noNaN: true }), // how long after the answer the deadline is asked for
        async (offset, sentAt, readAt, roundTrip, drift, later) => {
          const readMoment = sentAt + readAt * roundTrip;
          const answeredAt = sentAt + roundTrip;
          const redisAt = (moment: number): number => 1.7e12 + moment + offset + (moment - readMoment) * drift;
          const clock = new RedisClock(() => answeredAt);
          const sample = await readClock(source(timeReply(redisAt(readMoment))), clock.monotonic, 1000);
          clock.record([sample!]);
          const moment = answeredAt + later;
          assert.ok(clock.redisTimeAt(moment)! <= redisAt(moment), `deadline ${clock.redisTimeAt(moment)} after Redis's ${redisAt(moment)}`);
        },
      ),
      { seed: 13, numRuns: 2000 },
    );
  });
});
