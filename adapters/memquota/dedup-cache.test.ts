import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DedupCache } from './dedup-cache.js';

describe('DedupCache', () => {
  it('remembers an id for at least one and at most two windows', () => {
    const cache = new DedupCache(1000, 0);
    cache.set('a', { grantedAmount: 1, expiresAtMs: undefined }, 999);
    assert.deepEqual(cache.get('a', 999), { grantedAmount: 1, expiresAtMs: undefined });
    assert.equal(cache.get('a', 1000)?.grantedAmount, 1, 'rotated into the old generation');
    assert.equal(cache.get('a', 1999)?.grantedAmount, 1);
    assert.equal(cache.get('a', 2000), undefined, 'dropped with the old generation');
    assert.equal(cache.size, 0);
  });

  it('drops both generations after two idle windows', () => {
    const cache = new DedupCache(1000, 0);
    cache.set('a', { grantedAmount: 1, expiresAtMs: undefined }, 10);
    cache.set('b', { grantedAmount: 2, expiresAtMs: undefined }, 10);
    assert.equal(cache.size, 2);
    cache.reap(2500);
    assert.equal(cache.size, 0);
  });
});
