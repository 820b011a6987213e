import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Redis } from 'ioredis';
import { RpcCode } from '../../core/status/rpc-code.js';
import { resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';
import { RedisCluster, redisClusterSuiteOptions } from '../support/redis-server.js';

// redisquota on a real Redis Cluster: three `redis-server --cluster-enabled yes` masters on free
// loopback ports, joined with `redis-cli --cluster create`. Allocations go through Mixer's HTTP
// API; each bucket's keys (state, bucket index, dedup records) share one hash slot, and
// different buckets spread over the nodes.

const USERS = 24;
const LIMIT = 3;

function config(seeds: readonly string[]): string {
  return [
    resource(
      'handler',
      'clusterquota',
      [
        'compiledAdapter: redisquota',
        'params:',
        '  redisServerUrl:',
        ...seeds.map((seed) => `  - ${seed}`),
        '  connectionPoolSize: 2',
        '  quotas:',
        '  - name: peruser.instance.istio-system',
        `    maxAmount: ${LIMIT}`,
        '    validDuration: 1m',
        '    bucketDuration: 1s',
        '    rateLimitAlgorithm: ROLLING_WINDOW',
        '    overrides:',
        '    - dimensions: { user: vip }',
        '      maxAmount: 10',
      ].join('\n'),
    ),
    resource('instance', 'peruser', 'compiledTemplate: quota\nparams:\n  dimensions:\n    user: request.headers["x-user"] | "anonymous"'),
    resource('rule', 'peruser', 'actions:\n- handler: clusterquota\n  instances: [ peruser ]'),
  ].join('');
}

describe('redisquota on a Redis Cluster', redisClusterSuiteOptions(), () => {
  let cluster: RedisCluster | undefined;
  let mixer: RunningMixer | undefined;

  before(async () => {
    cluster = await RedisCluster.start(3);
    mixer = await startMixer({ 'quota.yaml': config(cluster.addresses) });
  });
  after(async () => {
    await mixer?.close();
    await cluster?.stop();
  });

  const allocate = async (user: string, amount: number, deduplicationId?: string) => {
    const { status, body } = await mixer!.check({
      attributes: { 'request.headers': { 'x-user': user } },
      quotas: { peruser: { amount, bestEffort: true } },
      ...(deduplicationId === undefined ? {} : { deduplicationId }),
    });
    assert.equal(status, 200);
    const result = body.quotas!['peruser']!;
    return { granted: Number(result.grantedAmount), code: result.status.code };
  };

  it('allocates, limits and deduplicates per bucket across the cluster', async () => {
    const users = Array.from({ length: USERS }, (_, index) => `user-${index}`);
    // Concurrent demand of 3 × LIMIT per user.
    const results = await Promise.all(users.flatMap((user) => [0, 1, 2].map(async () => ({ user, ...(await allocate(user, LIMIT)) }))));
    for (const user of users) {
      const granted = results.filter((result) => result.user === user).reduce((sum, result) => sum + result.granted, 0);
      assert.equal(granted, LIMIT, `${user} got exactly its limit`);
    }
    const expectedCode = (granted: number): number => (granted > 0 ? RpcCode.OK : RpcCode.RESOURCE_EXHAUSTED);
    assert.ok(results.every((result) => result.code === expectedCode(result.granted)), 'grants are OK, refusals RESOURCE_EXHAUSTED');
    assert.deepEqual(await allocate('vip', 20), { granted: 10, code: RpcCode.OK }, 'the override applies');
    assert.deepEqual(await allocate('dedup-user', 1, 'request-1'), { granted: 1, code: RpcCode.OK });
    assert.deepEqual(await allocate('dedup-user', 1, 'request-1'), { granted: 1, code: RpcCode.OK }, 'a repeated id is answered again');
    assert.deepEqual(await allocate('dedup-user', 5), { granted: LIMIT - 1, code: RpcCode.OK }, 'the repeat took nothing');
  });

  it('keeps the keys of one bucket in one hash slot, and spreads buckets over the nodes', async () => {
    const keysByNode = await Promise.all(
      cluster!.nodes.map(async (node) => {
        const client = new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 1 });
        try {
          return await client.keys('redisquota:*');
        } finally {
          client.disconnect();
        }
      }),
    );
    const admin = new Redis({ host: cluster!.nodes[0]!.host, port: cluster!.nodes[0]!.port, maxRetriesPerRequest: 1 });
    try {
      const byTag = new Map<string, Set<number>>();
      for (const key of keysByNode.flat()) {
        const tag = /\{([^}]+)\}/.exec(key)?.[1];
        assert.ok(tag !== undefined, `${key} has a hash tag`);
        const slot = Number(await admin.call('CLUSTER', 'KEYSLOT', key));
        byTag.set(tag, (byTag.get(tag) ?? new Set()).add(slot));
      }
      assert.ok(byTag.size >= USERS + 2, `one tag per bucket (${byTag.size})`);
      for (const [tag, slots] of byTag) assert.equal(slots.size, 1, `the keys of ${tag} share one slot`);
      const dedupBucket = [...keysByNode.flat()].filter((key) => key.includes(':dedup:'));
      assert.equal(dedupBucket.length, 1, 'the dedup record lives beside its bucket');
      assert.ok(keysByNode.filter((keys) => keys.length > 0).length >= 2, `buckets spread over the nodes (${keysByNode.map((keys) => keys.length).join(', ')} keys)`);
    } finally {
      admin.disconnect();
    }
  });
});
