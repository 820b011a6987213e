import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IpAddress } from '../../core/attribute/ip-address.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import type { QuotaResult } from '../../templates/handler-contract.js';
import type { InstanceValue } from '../../templates/template.js';
import { buildForTest, configProblems, instanceConfig, ManualEnvironment } from '../sdk/testing/index.js';
import type { MemQuotaHandler } from './handler.js';
import { memquota } from './index.js';

const info = memquota.info;
const QUOTA = 'requestcount.instance.istio-system';

interface Ask {
  readonly amount?: number;
  readonly bestEffort?: boolean;
  readonly dedup?: string;
  readonly dimensions?: Record<string, InstanceValue>;
  readonly quota?: string;
}

async function build(params: unknown, names: readonly string[] = [QUOTA]) {
  const env = new ManualEnvironment();
  const { handler } = await buildForTest(info, env, { params, instances: names.map((name) => instanceConfig(name, 'quota')) });
  let counter = 0;
  const ask = async (request: Ask = {}): Promise<QuotaResult> => {
    const dedup = request.dedup ?? `request-${++counter}`;
    return handler.handleQuota(
      { name: request.quota ?? QUOTA, dimensions: request.dimensions ?? {} },
      { deduplicationId: dedup, amount: request.amount ?? 1, bestEffort: request.bestEffort ?? false },
      { deduplicationId: dedup },
    );
  };
  const granted = async (request: Ask = {}): Promise<number> => (await ask(request)).grantedAmount;
  return { env, handler: handler as MemQuotaHandler, ask, granted };
}

const rateLimit = (maxAmount: number, validDuration: string, extra: Record<string, unknown> = {}) => ({
  quotas: [{ name: QUOTA, maxAmount, validDuration, ...extra }],
});

describe('memquota params', () => {
  it('accepts snake_case and lowerCamelCase', async () => {
    const snake = await build({
      quotas: [{ name: QUOTA, max_amount: 5, valid_duration: '1s', overrides: [{ dimensions: { destination: 'reviews' }, max_amount: 1, valid_duration: '5s' }] }],
      min_deduplication_duration: '2s',
    });
    const camel = await build({
      quotas: [{ name: QUOTA, maxAmount: 5, validDuration: '1s', overrides: [{ dimensions: { destination: 'reviews' }, maxAmount: 1, validDuration: '5s' }] }],
      minDeduplicationDuration: '2s',
    });
    for (const { ask } of [snake, camel]) {
      assert.deepEqual(await ask({ amount: 7, bestEffort: true }), { status: { code: RpcCode.OK, message: '' }, grantedAmount: 5, validDurationMs: 1000 });
      assert.deepEqual(await ask({ amount: 3, bestEffort: true, dimensions: { destination: 'reviews' } }), {
        status: { code: RpcCode.OK, message: '' },
        grantedAmount: 1,
        validDurationMs: 5000,
      });
    }
  });

  it('reports schema problems with their paths', () => {
    const problems = configProblems(info, {
      params: { quotas: [{ name: '', validDuration: 'soon' }, { name: 'b', maxAmount: -1, overrides: [{ dimensions: { a: 1 }, maxAmount: 1 }] }], dedup: true },
    });
    assert.deepEqual([...new Set(problems.map((problem) => problem.field))].sort(), [
      'params.dedup',
      'params.quotas[0].maxAmount',
      'params.quotas[0].name',
      'params.quotas[0].validDuration',
      'params.quotas[1].maxAmount',
      'params.quotas[1].overrides[0].dimensions.a',
    ]);
  });

  it('validates the dedup window, the routed quotas, windows and names', () => {
    const instances = [instanceConfig(QUOTA, 'quota'), instanceConfig('other.instance.default', 'quota')];
    assert.deepEqual(
      configProblems(info, {
        params: {
          quotas: [
            { name: QUOTA, maxAmount: 1, validDuration: '-1s', overrides: [{ maxAmount: 1, validDuration: '-2s' }] },
            { name: QUOTA, maxAmount: 1 },
          ],
          minDeduplicationDuration: '0s',
        },
        instances,
      }),
      [
        { field: 'params.minDeduplicationDuration', message: 'deduplication window of 0s is invalid, must be > 0' },
        { field: 'params.quotas[0].validDuration', message: 'valid duration must be >= 0, it is -1s' },
        { field: 'params.quotas[0].overrides[0].validDuration', message: 'valid duration must be >= 0, it is -2s' },
        { field: 'params.quotas[1].name', message: `quota ${QUOTA} is defined more than once` },
        { field: 'params.quotas', message: 'did not find limit defined for quota other.instance.default' },
      ],
    );
    assert.deepEqual(configProblems(info, { params: rateLimit(1, '1s'), instances: [instanceConfig(QUOTA, 'quota')] }), []);
  });
});

