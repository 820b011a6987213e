import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeaderOperationKind } from '../config/snapshot.js';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS, rpcStatus } from '../status/rpc-status.js';
import { retryDelayMs } from './call-policy.js';
import { decisionHttpStatus, decisionReportAttributes, type CheckDecision } from './check-decision.js';
import { ClientOptionsError, InvalidClientOptionsError, resolveClientOptions } from './client-options.js';
import { bag, scriptedClient } from './testing/client-fixture.js';
import { precondition, unavailable } from './testing/scripted-transport.js';
import { TransportError } from './transport.js';

// The network fail policy, retries and timeouts (§4.5), against a scripted transport standing
// in for Mixer that fails when told to.

const ok = () => ({ precondition: precondition(), quotas: new Map() });

describe('network fail policy', () => {
  test('fail-open: a transport failure allows, and says why', async () => {
    const { client } = scriptedClient(() => unavailable('connect ECONNREFUSED'));
    const decision = await client.check(bag({ a: '1' }));
    assert.deepEqual(decision.status, OK_STATUS);
    assert.equal(decision.transportError?.rpcCode, RpcCode.UNAVAILABLE);
    assert.equal(decision.remoteCall, true);
    assert.equal(decision.policyStatus, undefined);
  });

  test('fail-close: a transport failure denies with the transport status', async () => {
    const { client } = scriptedClient(() => unavailable('connect ECONNREFUSED'), { failPolicy: { failOpen: false } });
    const decision = await client.check(bag({ a: '1' }), { q: 1 });
    assert.deepEqual(decision.status, rpcStatus(RpcCode.UNAVAILABLE, 'connect ECONNREFUSED'));
  });

  test('a failed call caches nothing', async () => {
    let calls = 0;
    const { client } = scriptedClient(() => (calls++ === 0 ? unavailable() : ok()));
    await client.check(bag({}));
    assert.equal((await client.check(bag({}))).checkCacheHit, false);
    assert.equal((await client.check(bag({}))).checkCacheHit, true);
  });

  test('a transport that throws anything still yields a decision (INTERNAL under fail-close)', async () => {
    const { client } = scriptedClient(
      () => {
        throw new RangeError('bug');
      },
      { failPolicy: { failOpen: false } },
    );
    const decision = await client.check(bag({}));
    assert.equal(decision.status.code, RpcCode.INTERNAL);
    assert.match(decision.status.message, /bug/);
  });

  test('a closed client answers through the fail policy without calling Mixer', async () => {
    const { client, transport } = scriptedClient(ok, { failPolicy: { failOpen: false } });
    await client.close();
    const decision = await client.check(bag({}));
    assert.equal(decision.status.code, RpcCode.CANCELLED);
    assert.equal(transport.checks.length, 0);
    assert.equal(transport.closed, true);
  });
});

