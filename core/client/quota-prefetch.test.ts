import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_PREFETCH } from './client-options.js';
import { PrefetchMode, QuotaPrefetch, type PrefetchCall } from './quota-prefetch.js';
import { TimeBasedCounter } from './time-based-counter.js';

// The prefetch pool, driven with explicit times (§4.3 and istio/proxy quota_prefetch.cc).

const T0 = 10_000;

function pool(now = T0): QuotaPrefetch {
  return new QuotaPrefetch(DEFAULT_PREFETCH, now);
}

function expectPrefetch(call: PrefetchCall | undefined): PrefetchCall {
  assert.ok(call !== undefined, 'a prefetch was expected');
  return call;
}

describe('QuotaPrefetch', () => {
  test('an empty pool in OPEN mode grants optimistically and prefetches the minimum', () => {
    const quota = pool();
    const first = quota.check(1, T0);
    assert.equal(first.passed, true);
    assert.equal(expectPrefetch(first.prefetch).amount, 10);
    assert.equal(quota.available(T0), 9, 'the optimistic 10 minus the 1 taken');
    assert.equal(quota.prefetchesInFlight, 1);
  });

  test('a full grant keeps OPEN; the next prefetch goes out when fewer than desired/2 remain', () => {
    const quota = pool();
    const first = expectPrefetch(quota.check(1, T0).prefetch);
    first.complete({ grantedAmount: 10, validDurationMs: 5000 }, T0 + 1);
    assert.equal(quota.currentMode, PrefetchMode.OPEN);
    const prefetched: boolean[] = [];
    for (let index = 2; index <= 7; index++) prefetched.push(quota.check(1, T0 + index).prefetch !== undefined);
    // Requests 2..6 find 9..5 tokens (not < 5); request 7 finds 4 < 10/2.
    assert.deepEqual(prefetched, [false, false, false, false, false, true]);
    assert.equal(quota.available(T0 + 7), 3);
  });

  test('the prefetch amount follows demand over the predict window', () => {
    const quota = pool();
    const first = expectPrefetch(quota.check(1, T0).prefetch);
    first.complete({ grantedAmount: 10, validDurationMs: 60_000 }, T0);
    let last: PrefetchCall | undefined;
    for (let index = 1; index < 30; index++) {
      const decision = quota.check(1, T0 + index);
      if (decision.prefetch !== undefined) {
        decision.prefetch.complete({ grantedAmount: decision.prefetch.amount, validDurationMs: 60_000 }, T0 + index);
        last = decision.prefetch;
      }
    }
    assert.ok(last !== undefined && last.amount > 10, `the demand in the window (${last?.amount}) is prefetched, not the minimum`);
    // Long after, the demand is forgotten: the next prefetch is the minimum again.
    let later: PrefetchCall | undefined;
    for (let index = 0; later === undefined && index < 100; index++) later = quota.check(1, T0 + 120_000 + index).prefetch;
    assert.equal(expectPrefetch(later).amount, 10);
  });

  test('a shortfall is taken back from the optimistic slot and the mode becomes CLOSE', () => {
    const quota = pool();
    const call = expectPrefetch(quota.check(1, T0).prefetch);
    call.complete({ grantedAmount: 4, validDurationMs: 1000 }, T0 + 5);
    assert.equal(quota.currentMode, PrefetchMode.CLOSE);
    assert.equal(quota.available(T0 + 5), 3, '10 optimistic - 1 used - 6 not granted');
    assert.equal(quota.available(T0 + 5 + 1000), 0, 'the slot now expires valid_duration after the answer');
  });

  test('a shortfall larger than its slot is taken from the other slots, oldest first', () => {
    const quota = pool();
    const first = expectPrefetch(quota.check(1, T0).prefetch); // optimistic slot A (10), 9 left
    for (let index = 1; index <= 9; index++) assert.equal(quota.check(1, T0 + index).passed, true); // A spent
    const second = quota.check(1, T0 + 10); // pool empty, OPEN: optimistic slot B (10), 9 left
    assert.equal(second.passed, true);
    expectPrefetch(second.prefetch);
    first.complete({ grantedAmount: 2, validDurationMs: 1000 }, T0 + 11); // 8 short: A is gone, so B pays
    assert.equal(quota.available(T0 + 11), 1);
    assert.equal(quota.currentMode, PrefetchMode.CLOSE);
  });

  test('CLOSE mode: no prefetch while one is in flight or within close-wait of the last', () => {
    const quota = pool();
    expectPrefetch(quota.check(1, T0).prefetch).complete({ grantedAmount: 2, validDurationMs: 60_000 }, T0); // CLOSE, 1 left
    assert.equal(quota.check(1, T0 + 100).passed, true); // last token
    const dry = quota.check(1, T0 + 200);
    assert.equal(dry.passed, false, 'CLOSE mode adds nothing optimistically');
    assert.equal(dry.prefetch, undefined, 'within 500 ms of the last prefetch');
    const after = quota.check(1, T0 + 500);
    const call = expectPrefetch(after.prefetch);
    assert.equal(after.passed, false);
    assert.equal(quota.check(1, T0 + 1100).prefetch, undefined, 'one is in flight');
    call.complete({ grantedAmount: call.amount, validDurationMs: 60_000 }, T0 + 1200);
    assert.equal(quota.currentMode, PrefetchMode.OPEN);
    assert.equal(quota.check(1, T0 + 1201).passed, true);
  });

  test('an optimistic grant whose answer never comes expires after 60 s', () => {
    const quota = pool();
    quota.check(1, T0);
    assert.equal(quota.available(T0 + 59_999), 9);
    assert.equal(quota.available(T0 + 60_000), 0);
  });

  test('a network failure is a full grant for 60 s (fail open)', () => {
    const quota = pool();
    const call = expectPrefetch(quota.check(1, T0).prefetch);
    call.complete(undefined, T0 + 100);
    assert.equal(quota.currentMode, PrefetchMode.OPEN);
    assert.equal(quota.available(T0 + 100), 9);
    assert.equal(quota.available(T0 + 100 + 59_999), 9);
    assert.equal(quota.available(T0 + 100 + 60_000), 0);
  });

  test('a grant without valid_duration lives 60 s from its answer', () => {
    const quota = pool();
    expectPrefetch(quota.check(1, T0).prefetch).complete({ grantedAmount: 10, validDurationMs: undefined }, T0 + 1000);
    assert.equal(quota.available(T0 + 1000 + 59_999), 9);
    assert.equal(quota.available(T0 + 1000 + 60_000), 0);
  });

  test('a request for more than the pool holds fails and takes nothing (Istio TestNotEnoughAmount)', () => {
    const quota = pool();
    expectPrefetch(quota.check(1, T0).prefetch).complete({ grantedAmount: 5, validDurationMs: 1000 }, T0);
    assert.equal(quota.available(T0 + 1), 4);
    assert.equal(quota.check(5, T0 + 1).passed, false);
    assert.equal(quota.check(4, T0 + 2).passed, true);
  });

  test('a completion is applied once', () => {
    const quota = pool();
    const call = expectPrefetch(quota.check(1, T0).prefetch);
    call.complete({ grantedAmount: 4, validDurationMs: 1000 }, T0);
    call.complete({ grantedAmount: 0, validDurationMs: 1000 }, T0);
    assert.equal(quota.available(T0), 3);
    assert.equal(quota.prefetchesInFlight, 0);
  });
});

describe('TimeBasedCounter', () => {
  test('counts what was added over the last window, slot by slot', () => {
    const counter = new TimeBasedCounter(20, 1000, 0);
    counter.add(3, 0);
    counter.add(2, 500);
    assert.equal(counter.count(999), 5);
    assert.equal(counter.count(1000), 2, 'the first slot has rolled out');
    assert.equal(counter.count(1500), 0);
    counter.add(1, 1500);
    assert.equal(counter.count(9999), 0, 'a long gap clears everything');
  });
});
