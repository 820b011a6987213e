import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startMixerProcess, type MixerProcess } from '../../bench/quota/mixer-process.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import { resource } from '../support/mixer-harness.js';
import { RedisServer, redisSuiteOptions } from '../support/redis-server.js';

// Three `mixer server` processes share one real redis-server through redisquota. 200
// concurrent clients spread their Checks over the three; the grants they receive are counted.
// Then Redis is killed under load and restarted: the servers keep answering, the quota follows
// each handler's fail policy, and allocations recover without restarting any Mixer.

const LIMIT = 250;
const CLIENTS = 200;
const CHECKS_PER_CLIENT = 4;

function config(redisAddress: string): string {
  const handler = (name: string, quota: string, failPolicy: string) =>
    resource(
      'handler',
      name,
      `compiledAdapter: redisquota
params:
  redisServerUrl: ${redisAddress}
  connectionPoolSize: 4
  commandTimeout: ${quota === 'shared' ? '5s' : '200ms'}
  failPolicy: ${failPolicy}
  quotas:
  - name: ${quota}.instance.istio-system
    maxAmount: ${LIMIT}
    validDuration: 10m
    rateLimitAlgorithm: ${quota === 'shared' ? 'FIXED_WINDOW' : 'ROLLING_WINDOW'}
    bucketDuration: 1s`,
    );
  const quota = (name: string, handlerName: string) =>
    resource('instance', name, 'compiledTemplate: quota\nparams:\n  dimensions:\n    destination: destination.labels["app"] | "unknown"') +
    resource('rule', name, `actions:\n- handler: ${handlerName}\n  instances: [ ${name} ]`);
  return [
    handler('sharedquota', 'shared', 'FAIL_CLOSE'),
    handler('closedquota', 'closed', 'FAIL_CLOSE'),
    handler('openquota', 'open', 'FAIL_OPEN'),
    quota('shared', 'sharedquota'),
    quota('closed', 'closedquota'),
    quota('open', 'openquota'),
  ].join('');
}

interface QuotaAnswer {
  readonly grantedAmount: number;
  readonly code: number;
}

async function check(mixer: MixerProcess, quotas: Record<string, { amount: number; bestEffort?: boolean }>): Promise<{ http: number; quotas: Record<string, QuotaAnswer> }> {
  const response = await fetch(`${mixer.url}/v1/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ attributes: { 'destination.labels': { app: 'reviews' } }, quotas }),
  });
  const body = (await response.json()) as { quotas?: Record<string, { grantedAmount?: string; status?: { code?: number } }> };
  const answers: Record<string, QuotaAnswer> = {};
  for (const [name, result] of Object.entries(body.quotas ?? {})) answers[name] = { grantedAmount: Number(result.grantedAmount ?? 0), code: result.status?.code ?? 0 };
  return { http: response.status, quotas: answers };
}

describe('redisquota: three Mixer processes, one Redis', redisSuiteOptions(), () => {
  let redis: RedisServer | undefined;
  let directory: string | undefined;
  const mixers: MixerProcess[] = [];

  before(async () => {
    redis = await RedisServer.start();
    directory = await mkdtemp(join(tmpdir(), 'mixer-redisquota-e2e-'));
    await writeFile(join(directory, 'quota.yaml'), config(redis.address));
    // Generous timeouts for the shared quota: on a loaded machine a reply can sit unread past a
    // short timeout, and an allocation that timed out is not counted as granted (though Redis made it).
    for (let index = 0; index < 3; index++) mixers.push(await startMixerProcess(directory, 'error', ['--handler-timeout', '10s']));
  });

  after(async () => {
    await Promise.all(mixers.map((mixer) => mixer.stop()));
    await redis?.stop();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  it(`never grants more than the limit to ${CLIENTS} concurrent clients`, async () => {
    const grantsByMixer = [0, 0, 0];
    const codes = new Map<number, number>();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let call = 0; call < CHECKS_PER_CLIENT; call++) {
          const index = (client + call) % 3;
          // Every third client asks for 2 units best effort, the others for 1 unit all-or-nothing.
          const ask = client % 3 === 0 ? { amount: 2, bestEffort: true } : { amount: 1 };
          const answer = await check(mixers[index]!, { shared: ask });
          assert.equal(answer.http, 200);
          const shared = answer.quotas['shared']!;
          grantsByMixer[index]! += shared.grantedAmount;
          codes.set(shared.code, (codes.get(shared.code) ?? 0) + 1);
        }
      }),
    );
    const total = grantsByMixer.reduce((sum, granted) => sum + granted, 0);
    assert.equal(total, LIMIT, `granted ${total} of ${LIMIT} (by process: ${grantsByMixer.join(', ')}; codes ${JSON.stringify([...codes])})`);
    assert.ok(grantsByMixer.every((granted) => granted > 0), 'every process granted some');
    assert.deepEqual([...codes.keys()].sort(), [RpcCode.OK, RpcCode.RESOURCE_EXHAUSTED], 'grants are OK, refusals RESOURCE_EXHAUSTED');
    const admin = redis!.client();
    try {
      const [stateKey] = await admin.keys('redisquota:*shared*:fixed');
      assert.equal(Number(await admin.hget(stateKey!, 't')), LIMIT, 'Redis holds exactly what was granted');
    } finally {
      admin.disconnect();
    }
  });

  it('keeps serving while Redis is down (fail policy), and recovers when it is back', async () => {
    const asks = { closed: { amount: 1 }, open: { amount: 1 } };
    for (const mixer of mixers) {
      const answer = await check(mixer, asks);
      assert.deepEqual(answer.quotas, { closed: { grantedAmount: 1, code: RpcCode.OK }, open: { grantedAmount: 1, code: RpcCode.OK } });
    }
    // Load runs on every process while Redis is killed.
    let stop = false;
    const seen: Array<{ http: number; quotas: Record<string, QuotaAnswer> }> = [];
    const load = Promise.all(
      Array.from({ length: 30 }, async (_, client) => {
        while (!stop) seen.push(await check(mixers[client % 3]!, asks));
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await redis!.kill();
    const killedAt = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 800));
    const duringOutage = seen.slice(killedAt + 30 * 2);
    await redis!.restart();
    const restartedAt = seen.length;
    // Recovery: every process grants again (the connections reconnect by themselves).
    const recovered = new Set<number>();
    const deadline = Date.now() + 15_000;
    while (recovered.size < 3 && Date.now() < deadline) {
      for (const [index, mixer] of mixers.entries()) {
        const answer = await check(mixer, asks);
        if (answer.quotas['closed']?.code === RpcCode.OK && answer.quotas['open']?.code === RpcCode.OK) recovered.add(index);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    stop = true;
    await load;

    assert.ok(seen.every((answer) => answer.http === 200), 'Mixer answered every Check');
    assert.ok(duringOutage.length > 10, `Checks kept being answered during the outage (${duringOutage.length})`);
    for (const answer of duringOutage) {
      assert.deepEqual(answer.quotas['closed'], { grantedAmount: 0, code: RpcCode.UNAVAILABLE }, 'FAIL_CLOSE grants nothing');
      assert.deepEqual(answer.quotas['open'], { grantedAmount: 1, code: RpcCode.UNAVAILABLE }, 'FAIL_OPEN grants the amount');
    }
    assert.equal(recovered.size, 3, 'every process recovered without a restart');
    assert.ok(seen.slice(restartedAt).some((answer) => answer.quotas['closed']?.code === RpcCode.OK), 'the load saw the recovery too');
  });
});