describe('retries', () => {
  test('transport errors are retried up to maxRetries, with one deduplication id', async () => {
    const { client, transport, clock } = scriptedClient((_request, call) => (call < 2 ? unavailable() : ok()), {
      failPolicy: { maxRetries: 2, failOpen: false },
      checkCache: { maxEntries: 0 },
    });
    const pending = client.check(bag({}));
    await clock.advance(10_000);
    const decision = await pending;
    assert.deepEqual(decision.status, OK_STATUS);
    assert.equal(transport.checks.length, 3);
    assert.deepEqual(
      transport.checks.map((check) => check.request.deduplicationId),
      ['base-0', 'base-0', 'base-0'],
    );
    await client.check(bag({ other: '1' }));
    assert.equal(transport.checks[3]!.request.deduplicationId, 'base-1');
  });

  test('after the last retry the fail policy decides', async () => {
    const { client, transport, clock } = scriptedClient(() => unavailable(), { failPolicy: { maxRetries: 1, failOpen: false } });
    const pending = client.check(bag({}));
    await clock.advance(10_000);
    assert.equal((await pending).status.code, RpcCode.UNAVAILABLE);
    assert.equal(transport.checks.length, 2);
    assert.equal(client.statistics().checkRetries, 1);
  });

  test('retry delays are drawn in [base, min(max, base·2^retry)]', async () => {
    for (const [random, expected] of [
      [0, [80, 80, 80]],
      [0.9999, [80, 160, 320]],
    ] as const) {
      const { client, transport, clock } = scriptedClient(() => unavailable(), { failPolicy: { maxRetries: 3 }, random: () => random });
      const pending = client.check(bag({}));
      await clock.advance(0);
      for (const [retry, delay] of expected.entries()) {
        assert.equal(transport.checks.length, retry + 1);
        await clock.advance(delay - 1);
        assert.equal(transport.checks.length, retry + 1, `retry ${retry} not before ${delay} ms`);
        await clock.advance(1);
      }
      assert.equal(transport.checks.length, 4);
      await pending;
    }
  });

  test('retryDelayMs stays within its bounds and under max', () => {
    for (let retry = 0; retry < 12; retry++) {
      for (const random of [0, 0.25, 0.5, 0.999999]) {
        const delay = retryDelayMs(retry, 80, 1000, () => random);
        assert.ok(delay >= 80 && delay <= Math.min(1000, 80 * 2 ** retry), `retry ${retry}: ${delay}`);
        assert.ok(Number.isInteger(delay));
      }
    }
    assert.equal(retryDelayMs(5, 80, 50, () => 0.5), 80, 'a max under base means base');
  });

  test('answers are not retried, denials included', async () => {
    const { client, transport } = scriptedClient(() => ({ precondition: precondition({ status: rpcStatus(RpcCode.UNAVAILABLE, 'adapter down') }), quotas: new Map() }), {
      failPolicy: { maxRetries: 3 },
    });
    const decision = await client.check(bag({}));
    assert.equal(decision.status.code, RpcCode.UNAVAILABLE, 'a status inside a response is a denial, not a transport failure');
    assert.equal(transport.checks.length, 1);
  });
});

describe('timeouts and cancellation', () => {
  test('each attempt times out after timeoutMs with DEADLINE_EXCEEDED, aborting the transport call', async () => {
    const { client, transport, clock } = scriptedClient(ok, { failPolicy: { failOpen: false, timeoutMs: 300 } });
    transport.hold = true;
    const pending = client.check(bag({}));
    await clock.advance(299);
    assert.equal(transport.checks[0]!.signal?.aborted, false);
    await clock.advance(1);
    const decision = await pending;
    assert.equal(decision.status.code, RpcCode.DEADLINE_EXCEEDED);
    assert.equal(transport.checks[0]!.signal?.aborted, true);
  });

  test('the per-call timeout overrides the policy', async () => {
    const { client, transport, clock } = scriptedClient(ok, { failPolicy: { failOpen: false } });
    transport.hold = true;
    const pending = client.check(bag({}), undefined, { timeoutMs: 50 });
    await clock.advance(50);
    assert.equal((await pending).status.code, RpcCode.DEADLINE_EXCEEDED);
  });

  test('a caller abort ends the wait with CANCELLED and no retry', async () => {
    const { client, transport } = scriptedClient(ok, { failPolicy: { failOpen: false, maxRetries: 3 } });
    transport.hold = true;
    const controller = new AbortController();
    const pending = client.check(bag({}), undefined, { signal: controller.signal });
    controller.abort();
    const decision = await pending;
    assert.equal(decision.status.code, RpcCode.CANCELLED);
    assert.equal(transport.checks.length, 1);
  });
});