describe('memquota rate limits', () => {
  it('uses a rolling window of 100 ms ticks', async () => {
    const { env, granted } = await build(rateLimit(5, '1s'));
    assert.equal(await granted({ amount: 3 }), 3);
    await env.advance(500);
    assert.equal(await granted({ amount: 2 }), 2);
    assert.equal(await granted(), 0, 'exhausted');
    await env.advance(499);
    assert.equal(await granted(), 0, 'the first 3 units are still in the window at +999ms');
    await env.advance(1);
    assert.equal(await granted({ amount: 4, bestEffort: true }), 3, 'the first 3 units left the window at +1000ms');
    await env.advance(500);
    assert.equal(await granted({ amount: 2 }), 2, 'the 2 units from +500ms left at +1500ms');
  });

  it('rounds the window up to whole seconds', async () => {
    const { env, granted } = await build(rateLimit(1, '1500ms'));
    assert.equal(await granted(), 1);
    await env.advance(1999);
    assert.equal(await granted(), 0);
    await env.advance(1);
    assert.equal(await granted(), 1);
  });

  it('is all-or-nothing unless best effort', async () => {
    const { granted } = await build(rateLimit(10, '10s'));
    assert.equal(await granted({ amount: 8 }), 8);
    assert.equal(await granted({ amount: 3 }), 0);
    assert.equal(await granted({ amount: 3, bestEffort: true }), 2);
    assert.equal(await granted({ amount: 1, bestEffort: true }), 0);
  });

  it('answers OK with the window as validDuration, also when exhausted', async () => {
    const { ask } = await build(rateLimit(1, '2s'));
    assert.deepEqual(await ask(), { status: { code: RpcCode.OK, message: '' }, grantedAmount: 1, validDurationMs: 2000 });
    assert.deepEqual(await ask(), { status: { code: RpcCode.OK, message: '' }, grantedAmount: 0, validDurationMs: 2000 });
  });

  it('releases rate-limit units with a negative amount', async () => {
    const { granted } = await build(rateLimit(3, '10s'));
    assert.equal(await granted({ amount: 3 }), 3);
    assert.equal(await granted({ amount: -2 }), 2);
    assert.equal(await granted({ amount: 2 }), 2);
    assert.equal(await granted({ amount: 1 }), 0);
  });

  it('keeps one bucket per set of dimension values', async () => {
    const { granted } = await build(rateLimit(1, '1s'));
    assert.equal(await granted({ dimensions: { user: 'alice' } }), 1);
    assert.equal(await granted({ dimensions: { user: 'bob' } }), 1);
    assert.equal(await granted({ dimensions: { user: 'alice' } }), 0);
    assert.equal(await granted({ dimensions: { user: 'alice', extra: 'x' } }), 1);
  });
});

