import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS, rpcStatus } from '../status/rpc-status.js';
import { bag, scriptedClient } from './testing/client-fixture.js';
import { precondition, quotaResult, refs, unavailable, type Answer } from './testing/scripted-transport.js';
import type { TransportCheckRequest, TransportQuotaResult } from './transport.js';

// The quota cache and prefetch as the client runs them (§4.3), against a scripted transport
// standing in for Mixer: a token bucket of `limit` tokens answering exact and best-effort
// requests the way memquota does, with the referenced attributes the test picks.

function rateLimited(limit: number, options: { quotaRefs?: string[]; validDurationMs?: number; checkValidMs?: number } = {}) {
  let left = limit;
  const script = (request: TransportCheckRequest): Answer => {
    const quotas = new Map<string, TransportQuotaResult>();
    for (const [name, asked] of request.quotas) {
      const granted = asked.bestEffort ? Math.min(asked.amount, left) : asked.amount <= left ? asked.amount : 0;
      left -= granted;
      quotas.set(name, quotaResult(granted, { validDurationMs: options.validDurationMs ?? 60_000, referenced: refs(...(options.quotaRefs ?? ['destination'])) }));
    }
    return { precondition: precondition({ referenced: refs('destination'), validDurationMs: options.checkValidMs ?? 60_000 }), quotas };
  };
  return { script, left: () => left };
}

const reviews = bag({ destination: 'reviews', path: '/1' });

describe('quota: uncached path (check cache missed)', () => {
  test('sends the exact amount, not best effort, and passes when granted', async () => {
    const { script } = rateLimited(1);
    const { client, transport } = scriptedClient(script);
    const decision = await client.check(reviews, { requestcount: 1 });
    assert.deepEqual(transport.checks[0]!.request.quotas.get('requestcount'), { amount: 1, bestEffort: false });
    assert.deepEqual(decision.status, OK_STATUS);
    assert.equal(decision.quotaCacheHit, false);
  });

  test('granted 0 is RESOURCE_EXHAUSTED naming the quotas', async () => {
    const { client } = scriptedClient(() => ({
      precondition: precondition(),
      quotas: new Map([
        ['a', quotaResult(0)],
        ['b', quotaResult(1)],
        ['c', quotaResult(0)],
      ]),
    }));
    const decision = await client.check(reviews, { a: 1, b: 1, c: 1 });
    assert.deepEqual(decision.status, rpcStatus(RpcCode.RESOURCE_EXHAUSTED, 'Quota is exhausted for: a,c'));
  });

  test('no result, or a result with status UNAVAILABLE, passes', async () => {
    const { client } = scriptedClient(() => ({
      precondition: precondition(),
      quotas: new Map([['b', quotaResult(0, { status: rpcStatus(RpcCode.UNAVAILABLE, 'redis down') })]]),
    }));
    assert.deepEqual((await client.check(reviews, { a: 1, b: 1 })).status, OK_STATUS);
  });

  test('a denied precondition wins over the quota', async () => {
    const { client } = scriptedClient(() => ({ precondition: precondition({ status: rpcStatus(RpcCode.PERMISSION_DENIED, 'no') }), quotas: new Map() }));
    assert.equal((await client.check(reviews, { a: 1 })).status.code, RpcCode.PERMISSION_DENIED);
  });

  test('with the quota cache disabled a check cache hit still asks Mixer for the exact amount', async () => {
    const { script } = rateLimited(5);
    const { client, transport } = scriptedClient(script, { quotaCache: { maxEntries: 0 } });
    await client.check(reviews, { q: 1 });
    const second = await client.check(reviews, { q: 1 });
    assert.equal(second.checkCacheHit, true);
    assert.equal(second.quotaCacheHit, false);
    assert.equal(second.remoteCall, true);
    assert.deepEqual(transport.checks[1]!.request.quotas.get('q'), { amount: 1, bestEffort: false });
  });
});