describe('decisions', () => {
  const decision = (status = OK_STATUS, directResponseCode = 0): CheckDecision => ({
    status,
    routeDirective: { requestHeaderOperations: [], responseHeaderOperations: [{ name: 'x', value: 'y', operation: HeaderOperationKind.APPEND }], directResponseCode, directResponseBody: '' },
    checkCacheHit: true,
    quotaCacheHit: false,
    remoteCall: false,
    transportError: undefined,
    policyStatus: status,
    quotaStatus: undefined,
  });

  test('report attributes carry the cache hits, and the error when denied', () => {
    assert.deepEqual(decisionReportAttributes(decision()), [
      ['check.cache_hit', true],
      ['quota.cache_hit', false],
    ]);
    assert.deepEqual(decisionReportAttributes(decision(rpcStatus(RpcCode.PERMISSION_DENIED, 'no'))).slice(2), [
      ['check.error_code', 7],
      ['check.error_message', 'no'],
    ]);
  });

  test('the HTTP status: a direct response code first, else Envoy’s mapping', () => {
    assert.equal(decisionHttpStatus(decision(rpcStatus(RpcCode.RESOURCE_EXHAUSTED, 'q'))), 429);
    assert.equal(decisionHttpStatus(decision(rpcStatus(RpcCode.PERMISSION_DENIED, 'no'), 302)), 302);
    assert.equal(decisionHttpStatus(decision()), 200);
  });
});

describe('options', () => {
  test('defaults are Istio’s', () => {
    const options = resolveClientOptions();
    assert.deepEqual(options.failPolicy, { failOpen: true, maxRetries: 0, baseRetryMs: 80, maxRetryMs: 1000, timeoutMs: 5000 });
    assert.equal(options.checkCache.maxEntries, 10_000);
    assert.equal(options.quotaCache.idleMs, 600_000);
    assert.deepEqual(options.quotaCache.prefetch, { predictWindowMs: 1000, windowSlots: 20, minPrefetch: 10, closeWaitMs: 500, maxExpirationMs: 60_000 });
    assert.equal(options.report.maxBatchEntries, 100);
    assert.equal(options.report.maxBatchTimeMs, 1000);
    assert.ok(Object.isFrozen(options.failPolicy));
  });

  test('out-of-range values are rejected with their field paths, all at once', () => {
    assert.throws(() => resolveClientOptions({ checkCache: { maxEntries: -1 } }), (error: unknown) => error instanceof ClientOptionsError && error.field === 'checkCache.maxEntries');
    assert.throws(
      () => resolveClientOptions({ failPolicy: { maxRetries: 1.5 }, quotaCache: { prefetch: { windowSlots: 0 } } }),
      (error: unknown) =>
        error instanceof InvalidClientOptionsError &&
        error.problems.map((problem) => problem.field).join() === 'failPolicy.maxRetries,quotaCache.prefetch.windowSlots',
    );
  });

  test('TransportError carries its gRPC code', () => {
    const error = new TransportError(RpcCode.UNAVAILABLE, 'down');
    assert.equal(error.code, 'MIXER_ERR_TRANSPORT');
    assert.equal(error.rpcCode, RpcCode.UNAVAILABLE);
  });
});

describe('checkCached (the synchronous warm path)', () => {
  test('undefined until Mixer has answered, then the cached decision without a call', async () => {
    const { client, transport } = scriptedClient(ok);
    assert.equal(client.checkCached(bag({ a: '1' })), undefined);
    await client.check(bag({ a: '1' }));
    const cached = client.checkCached(bag({ a: '1' }));
    assert.equal(cached?.checkCacheHit, true);
    assert.deepEqual(cached?.status, OK_STATUS);
    assert.equal(transport.checks.length, 1);
    const statistics = client.statistics();
    assert.equal(statistics.checkCacheHits, 1);
    assert.equal(statistics.checkCalls, 2);
  });

  test('a cached denial is answered as a denial', async () => {
    const denied = rpcStatus(RpcCode.PERMISSION_DENIED, 'no');
    const { client } = scriptedClient(() => ({ precondition: precondition({ status: denied }), quotas: new Map() }));
    await client.check(bag({ a: '1' }));
    assert.deepEqual(client.checkCached(bag({ a: '1' }))?.status, denied);
  });

  test('a closed client never answers from the cache', async () => {
    const { client } = scriptedClient(ok);
    await client.check(bag({}));
    assert.notEqual(client.checkCached(bag({})), undefined);
    await client.close();
    assert.equal(client.checkCached(bag({})), undefined);
  });
});
