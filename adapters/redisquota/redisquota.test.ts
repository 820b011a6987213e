import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IpAddress } from '../../core/attribute/ip-address.js';
import { configProblems, instanceConfig } from '../sdk/testing/index.js';
import { replyMarginMs } from './allocation-batcher.js';
import { reconnectDelayMs } from './connection-pool.js';
import { redisquota } from './index.js';
import { bucketKeys, bucketTag, dedupKey, overrideHash } from './keys.js';
import { compileLimits, selectLimit } from './limits.js';
import { redisQuotaParams } from './params.js';
import { EXPIRED, readScriptReplies } from './scripts.js';

const info = redisquota.info;
const QUOTA = 'requestcount.instance.istio-system';
const routed = [instanceConfig(QUOTA, 'quota')];

function parse(params: unknown) {
  const parsed = redisQuotaParams.parse(params);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

describe('redisquota params', () => {
  it('fills Istio\'s defaults and accepts snake_case', () => {
    const params = parse({ quotas: [{ name: QUOTA, max_amount: 5, valid_duration: '1s', bucket_duration: '100ms', rate_limit_algorithm: 'ROLLING_WINDOW' }] });
    assert.equal(params.redisServerUrl, 'localhost:6379');
    assert.equal(params.connectionPoolSize, 10);
    assert.equal(params.failPolicy, 'FAIL_CLOSE');
    assert.equal(params.commandTimeout.toMillis(), 500);
    const quota = params.quotas[0]!;
    assert.deepEqual([quota.maxAmount, quota.validDuration.toMillis(), quota.bucketDuration.toMillis(), quota.rateLimitAlgorithm], [5, 1000, 100, 'ROLLING_WINDOW']);
    assert.equal(parse({ quotas: [{ name: QUOTA, maxAmount: 1, validDuration: '1s', rateLimitAlgorithm: 1 }] }).quotas[0]!.rateLimitAlgorithm, 'ROLLING_WINDOW', 'enum by number');
    assert.equal(parse({ quotas: [{ name: QUOTA, maxAmount: 1, validDuration: '1s' }] }).quotas[0]!.rateLimitAlgorithm, 'FIXED_WINDOW');
  });

  it('reports schema problems with their paths', () => {
    const problems = configProblems(info, {
      params: { quotas: [{ name: QUOTA, maxAmount: 'many', validDuration: 'soon', rateLimitAlgorithm: 'LEAKY' }], redisServerUrl: 6379, failPolicy: 'MAYBE', extra: 1 },
    });
    assert.deepEqual([...new Set(problems.map((problem) => problem.field))].sort(), [
      'params.extra',
      'params.failPolicy',
      'params.quotas[0].maxAmount',
      'params.quotas[0].rateLimitAlgorithm',
      'params.quotas[0].validDuration',
      'params.redisServerUrl',
    ]);
  });
});

describe('redisquota validation (Istio\'s messages)', () => {
  it('needs at least one quota and a limit for every routed instance', () => {
    assert.deepEqual(configProblems(info, { params: {}, instances: routed }), [
      { field: 'params.quotas', message: 'quota should not be empty' },
      { field: 'params.quotas', message: `did not find limit defined for quota ${QUOTA}` },
    ]);
  });

  it('checks names, windows, buckets and overrides', () => {
    const problems = configProblems(info, {
      params: {
        quotas: [
          { name: '', maxAmount: 1, validDuration: '1s' },
          { name: 'a', maxAmount: 1 },
          { name: 'b', maxAmount: 1, validDuration: '1s', rateLimitAlgorithm: 'ROLLING_WINDOW' },
          { name: 'c', maxAmount: 1, validDuration: '1s', bucketDuration: '1s', rateLimitAlgorithm: 'ROLLING_WINDOW' },
          { name: 'd', maxAmount: 1, validDuration: '1s', overrides: [{ dimensions: { x: 'y' }, maxAmount: 0 }, { maxAmount: 1 }] },
          { name: 'd', maxAmount: 1, validDuration: '1s' },
        ],
        connectionPoolSize: -1,
        commandTimeout: '0s',
      },
    });
    assert.deepEqual(problems, [
      { field: 'params.quotas[0].name', message: 'quotas.name should not be empty' },
      { field: 'params.quotas[1].validDuration', message: 'quotas.valid_duration should be bigger must be > 0' },
      { field: 'params.quotas[2].bucketDuration', message: 'quotas.bucket_duration should be > 0 for ROLLING_WINDOW algorithm' },
      { field: 'params.quotas[3].validDuration', message: 'quotas.valid_duration: 1s should be longer than quotas.bucket_duration: 1s for ROLLING_WINDOW algorithm' },
      { field: 'params.quotas[4].overrides[0].maxAmount', message: 'quotas.overrides.max_amount must be > 0' },
      { field: 'params.quotas[4].overrides[1].dimensions', message: 'quotas.overrides.dimensions is empty' },
      { field: 'params.quotas[5].name', message: 'quota d is defined more than once' },
      { field: 'params.connectionPoolSize', message: 'connection_pool_size of -1 is invalid, must be > 0' },
      { field: 'params.commandTimeout', message: 'command timeout of 0s is invalid, must be > 0' },
    ]);
  });

  it('checks the server URL without connecting', () => {
    const messages = (url: unknown) => configProblems(info, { params: { quotas: [{ name: 'a', maxAmount: 1, validDuration: '1s' }], redisServerUrl: url } });
    assert.deepEqual(messages(''), [{ field: 'params.redisServerUrl', message: 'redis_server_url should not be empty' }]);
    assert.deepEqual(messages('mongodb://db:27017'), [
      { field: 'params.redisServerUrl', message: "unsupported scheme 'mongodb' (use host:port, redis://, rediss://, redis-cluster:// or rediss-cluster://)" },
    ]);
    assert.deepEqual(messages('redis:99999'), [{ field: 'params.redisServerUrl', message: "'redis:99999' has an invalid port" }]);
    assert.deepEqual(messages('redis://h/zero'), [{ field: 'params.redisServerUrl', message: "database 'zero' must be a number" }]);
    assert.deepEqual(messages(['10.0.0.1:7000', 'x:y']), [{ field: 'params.redisServerUrl', message: "cluster seed 'x:y': 'x:y' has an invalid port" }]);
    assert.deepEqual(messages('redis.example:6380'), []);
  });
});

describe('redisquota limits and keys', () => {
  const params = parse({
    quotas: [
      {
        name: QUOTA,
        maxAmount: 500,
        validDuration: '1s',
        overrides: [
          { dimensions: { destination: 'reviews' }, maxAmount: 1 },
          { dimensions: { destination: 'productpage', source: '10.28.11.20' }, maxAmount: 2 },
        ],
      },
    ],
  });
  const quota = compileLimits(params).get(QUOTA)!;

  it('picks the first override whose every dimension matches', () => {
    assert.deepEqual(selectLimit(quota, { destination: 'reviews', source: 'x' }), { maxAmount: 1, keySuffix: '749373939' });
    assert.deepEqual(selectLimit(quota, { destination: 'productpage', source: IpAddress.parse('10.28.11.20') }), { maxAmount: 2, keySuffix: '3843090623' });
    assert.deepEqual(selectLimit(quota, { destination: 'productpage' }), { maxAmount: 500, keySuffix: '' });
  });

  it('hashes override dimensions as Istio did (FNV-1a over sorted name\\tvalue\\n)', () => {
    assert.equal(overrideHash({}), String(0x811c9dc5));
    assert.equal(overrideHash({ source: '10.28.11.20', destination: 'productpage' }), '3843090623', 'order of the map does not matter');
  });

  it('puts every key of one bucket under one hash tag, distinct per dimensions and override', () => {
    const tag = bucketTag(QUOTA, { destination: 'reviews' }, '');
    const rolling = bucketKeys(tag, 'ROLLING_WINDOW');
    const fixed = bucketKeys(tag, 'FIXED_WINDOW');
    const keys: string[] = [rolling.state, rolling.index, fixed.state, fixed.index, dedupKey(tag, 'dedup-1')];
    assert.equal(new Set(keys).size, 4, 'FIXED_WINDOW keeps its state in one key');
    for (const key of keys) assert.equal(/\{([^}]*)\}/.exec(key)?.[1], tag);
    assert.notEqual(bucketTag(QUOTA, { destination: 'ratings' }, ''), tag);
    assert.notEqual(bucketTag(QUOTA, { code: 200 }, ''), bucketTag(QUOTA, { code: '200' }, ''), 'values are typed');
    assert.notEqual(bucketTag(QUOTA, { destination: 'reviews' }, '749373939'), tag);
    assert.equal(bucketTag('a{b}.instance.default', {}, '').includes('{'), false, 'braces cannot end the tag early');
    assert.ok(dedupKey(tag, 'x'.repeat(500)).length < 150, 'long dedup ids are hashed');
    assert.notEqual(dedupKey(tag, 'x'.repeat(500)), dedupKey(tag, `${'x'.repeat(499)}y`));
  });

  it('rejects script replies of the wrong shape', () => {
    assert.deepEqual(readScriptReplies([3, 1000, 0, 0, 500, 1], 2), [
      { granted: 3, validMs: 1000, deduplicated: false },
      { granted: 0, validMs: 500, deduplicated: true },
    ]);
    assert.equal(readScriptReplies([3, 1000, 0], 2), undefined, 'one answer per item');
    assert.equal(readScriptReplies(['3', 1000, 0], 1), undefined);
    assert.equal(readScriptReplies([3, 1000, 2], 1), undefined);
    assert.equal(readScriptReplies('OK', 1), undefined);
    assert.equal(readScriptReplies(EXPIRED, 2), EXPIRED, 'ran after its deadline');
  });

  it('wants a script to start a fifth of commandTimeout (at most 50 ms) before Mixer gives up', () => {
    assert.deepEqual([20, 100, 250, 500, 5000].map(replyMarginMs), [4, 20, 50, 50, 50]);
  });
});

describe('redisquota reconnection', () => {
  it('retries after 100 ms, doubling to at most 1 s, forever', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 100].map(reconnectDelayMs), [100, 200, 400, 800, 1000, 1000, 1000]);
  });
});
