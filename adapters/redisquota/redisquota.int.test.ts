import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { RpcCode } from '../../core/status/rpc-code.js';
import { RedisServer, redisCliBinary, redisSuiteOptions } from '../../test/support/redis-server.js';
import type { QuotaResult } from '../../templates/handler-contract.js';
import type { InstanceValue } from '../../templates/template.js';
import type { AdapterEnvironment } from '../sdk/environment.js';
import { buildForTest, instanceConfig, ManualEnvironment } from '../sdk/testing/index.js';
import type { RedisQuotaHandler } from './handler.js';
import { redisquota } from './index.js';
import { DEDUP_MIN_TTL_MS } from './allocation-batcher.js';
import { bucketKeys, bucketTag, dedupKey, KEY_PREFIX } from './keys.js';
import { EXPIRED, FIXED_WINDOW_LUA, ROLLING_WINDOW_LUA } from './scripts.js';

// The handler against a real redis-server (started on a free loopback port). Time is the
// ManualEnvironment's clock, which the scripts receive as an argument: window edges are exact.

const QUOTA = 'requestcount.instance.istio-system';
const OK = { code: RpcCode.OK, message: '' };
const EXHAUSTED = { code: RpcCode.RESOURCE_EXHAUSTED, message: 'redisquota: Resource exhausted' };
const UNAVAILABLE = { code: RpcCode.UNAVAILABLE, message: 'redisquota: Service Unavailable' };

interface Ask {
  readonly amount?: number;
  readonly bestEffort?: boolean;
  readonly dedup?: string;
  readonly dimensions?: Record<string, InstanceValue>;
}

let redis: RedisServer | undefined;
let admin: Redis | undefined;
/** Dedup ids unique across every handler of the file (handlers share the Redis). */
let counter = 0;
const open: Array<{ handler: RedisQuotaHandler; env: ManualEnvironment }> = [];

/** Builds a handler; handlers built with the same `env` share its clock (each gets its own metrics, as in Mixer). */
async function build(quota: Record<string, unknown>, extra: Record<string, unknown> = {}, env = new ManualEnvironment()) {
  const params = { redisServerUrl: redis!.address, connectionPoolSize: 2, quotas: [{ name: QUOTA, ...quota }], ...extra };
  const ownMetrics: AdapterEnvironment = Object.assign(Object.create(env) as AdapterEnvironment, { metrics: new Registry() });
  const { handler } = await buildForTest(redisquota.info, ownMetrics, { params, instances: [instanceConfig(QUOTA, 'quota')] });
  const built = handler as RedisQuotaHandler;
  open.push({ handler: built, env });
  const ask = async (request: Ask = {}): Promise<QuotaResult> => {
    const dedup = request.dedup ?? `request-${++counter}`;
    return built.handleQuota(
      { name: QUOTA, dimensions: request.dimensions ?? {} },
      { deduplicationId: dedup, amount: request.amount ?? 1, bestEffort: request.bestEffort ?? false },
      { deduplicationId: dedup },
    );
  };
  const granted = async (request: Ask = {}): Promise<number> => (await ask(request)).grantedAmount;
  return { env, metrics: ownMetrics.metrics, handler: built, ask, granted };
}

const fixed = (maxAmount: number, validDuration: string, extra: Record<string, unknown> = {}) => ({ maxAmount, validDuration, ...extra });
const rolling = (maxAmount: number, validDuration: string, bucketDuration: string, extra: Record<string, unknown> = {}) => ({
  maxAmount,
  validDuration,
  bucketDuration,
  rateLimitAlgorithm: 'ROLLING_WINDOW',
  ...extra,
});

async function quotaKeys(): Promise<string[]> {
  return (await admin!.keys(`${KEY_PREFIX}*`)).sort();
}