describe('quota: cached path with prefetch (check cache hit)', () => {
  test('the first cached request passes optimistically without waiting for its best-effort prefetch', async () => {
    const { script } = rateLimited(100);
    const { client, transport } = scriptedClient(script);
    await client.check(reviews, { q: 1 }); // check cache miss: exact remote quota
    transport.hold = true;
    const decision = await client.check(reviews, { q: 1 });
    assert.equal(decision.checkCacheHit, true);
    assert.equal(decision.quotaCacheHit, true);
    assert.equal(decision.remoteCall, false);
    assert.deepEqual(decision.status, OK_STATUS);
    assert.equal(transport.held.length, 1, 'the prefetch is in flight, not awaited');
    assert.deepEqual(transport.held[0]!.request.quotas.get('q'), { amount: 10, bestEffort: true });
    assert.equal(client.statistics().prefetchesInFlight, 1);
    transport.held[0]!.release();
    await client.whenIdle();
    assert.equal(client.statistics().quotaCacheEntries, 1);
  });

  test('a rate limit is enforced from the pool once the prefetch comes back short (CLOSE)', async () => {
    const limiter = rateLimited(5, { validDurationMs: 60_000 });
    const { client, transport, clock } = scriptedClient(limiter.script);
    const results: boolean[] = [];
    for (let index = 0; index < 8; index++) {
      const decision = await client.check(reviews, { q: 1 });
      results.push(decision.status.code === RpcCode.OK);
      await client.whenIdle();
      await clock.advance(10);
    }
    // 1 exact + 4 from the best-effort prefetch (asked 10, granted 4, 6 taken back).
    assert.deepEqual(results, [true, true, true, true, true, false, false, false]);
    assert.equal(limiter.left(), 0);
    const last = await client.check(reviews, { q: 1 });
    assert.deepEqual(last.status, rpcStatus(RpcCode.RESOURCE_EXHAUSTED, 'Quota is exhausted for: q'));
    assert.equal(last.remoteCall, false);
    assert.ok(transport.checks.length <= 4, `few remote calls (${transport.checks.length})`);
  });

  test('the pool is cached per quota name and referenced attributes of the quota result', async () => {
    const limiter = rateLimited(1000, { quotaRefs: ['destination'] });
    const { client, transport } = scriptedClient(limiter.script);
    await client.check(reviews, { q: 1 }); // check miss
    await client.check(reviews, { q: 1 }); // pending pool, prefetch: cached under destination=reviews
    await client.whenIdle();
    const prefetches = transport.checks.filter((check) => check.request.quotas.get('q')?.bestEffort === true).length;
    await client.check(bag({ destination: 'reviews', path: '/2' }), { q: 1 });
    await client.whenIdle();
    assert.equal(transport.checks.filter((check) => check.request.quotas.get('q')?.bestEffort === true).length, prefetches, 'same pool: no new prefetch');
    const ratings = bag({ destination: 'ratings' });
    await client.check(ratings, { q: 1 }); // check miss (new destination)
    await client.check(ratings, { q: 1 }); // check hit; the ratings pool is new
    await client.whenIdle();
    assert.equal(client.statistics().quotaCacheEntries, 2);
  });

  test('a prefetch that fails on the network is a full grant (quota fails open)', async () => {
    let calls = 0;
    const { client, transport } = scriptedClient(() => {
      calls++;
      if (calls === 1) return { precondition: precondition(), quotas: new Map([['q', quotaResult(1)]]) };
      return unavailable();
    });
    await client.check(reviews, { q: 1 });
    for (let index = 0; index < 10; index++) {
      assert.deepEqual((await client.check(reviews, { q: 1 })).status, OK_STATUS, `request ${index}`);
      await client.whenIdle();
    }
    assert.ok(transport.checks.length >= 2);
  });

  test('quota pools idle for 10 minutes are removed', async () => {
    const limiter = rateLimited(1000, { checkValidMs: 3_600_000 });
    const { client, clock, transport } = scriptedClient(limiter.script);
    await client.check(reviews, { q: 1 });
    await client.check(reviews, { q: 1 });
    await client.whenIdle();
    assert.equal(client.statistics().quotaCacheEntries, 1);
    await clock.advance(600_000);
    transport.hold = true;
    const decision = await client.check(reviews, { q: 1 });
    assert.equal(decision.checkCacheHit, true);
    assert.equal(client.statistics().quotaCacheEntries, 0, 'the idle pool is gone; a new one waits for its first answer');
    assert.equal(transport.held.length, 1);
    transport.held[0]!.release();
    await client.whenIdle();
    assert.equal(client.statistics().quotaCacheEntries, 1);
  });

  test('a cached denial skips the quota entirely', async () => {
    const { client, transport } = scriptedClient(() => ({ precondition: precondition({ status: rpcStatus(RpcCode.PERMISSION_DENIED, 'no') }), quotas: new Map() }));
    await client.check(reviews, { q: 1 });
    const cached = await client.check(reviews, { q: 1 });
    assert.equal(cached.checkCacheHit, true);
    assert.equal(cached.quotaCacheHit, false);
    assert.equal(cached.status.code, RpcCode.PERMISSION_DENIED);
    assert.equal(transport.checks.length, 1);
  });
});