describe('memquota allocation quotas', () => {
  it('counts allocations and releases (validDuration 0)', async () => {
    const { handler, ask, granted } = await build({ quotas: [{ name: QUOTA, maxAmount: 10 }] });
    assert.deepEqual(await ask({ amount: 6 }), { status: { code: RpcCode.OK, message: '' }, grantedAmount: 6, validDurationMs: 0 });
    assert.equal(await granted({ amount: 5 }), 0, 'all-or-nothing');
    assert.equal(await granted({ amount: 5, bestEffort: true }), 4, 'best effort takes what is left');
    assert.equal(await granted({ amount: 1, bestEffort: true }), 0);
    assert.equal(await granted({ amount: -3 }), 3, 'a negative amount releases');
    assert.equal(await granted({ amount: 3 }), 3);
    assert.equal(await granted({ amount: -100 }), 10, 'releasing more than held releases everything');
    assert.equal(handler.stats.counters, 0, 'an empty counter is dropped');
    assert.equal(await granted({ amount: 10 }), 10);
  });

  it('never expires allocations with time', async () => {
    const { env, granted } = await build({ quotas: [{ name: QUOTA, maxAmount: 1 }] });
    assert.equal(await granted(), 1);
    await env.advance(3_600_000);
    assert.equal(await granted(), 0);
  });

  it('grants nothing for an amount of 0', async () => {
    const { ask } = await build({ quotas: [{ name: QUOTA, maxAmount: 1 }] });
    assert.deepEqual(await ask({ amount: 0 }), { status: { code: RpcCode.OK, message: '' }, grantedAmount: 0, validDurationMs: 0 });
  });
});

describe('memquota overrides', () => {
  // Istio's rate-limit task: 500/1s by default; reviews 1/5s; productpage from 10.28.11.20 500/1s; productpage 2/5s.
  const params = {
    quotas: [
      {
        name: QUOTA,
        maxAmount: 500,
        validDuration: '1s',
        overrides: [
          { dimensions: { destination: 'reviews' }, maxAmount: 1, validDuration: '5s' },
          { dimensions: { destination: 'productpage', source: '10.28.11.20' }, maxAmount: 500, validDuration: '1s' },
          { dimensions: { destination: 'productpage' }, maxAmount: 2, validDuration: '5s' },
          { dimensions: { code: '429' }, maxAmount: 0 },
        ],
      },
    ],
  };

  it('picks the first override whose every dimension matches', async () => {
    const { ask } = await build(params);
    const reviews = await ask({ amount: 10, bestEffort: true, dimensions: { destination: 'reviews', source: '10.28.11.20' } });
    assert.deepEqual([reviews.grantedAmount, reviews.validDurationMs], [1, 5000]);
    const trusted = await ask({ amount: 10, bestEffort: true, dimensions: { destination: 'productpage', source: IpAddress.parse('10.28.11.20') } });
    assert.deepEqual([trusted.grantedAmount, trusted.validDurationMs], [10, 1000]);
    const productpage = await ask({ amount: 10, bestEffort: true, dimensions: { destination: 'productpage', source: IpAddress.parse('10.28.11.21') } });
    assert.deepEqual([productpage.grantedAmount, productpage.validDurationMs], [2, 5000]);
    const other = await ask({ amount: 10, bestEffort: true, dimensions: { destination: 'ratings' } });
    assert.deepEqual([other.grantedAmount, other.validDurationMs], [10, 1000]);
    const numeric = await ask({ amount: 10, bestEffort: true, dimensions: { code: 429 } });
    assert.deepEqual([numeric.grantedAmount, numeric.validDurationMs], [0, 1000], 'the INT64 429 matches "429"; the window is inherited');
  });

  it('an override with no dimensions matches everything', async () => {
    const { granted } = await build({ quotas: [{ name: QUOTA, maxAmount: 100, validDuration: '1s', overrides: [{ maxAmount: 1 }] }] });
    assert.equal(await granted({ amount: 5, bestEffort: true, dimensions: { anything: 'x' } }), 1);
  });
});