describe('redisquota against a real redis-server', redisSuiteOptions(), () => {
  before(async () => {
    redis = await RedisServer.start();
    admin = redis.client();
  });
  beforeEach(async () => {
    await Promise.all(open.splice(0).map(async ({ handler, env }) => {
      await handler.close();
      env.close();
    }));
    await admin?.flushall();
  });
  after(async () => {
    await Promise.all(open.splice(0).map(({ handler }) => handler.close()));
    admin?.disconnect();
    await redis?.stop();
  });

  describe('FIXED_WINDOW', () => {
    it('grants up to the limit, then RESOURCE_EXHAUSTED with the time left in the window', async () => {
      const { env, ask, granted } = await build(fixed(5, '10s'));
      assert.deepEqual(await ask({ amount: 3 }), { status: OK, grantedAmount: 3, validDurationMs: 10_000 });
      await env.advance(4000);
      assert.deepEqual(await ask({ amount: 3 }), { status: EXHAUSTED, grantedAmount: 0, validDurationMs: 6000 }, 'all or nothing');
      assert.deepEqual(await ask({ amount: 3, bestEffort: true }), { status: OK, grantedAmount: 2, validDurationMs: 6000 }, 'best effort');
      assert.equal(await granted({ bestEffort: true }), 0);
      await env.advance(5999);
      assert.equal(await granted(), 0, 'still the same window 1 ms before its end');
      await env.advance(1);
      assert.deepEqual(await ask({ amount: 5 }), { status: OK, grantedAmount: 5, validDurationMs: 10_000 }, 'a new window');
    });

    it('leaves keys that expire with the window, and none for a refused allocation', async () => {
      const { granted } = await build(fixed(1, '10s'));
      assert.equal(await granted({ amount: 2 }), 0);
      assert.deepEqual(await quotaKeys().then((keys) => keys.filter((key) => !key.includes(':dedup:'))), [], 'a refusal stores only its dedup record');
      assert.equal(await granted(), 1);
      const state = (await quotaKeys()).filter((key) => key.endsWith(':fixed'));
      assert.equal(state.length, 1);
      const ttl = await admin!.pttl(state[0]!);
      assert.ok(ttl > 0 && ttl <= 10_000, `TTL ${ttl}`);
    });

    it('releases units with a negative amount', async () => {
      const { granted } = await build(fixed(3, '1m'));
      assert.equal(await granted({ amount: 3 }), 3);
      assert.equal(await granted({ amount: -2 }), 2);
      assert.equal(await granted({ amount: 3, bestEffort: true }), 2);
      assert.equal(await granted({ amount: -10 }), 3, 'no more than is held');
      assert.deepEqual(await quotaKeys().then((keys) => keys.filter((key) => key.endsWith(':fixed'))), [], 'an empty window is deleted');
    });
  });

  describe('ROLLING_WINDOW', () => {
    it('gives units back bucket by bucket as they leave the window', async () => {
      const { env, ask, granted } = await build(rolling(4, '1s', '100ms'));
      assert.deepEqual(await ask({ amount: 2 }), { status: OK, grantedAmount: 2, validDurationMs: 1000 });
      await env.advance(550);
      assert.deepEqual(await ask({ amount: 2 }), { status: OK, grantedAmount: 2, validDurationMs: 950 }, 'until its bucket (500 ms) leaves');
      const refused = await ask();
      assert.deepEqual(refused, { status: EXHAUSTED, grantedAmount: 0, validDurationMs: 450 }, 'the oldest bucket comes back in 450 ms');
      await env.advance(449);
      assert.equal(await granted(), 0);
      await env.advance(1);
      assert.equal(await granted({ amount: 3, bestEffort: true }), 2, 'the first 2 units came back at +1000 ms');
      await env.advance(500);
      assert.equal(await granted({ amount: 2 }), 2, 'the units from +550 ms came back at +1500 ms');
    });

    it('keeps at most window/bucket buckets and expires its keys', async () => {
      const { env, granted } = await build(rolling(1000, '1s', '100ms'));
      for (let step = 0; step < 30; step++) {
        assert.equal(await granted(), 1);
        await env.advance(100);
      }
      const [hash, index] = [(await quotaKeys()).find((key) => key.endsWith(':rolling'))!, (await quotaKeys()).find((key) => key.endsWith(':buckets'))!];
      assert.ok((await admin!.zcard(index)) <= 10, 'old buckets are reclaimed');
      assert.equal(Number(await admin!.hget(hash, 't')), await admin!.zcard(index), 'one unit per live bucket');
      assert.ok((await admin!.pttl(hash)) > 0 && (await admin!.pttl(index)) > 0);
    });

    it('releases the newest units first', async () => {
      const { env, granted } = await build(rolling(4, '10s', '1s'));
      assert.equal(await granted({ amount: 2 }), 2);
      await env.advance(5000);
      assert.equal(await granted({ amount: 2 }), 2);
      assert.equal(await granted({ amount: -1 }), 1);
      await env.advance(5000);
      assert.equal(await granted({ amount: 4, bestEffort: true }), 3, 'the first bucket left; 1 unit of the second remains');
    });
  });

  describe('across a window edge', () => {
    it('FIXED_WINDOW lets a full burst through on each side; ROLLING_WINDOW does not', async () => {
      const fixedWindow = await build(fixed(4, '1s'));
      const rollingWindow = await build(rolling(4, '1s', '100ms'), {}, fixedWindow.env);
      // Both windows start at t=0 with one unit; the burst comes just before and just after t=1000.
      assert.equal(await fixedWindow.granted(), 1);
      assert.equal(await rollingWindow.granted(), 1);
      await fixedWindow.env.advance(950);
      assert.equal(await fixedWindow.granted({ amount: 10, bestEffort: true }), 3);
      assert.equal(await rollingWindow.granted({ amount: 10, bestEffort: true }), 3);
      await fixedWindow.env.advance(100);
      assert.equal(await fixedWindow.granted({ amount: 10, bestEffort: true }), 4, 'a fresh fixed window: 7 units within 100 ms');
      assert.equal(await rollingWindow.granted({ amount: 10, bestEffort: true }), 1, 'only the unit from t=0 left the rolling window');
    });
  });

  describe('overrides', () => {
    const quota = fixed(10, '1m', {
      overrides: [
        { dimensions: { destination: 'reviews' }, maxAmount: 1 },
        { dimensions: { destination: 'productpage', source: '10.28.11.20' }, maxAmount: 3 },
      ],
    });

    it('a matched override changes both the limit and the key', async () => {
      const { granted } = await build(quota);
      assert.equal(await granted({ amount: 5, bestEffort: true, dimensions: { destination: 'reviews' } }), 1);
      assert.equal(await granted({ amount: 5, bestEffort: true, dimensions: { destination: 'productpage', source: '10.28.11.20' } }), 3);
      assert.equal(await granted({ amount: 20, bestEffort: true, dimensions: { destination: 'ratings' } }), 10);
      const keys = (await quotaKeys()).filter((key) => key.endsWith(':fixed'));
      assert.equal(keys.length, 3);
      assert.equal(keys.filter((key) => /\|o\d+\}/.test(key)).length, 2, 'override keys carry the override hash');
    });

    it('the quota\'s own limit and an override never share a bucket', async () => {
      const { granted } = await build(fixed(10, '1m', { overrides: [{ dimensions: { code: '200' }, maxAmount: 1 }] }));
      assert.equal(await granted({ amount: 10, dimensions: { code: 201 } }), 10);
      assert.equal(await granted({ dimensions: { code: 200 } }), 1, 'the INT64 200 matches "200"');
      assert.equal(await granted({ dimensions: { code: 200 } }), 0);
    });
  });

  describe('deadlines', () => {
    // The scripts called directly, with a deadline on either side of Redis's clock.
    const call = async (lua: string, deadlineFromNow: number, dedup: boolean) => {
      const [seconds, micros] = (await admin!.time()).map(Number) as [number, number];
      const deadline = Math.floor(seconds * 1000 + micros / 1000) + deadlineFromNow;
      const tag = 'deadline-test';
      const keys = [`${KEY_PREFIX}{${tag}}:state`, `${KEY_PREFIX}{${tag}}:index`, `${KEY_PREFIX}{${tag}}:dedup:x`];
      return admin!.eval(lua, keys.length, ...keys, 5, 10_000, 1000, Date.now(), DEDUP_MIN_TTL_MS, deadline, 2, 0, dedup ? 1 : 0);
    };

    for (const [name, lua] of [['FIXED_WINDOW', FIXED_WINDOW_LUA], ['ROLLING_WINDOW', ROLLING_WINDOW_LUA]] as const) {
      it(`${name}: a script run after its deadline answers EXPIRED and reads or writes nothing`, async () => {
        assert.equal(await call(lua, -1, true), EXPIRED);
        assert.deepEqual(await quotaKeys(), [], 'no state, no dedup record');
        const [grantedNow, , deduplicated] = (await call(lua, 60_000, true)) as number[];
        assert.deepEqual([grantedNow, deduplicated], [2, 0], 'before its deadline it allocates');
        assert.equal((await quotaKeys()).length, name === 'FIXED_WINDOW' ? 2 : 3);
      });
    }

    it('a deduplication id whose first answer was lost is answered from its record, not allocated again', async () => {
      const { env, granted, ask } = await build(fixed(5, '10s'));
      // Another Mixer's attempt ran in time, but its answer never came back (say, Redis died after running it).
      const tag = bucketTag(QUOTA, {}, '');
      const keys = bucketKeys(tag, 'FIXED_WINDOW');
      const [seconds] = (await admin!.time()).map(Number) as [number];
      await admin!.eval(FIXED_WINDOW_LUA, 3, keys.state, keys.index, dedupKey(tag, 'lost-answer'), 5, 10_000, 0, env.now(), DEDUP_MIN_TTL_MS, seconds * 1000 + 60_000, 3, 0, 1);
      assert.deepEqual(await ask({ dedup: 'lost-answer', amount: 3 }), { status: OK, grantedAmount: 3, validDurationMs: 10_000 }, 'the retry learns what was granted');
      assert.equal(await granted({ amount: 5, bestEffort: true }), 2, 'counted once');
    });
  });

  describe('deduplication', () => {
    it('keeps ids in Redis, so another Mixer process repeats the answer', async () => {
      const first = await build(fixed(2, '10s'));
      const second = await build(fixed(2, '10s'), {}, first.env);
      assert.deepEqual(await first.ask({ dedup: 'a', amount: 2 }), { status: OK, grantedAmount: 2, validDurationMs: 10_000 });
      await first.env.advance(3000);
      assert.deepEqual(await second.ask({ dedup: 'a', amount: 2 }), { status: OK, grantedAmount: 2, validDurationMs: 7000 }, 'repeated, not allocated again');
      assert.deepEqual(await second.ask({ dedup: 'b' }), { status: EXHAUSTED, grantedAmount: 0, validDurationMs: 7000 });
      assert.equal((await second.handler.handleQuota({ name: QUOTA, dimensions: {} }, { deduplicationId: 'b', amount: 1, bestEffort: false }, { deduplicationId: 'b' })).grantedAmount, 0);
      const dedupKeys = (await quotaKeys()).filter((key) => key.includes(':dedup:'));
      assert.equal(dedupKeys.length, 2);
      for (const key of dedupKeys) assert.ok((await admin!.pttl(key)) > 0, 'dedup records expire');
    });

    it('does not deduplicate calls without an id', async () => {
      const { handler } = await build(fixed(5, '10s'));
      const call = () => handler.handleQuota({ name: QUOTA, dimensions: {} }, { deduplicationId: '', amount: 2, bestEffort: false }, { deduplicationId: '' });
      assert.equal((await call()).grantedAmount, 2);
      assert.equal((await call()).grantedAmount, 2);
      assert.equal((await call()).grantedAmount, 0);
    });
  });

  it('never grants more than the limit to concurrent allocations from several handlers', async () => {
    const env = new ManualEnvironment();
    const handlers = await Promise.all([0, 1, 2].map(() => build(rolling(137, '1m', '1s'), { connectionPoolSize: 3 }, env)));
    const results = await Promise.all(
      Array.from({ length: 600 }, (_, index) => handlers[index % 3]!.ask({ amount: 1 + (index % 2), bestEffort: index % 5 === 0 })),
    );
    const total = results.reduce((sum, result) => sum + result.grantedAmount, 0);
    assert.equal(total, 137);
    assert.ok(results.every((result) => (result.grantedAmount > 0) === (result.status.code === RpcCode.OK)));
  });

  it('answers concurrent allocations for one bucket in arrival order, in one script run', async () => {
    const { ask, granted } = await build(fixed(5, '10s'));
    const scriptRuns = async () => {
      const stats = await admin!.info('commandstats');
      return [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    };
    await granted({ amount: -1 }); // loads the script on both connections' first use
    await granted({ amount: -1 });
    const before = await scriptRuns();
    const answers = await Promise.all([
      ask({ amount: 3 }),
      ask({ amount: 3 }),
      ask({ amount: 3, bestEffort: true }),
      ask({ amount: -1 }),
      ask({ amount: 1, dedup: 'same' }),
      ask({ amount: 1, dedup: 'same' }),
    ]);
    assert.deepEqual(answers.map((answer) => answer.grantedAmount), [3, 0, 2, 1, 1, 1]);
    assert.equal((await scriptRuns()) - before, 1, 'one script run for the six');
    assert.equal(await granted(), 0, '3 + 2 - 1 + 1 = 5 units are held');
  });

  it('counts outcomes in the handler\'s metrics', async () => {
    const { granted, metrics } = await build(fixed(1, '1m'));
    await granted({ dedup: 'm' });
    await granted({ dedup: 'm' });
    await granted();
    await granted({ amount: -1 });
    const text = await metrics.getSingleMetricAsString('mixer_redisquota_allocations_total');
    for (const outcome of ['granted', 'deduplicated', 'exhausted', 'released']) assert.match(text, new RegExp(`outcome="${outcome}"\\} 1$`, 'm'), outcome);
    assert.match(await metrics.getSingleMetricAsString('mixer_redisquota_connections_ready'), /mixer_redisquota_connections_ready 2$/m);
  });

  it('owns its connections and closes them', async () => {
    const { handler, granted } = await build(fixed(1, '1m'), { connectionPoolSize: 3 });
    assert.equal(await granted(), 1);
    const named = async () => String(await admin!.call('CLIENT', 'LIST')).split('\n').filter((line) => /name=mixer-redisquota-\d/.test(line)).length;
    assert.equal(await named(), 3);
    await handler.close();
    await eventually(async () => (await named()) === 0, 5000, 'the connections to close');
  });

  it('answers INTERNAL for an instance it has no limit for (validate() prevents this)', async () => {
    const { handler } = await build(fixed(1, '1m'));
    assert.deepEqual(await handler.handleQuota({ name: 'other.instance.default', dimensions: {} }, { deduplicationId: '', amount: 1, bestEffort: false }, { deduplicationId: '' }), {
      status: { code: RpcCode.INTERNAL, message: 'did not find limit defined for quota other.instance.default' },
      grantedAmount: 0,
      validDurationMs: 0,
    });
  });

  it('answers 0 units without touching Redis', async () => {
    const { ask } = await build(fixed(1, '1s'));
    assert.deepEqual(await ask({ amount: 0 }), { status: OK, grantedAmount: 0, validDurationMs: 0 });
    assert.deepEqual(await quotaKeys(), []);
  });

  describe('when Redis is down', () => {
    it('answers UNAVAILABLE at once and recovers by itself when Redis is back', async () => {
      const { handler, ask, metrics } = await build(fixed(100, '1m'), { commandTimeout: '200ms' });
      assert.equal((await ask()).grantedAmount, 1);
      await redis!.kill();
      try {
        assert.deepEqual(await ask(), { status: UNAVAILABLE, grantedAmount: 0, validDurationMs: 0 });
        const text = await metrics.getSingleMetricAsString('mixer_redisquota_allocations_total');
        assert.match(text, /outcome="unavailable"\} [1-9]/);
      } finally {
        await redis!.restart();
      }
      await eventually(async () => (await ask()).status.code === RpcCode.OK, 10_000, 'allocations to work again');
      assert.equal(handler.readyConnections, 2, 'every connection is back');
    });

    it('answers UNAVAILABLE after commandTimeout when Redis hangs; the script, run when Redis resumes, takes nothing', async () => {
      const { ask, granted, metrics } = await build(fixed(100, '1m'), { commandTimeout: '150ms' });
      assert.equal((await ask()).grantedAmount, 1);
      await redis!.pause();
      try {
        // Redis stays stopped until the finally below, so this answer cannot have waited for it.
        assert.deepEqual(await ask({ amount: 10, dedup: 'first-try' }), { status: UNAVAILABLE, grantedAmount: 0, validDurationMs: 0 });
      } finally {
        await redis!.resume();
      }
      const late = async (outcome: string) => Number(/ (\d+)$/.exec((await metrics.getSingleMetricAsString('mixer_redisquota_late_replies_total')).split('\n').find((line) => line.includes(`outcome="${outcome}"`)) ?? '')?.[1] ?? 0);
      await eventually(async () => (await late('refused')) === 1, 10_000, 'the script sent during the pause to run, late');
      assert.equal(await late('applied'), 0);
      assert.equal(await granted({ amount: 10, dedup: 'first-try' }), 10, 'the retried id is allocated now');
      assert.equal(await granted({ amount: 10, dedup: 'first-try' }), 10, 'once');
      assert.equal(await granted({ amount: 100, bestEffort: true }), 89, 'the timed-out attempt took nothing: 1 + 10 + 89 = 100');
    });

    it('reads a reply that came while the event loop was busy past commandTimeout, instead of timing out', async () => {
      const { ask } = await build(fixed(5, '1m'), { commandTimeout: '50ms' });
      const answer = ask({ amount: 2 });
      await new Promise((resolve) => setImmediate(resolve)); // the batch goes out in this turn's check phase
      // Block the event loop (as a long GC or a busy Mixer would) until Redis has run the script,
      // and past commandTimeout: the timer is due before the reply, which waits in the socket.
      const blockedAt = performance.now();
      const cli = redisCliBinary()!;
      for (let attempt = 0; spawnSync(cli, ['-p', String(redis!.port), 'DBSIZE'], { encoding: 'utf8' }).stdout.trim() === '0'; attempt++) {
        if (attempt === 1000) throw new Error('the script never ran');
      }
      while (performance.now() - blockedAt < 200) {
        // busy: commandTimeout passes with the reply unread
      }
      assert.deepEqual(await answer, { status: OK, grantedAmount: 2, validDurationMs: 60_000 });
    });

    it('FAIL_OPEN grants the amount asked for, still with UNAVAILABLE', async () => {
      const { ask } = await build(fixed(100, '1m'), { failPolicy: 'FAIL_OPEN', redisServerUrl: `127.0.0.1:${await unusedPort()}` });
      assert.deepEqual(await ask({ amount: 7 }), { status: UNAVAILABLE, grantedAmount: 7, validDurationMs: 1000 });
      assert.deepEqual(await ask({ amount: -7 }), { status: UNAVAILABLE, grantedAmount: 0, validDurationMs: 0 }, 'nothing is released');
    });

    it('a handler built while Redis is unreachable answers UNAVAILABLE (FAIL_CLOSE)', async () => {
      const { ask } = await build(fixed(100, '1m'), { redisServerUrl: `127.0.0.1:${await unusedPort()}` });
      assert.deepEqual(await ask(), { status: UNAVAILABLE, grantedAmount: 0, validDurationMs: 0 });
    });
  });
});

/** Resolves once `predicate` holds, polling; fails after `timeoutMs` (a bound, not a measurement). */
async function eventually(predicate: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A loopback port nothing listens on (bound once, then released). */
async function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 1));
    });
  });
}
