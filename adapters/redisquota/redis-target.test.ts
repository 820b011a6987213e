import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeTarget, parseRedisTarget } from './redis-target.js';

function target(value: string | readonly string[]) {
  const parsed = parseRedisTarget(value);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.target;
}

describe('redisServerUrl', () => {
  it('reads Istio\'s host:port and a bare host', () => {
    assert.deepEqual(target('127.0.0.1:7001'), { kind: 'standalone', node: { host: '127.0.0.1', port: 7001 }, db: 0, username: undefined, password: undefined, tls: false });
    assert.deepEqual(target('redis.local'), { kind: 'standalone', node: { host: 'redis.local', port: 6379 }, db: 0, username: undefined, password: undefined, tls: false });
    assert.deepEqual(target('[::1]:7002'), {
      kind: 'standalone',
      node: { host: '::1', port: 7002 },
      db: 0,
      username: undefined,
      password: undefined,
      tls: false,
    });
  });

  it('reads redis:// and rediss:// URLs with credentials and a database', () => {
    assert.deepEqual(target('rediss://quota:s%40cret@cache:6380/2'), {
      kind: 'standalone',
      node: { host: 'cache', port: 6380 },
      db: 2,
      username: 'quota',
      password: 's@cret',
      tls: true,
    });
    assert.equal(describeTarget(target('rediss://quota:s%40cret@cache:6380/2')), 'rediss://quota@cache:6380/2', 'no password in logs');
  });

  it('reads Redis Cluster seeds as a URL or a list', () => {
    assert.deepEqual(target('redis-cluster://10.0.0.1:7000,10.0.0.2:7000'), {
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7000 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    assert.deepEqual(target(['a:1', ' b:2 ']), { kind: 'cluster', nodes: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }], username: undefined, password: undefined, tls: false });
    assert.equal(describeTarget(target(['a:1', 'b:2'])), 'redis-cluster://a:1,b:2');
  });

  it('explains what is wrong', () => {
    const reason = (value: string | readonly string[]) => {
      const parsed = parseRedisTarget(value);
      return parsed.ok ? 'ok' : parsed.message;
    };
    assert.equal(reason('  '), 'redis_server_url should not be empty');
    assert.equal(reason([]), 'redis_server_url should not be empty');
    assert.equal(reason('host:0'), "'host:0' has an invalid port");
    assert.equal(reason(':6379'), "':6379' has no host");
    assert.equal(reason('redis://h:1?db=2'), 'query parameters and fragments are not supported');
    assert.equal(reason('redis-cluster://'), 'a redis-cluster URL needs at least one host:port');
    assert.equal(reason('redis-cluster://a:1/3'), 'a redis-cluster URL takes no database, query or fragment (Redis Cluster has database 0 only)');
    assert.equal(reason('http://h:1'), "unsupported scheme 'http' (use host:port, redis://, rediss://, redis-cluster:// or rediss-cluster://)");
  });
});