describe('memquota deduplication', () => {
  it('answers a repeated id with the previous grant and the remaining validity', async () => {
    const { env, ask, granted } = await build(rateLimit(1, '10s'));
    assert.equal(await granted({ dedup: 'a' }), 1);
    await env.advance(400);
    assert.deepEqual(await ask({ dedup: 'a' }), { status: { code: RpcCode.OK, message: '' }, grantedAmount: 1, validDurationMs: 9600 });
    assert.equal(await granted({ dedup: 'b' }), 0, 'the repeat did not consume anything, but the quota is spent');
    assert.equal(await granted({ dedup: 'b' }), 0);
  });

  it('forgets ids after one to two dedup windows', async () => {
    const { env, granted } = await build({ ...rateLimit(5, '60s'), minDeduplicationDuration: '1s' });
    assert.equal(await granted({ dedup: 'a' }), 1);
    await env.advance(1500);
    assert.equal(await granted({ dedup: 'a' }), 1);
    assert.equal(await granted({ dedup: 'b' }), 1);
    await env.advance(2000);
    assert.equal(await granted({ dedup: 'a' }), 1, 'a new allocation');
    assert.equal(await granted({ amount: 5, bestEffort: true }), 2, 'a, b and the second a took 3 of the 5 units');
  });

  it('deduplicates releases of allocation quotas too', async () => {
    const { granted } = await build({ quotas: [{ name: QUOTA, maxAmount: 5 }] });
    assert.equal(await granted({ amount: 5 }), 5);
    assert.equal(await granted({ amount: -2, dedup: 'r' }), 2);
    assert.equal(await granted({ amount: -2, dedup: 'r' }), 2);
    assert.equal(await granted({ amount: 3, bestEffort: true }), 2, 'only one release happened');
  });

  it('does not deduplicate calls without an id', async () => {
    const { handler } = await build(rateLimit(5, '10s'));
    const call = () => handler.handleQuota({ name: QUOTA, dimensions: {} }, { deduplicationId: QUOTA, amount: 2, bestEffort: false }, { deduplicationId: '' });
    assert.equal(call().grantedAmount, 2);
    assert.equal(call().grantedAmount, 2);
    assert.equal(call().grantedAmount, 0);
  });
});

describe('memquota memory', () => {
  it('drops idle windows and old dedup ids through its scheduled reaper', async () => {
    const { env, handler, granted } = await build(rateLimit(1, '2s'));
    assert.equal(env.pendingTimers, 1, 'one reaper');
    for (let user = 0; user < 1000; user++) assert.equal(await granted({ dimensions: { user: `u${user}` } }), 1);
    assert.deepEqual(handler.stats, { counters: 0, windows: 1000, dedupIds: 1000 });
    await env.advance(1999);
    assert.equal(handler.stats.windows, 1000, 'still allocated');
    await env.advance(1);
    assert.deepEqual(handler.stats, { counters: 0, windows: 0, dedupIds: 0 });
    env.close();
    assert.equal(env.pendingTimers, 0);
  });

  it('does not keep state for requests that were refused or fully released', async () => {
    const { handler, granted } = await build(rateLimit(0, '1s'));
    assert.equal(await granted({ dimensions: { user: 'x' } }), 0);
    assert.equal(handler.stats.windows, 0);
    const other = await build(rateLimit(2, '1s'));
    await other.granted({ amount: 2 });
    await other.granted({ amount: -2 });
    assert.equal(other.handler.stats.windows, 0);
  });
});

describe('memquota without a limit for the instance', () => {
  it('answers INTERNAL instead of guessing (validate() prevents this)', async () => {
    const { ask } = await build(rateLimit(1, '1s'));
    assert.deepEqual(await ask({ quota: 'unknown.instance.default' }), {
      status: { code: RpcCode.INTERNAL, message: 'did not find limit defined for quota unknown.instance.default' },
      grantedAmount: 0,
      validDurationMs: 0,
    });
  });
});
