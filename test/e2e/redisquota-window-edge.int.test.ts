import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';
import { RedisServer, redisSuiteOptions } from '../support/redis-server.js';

// FIXED_WINDOW versus ROLLING_WINDOW across a window edge, in real time, through Mixer's HTTP
// API and a real redis-server. Both quotas allow 10 units per 2 s. One unit is taken at t0 and
// nine at t0 + 1.2 s; just after the fixed window ends (t0 + 2 s, known from the first
// answer's validDuration) the fixed quota is full again, while the rolling quota only got
// back the unit from t0. The margins (≥ 0.8 s each way) keep this exact on a busy machine.
// The same behaviour at millisecond precision, with a manual clock, is in
// adapters/redisquota/redisquota.int.test.ts.

const WINDOW = '2s';

function config(redisAddress: string): string {
  const quota = (name: string, algorithm: string) => `  - name: ${name}.instance.istio-system
    maxAmount: 10
    validDuration: ${WINDOW}
    bucketDuration: 100ms
    rateLimitAlgorithm: ${algorithm}`;
  return [
    resource('handler', 'windows', ['compiledAdapter: redisquota', 'params:', `  redisServerUrl: ${redisAddress}`, '  quotas:', quota('fixed', 'FIXED_WINDOW'), quota('rolling', 'ROLLING_WINDOW')].join('\n')),
    resource('instance', 'fixed', 'compiledTemplate: quota\nparams:\n  dimensions: {}'),
    resource('instance', 'rolling', 'compiledTemplate: quota\nparams:\n  dimensions: {}'),
    resource('rule', 'windows', 'actions:\n- handler: windows\n  instances: [ fixed, rolling ]'),
  ].join('');
}

describe('redisquota windows across an edge (real time)', redisSuiteOptions(), () => {
  let redis: RedisServer | undefined;
  let mixer: RunningMixer | undefined;

  before(async () => {
    redis = await RedisServer.start();
    mixer = await startMixer({ 'quota.yaml': config(redis.address) });
  });
  after(async () => {
    await mixer?.close();
    await redis?.stop();
  });

  const allocate = async (amount: number) => {
    const { status, body } = await mixer!.check({
      attributes: {},
      quotas: { fixed: { amount, bestEffort: true }, rolling: { amount, bestEffort: true } },
    });
    assert.equal(status, 200);
    const fixed = body.quotas!['fixed']!;
    const rolling = body.quotas!['rolling']!;
    return { fixed: Number(fixed.grantedAmount), rolling: Number(rolling.grantedAmount), fixedValidMs: parseSeconds(fixed.validDuration) * 1000 };
  };

  it('FIXED_WINDOW refills at the edge; ROLLING_WINDOW only returns what left the window', async () => {
    const first = await allocate(1);
    const t0 = Date.now();
    assert.deepEqual([first.fixed, first.rolling], [1, 1]);
    assert.ok(first.fixedValidMs > 1900 && first.fixedValidMs <= 2000, `validDuration is the time left in the window: ${first.fixedValidMs} ms`);
    await sleep(1200);
    const filled = await allocate(20);
    assert.deepEqual([filled.fixed, filled.rolling], [9, 9], 'both full before the edge');
    assert.ok(filled.fixedValidMs < 1000, `the fixed window ends soon: ${filled.fixedValidMs} ms left`);
    await sleep(Math.max(0, filled.fixedValidMs) + 100);
    const elapsed = Date.now() - t0;
    const afterEdge = await allocate(20);
    assert.ok(elapsed < 3000, `checked within 1 s of the edge (${elapsed} ms after t0); the machine stalled`);
    assert.equal(afterEdge.fixed, 10, 'a new fixed window: the whole limit again');
    assert.equal(afterEdge.rolling, 1, 'the rolling window still holds the nine units from t0 + 1.2 s');
  });
});

function parseSeconds(text: string): number {
  const match = /^(-?[\d.]+)s$/.exec(text);
  if (match === null) throw new Error(`not a JSON duration: ${text}`);
  return Number(match[1]);
}
