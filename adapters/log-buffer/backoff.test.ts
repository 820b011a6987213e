import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExponentialBackoff } from './backoff.js';

describe('ExponentialBackoff', () => {
  it('doubles from the initial delay up to the maximum, and starts over after reset', () => {
    const backoff = new ExponentialBackoff({ initialMs: 100, maxMs: 1000 });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => backoff.nextDelayMs()), [100, 200, 400, 800, 1000, 1000]);
    assert.equal(backoff.consecutiveFailures, 6);
    backoff.reset();
    assert.equal(backoff.nextDelayMs(), 100);
  });

  it('refuses a policy with no positive initial delay or a maximum below it', () => {
    assert.throws(() => new ExponentialBackoff({ initialMs: 0, maxMs: 10 }), RangeError);
    assert.throws(() => new ExponentialBackoff({ initialMs: 10, maxMs: 5 }), RangeError);
  });
});
