import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DictBag } from '../attribute/dict-bag.js';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { Timestamp } from '../attribute/timestamp.js';
import { TrackingBag } from '../attribute/tracking-bag.js';
import { HeaderOperationKind } from '../config/snapshot.js';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS } from '../status/rpc-status.js';
import { bag, scriptedClient } from './testing/client-fixture.js';
import { denied, precondition, refs, type PreconditionScript } from './testing/scripted-transport.js';

// These tests pin the client's check cache algorithm (istio/proxy check_cache.cc and
// referenced.cc). The transport is a scripted stand-in for Mixer: it answers with the
// referenced attributes each test chooses, so hits and misses depend on the client alone.

const answering = (script: PreconditionScript) => () => ({ precondition: precondition(script), quotas: new Map() });

describe('check cache: keys are the referenced attributes', () => {
  test('same referenced values but an unreferenced attribute changed: hit', async () => {
    const { client, transport } = scriptedClient(answering({ referenced: refs('destination.service', 'source.labels[app]') }));
    const first = await client.check(bag({ 'destination.service': 'ratings', 'source.labels': { app: 'reviews', version: 'v1' }, 'request.path': '/a' }));
    const second = await client.check(bag({ 'destination.service': 'ratings', 'source.labels': { app: 'reviews', version: 'v2' }, 'request.path': '/b' }));
    assert.equal(first.checkCacheHit, false);
    assert.equal(first.remoteCall, true);
    assert.equal(second.checkCacheHit, true);
    assert.equal(second.remoteCall, false);
    assert.deepEqual(second.status, OK_STATUS);
    assert.equal(transport.checks.length, 1);
  });

  test('a referenced map key changed: miss', async () => {
    const { client, transport } = scriptedClient(answering({ referenced: refs('source.labels[app]') }));
    await client.check(bag({ 'source.labels': { app: 'reviews' } }));
    const changed = await client.check(bag({ 'source.labels': { app: 'ratings' } }));
    const keyGone = await client.check(bag({ 'source.labels': { version: 'v1' } }));
    assert.equal(changed.checkCacheHit, false);
    assert.equal(keyGone.checkCacheHit, false);
    assert.equal(transport.checks.length, 3);
  });

  test('a referenced scalar changed or gone: miss; values of different types never match', async () => {
    const { client, transport } = scriptedClient(answering({ referenced: refs('request.size') }));
    await client.check(bag({ 'request.size': 1 }));
    assert.equal((await client.check(bag({ 'request.size': 1 }))).checkCacheHit, true);
    assert.equal((await client.check(bag({ 'request.size': 2 }))).checkCacheHit, false);
    assert.equal((await client.check(bag({ 'request.size': '1' }))).checkCacheHit, false);
    assert.equal((await client.check(bag({}))).checkCacheHit, false);
    assert.equal(transport.checks.length, 4);
  });

  test('an ABSENCE key becoming present: miss (whole attribute and map key)', async () => {
    const { client, transport } = scriptedClient(answering({ referenced: refs('-request.auth.principal', '-request.headers[x-user]') }));
    await client.check(bag({ 'request.headers': { accept: '*/*' } }));
    assert.equal((await client.check(bag({ 'request.headers': { accept: 'text/html' } }))).checkCacheHit, true, 'other keys do not matter');
    assert.equal((await client.check(bag({}))).checkCacheHit, true, 'an absent map has no such key');
    assert.equal((await client.check(bag({ 'request.headers': { 'x-user': 'bob' } }))).checkCacheHit, false);
    assert.equal((await client.check(bag({ 'request.auth.principal': 'bob' }))).checkCacheHit, false);
    assert.equal(transport.checks.length, 3);
  });

  test('an ABSENCE key present as a non-map attribute: no match', async () => {
    const { client } = scriptedClient(answering({ referenced: refs('-request.headers[x-user]') }));
    await client.check(bag({}));
    assert.equal((await client.check(bag({ 'request.headers': 'not a map' }))).checkCacheHit, false);
  });

  test('a whole attribute referenced as absent is not matched by a present map', async () => {
    const { client } = scriptedClient(answering({ referenced: refs('-request.headers') }));
    await client.check(bag({}));
    assert.equal((await client.check(bag({}))).checkCacheHit, true);
    assert.equal((await client.check(bag({ 'request.headers': { a: 'b' } }))).checkCacheHit, false);
  });

  test('a whole map referenced EXACT: any entry change is a miss', async () => {
    const { client } = scriptedClient(answering({ referenced: refs('source.labels') }));
    await client.check(bag({ 'source.labels': { app: 'a', version: 'v1' } }));
    assert.equal((await client.check(bag({ 'source.labels': { version: 'v1', app: 'a' } }))).checkCacheHit, true, 'entry order does not matter');
    assert.equal((await client.check(bag({ 'source.labels': { app: 'a', version: 'v2' } }))).checkCacheHit, false);
  });

  test('timestamps, durations and IP addresses are keyed by value', async () => {
    const { client } = scriptedClient(answering({ referenced: refs('request.time', 'response.duration', 'source.ip') }));
    const request = (seconds: number, millis: number, ip: string) =>
      bag({ 'request.time': Timestamp.fromParts(seconds, 5), 'response.duration': Duration.ofMillis(millis), 'source.ip': IpAddress.parse(ip) });
    await client.check(request(100, 15, '10.0.0.1'));
    assert.equal((await client.check(request(100, 15, '10.0.0.1'))).checkCacheHit, true);
    assert.equal((await client.check(request(101, 15, '10.0.0.1'))).checkCacheHit, false);
    assert.equal((await client.check(request(100, 16, '10.0.0.1'))).checkCacheHit, false);
    assert.equal((await client.check(request(100, 15, '10.0.0.2'))).checkCacheHit, false);
  });

  test('several shapes: each request finds the shape its answer was stored under', async () => {
    const { client, transport } = scriptedClient((request) => {
      const service = request.attributes.get('destination.service');
      const referenced = service === 'ratings' ? refs('destination.service', 'source.labels[app]') : refs('destination.service', '-source.labels[app]');
      return { precondition: precondition({ referenced, status: service === 'ratings' ? OK_STATUS : denied(RpcCode.PERMISSION_DENIED, 'no') }), quotas: new Map() };
    });
    await client.check(bag({ 'destination.service': 'ratings', 'source.labels': { app: 'reviews' } }));
    await client.check(bag({ 'destination.service': 'details', 'source.labels': {} }));
    const ratings = await client.check(bag({ 'destination.service': 'ratings', 'source.labels': { app: 'reviews', v: '2' } }));
    const details = await client.check(bag({ 'destination.service': 'details' }));
    assert.equal(ratings.checkCacheHit, true);
    assert.deepEqual(ratings.status, OK_STATUS);
    assert.equal(details.checkCacheHit, true);
    assert.equal(details.status.code, RpcCode.PERMISSION_DENIED);
    assert.equal(transport.checks.length, 2);
  });

  test('two shapes with the same EXACT keys never share an entry', async () => {
    // Istio's signature hashes only the EXACT values, so these two answers would collide there.
    const { client } = scriptedClient((request) =>
      request.attributes.get('user') === undefined
        ? { precondition: precondition({ referenced: refs('path', '-user'), status: denied(RpcCode.PERMISSION_DENIED, 'anonymous') }), quotas: new Map() }
        : { precondition: precondition({ referenced: refs('path') }), quotas: new Map() },
    );
    const anonymous = await client.check(bag({ path: '/a' }));
    const named = await client.check(bag({ path: '/a', user: 'bob' }));
    assert.equal(anonymous.status.code, RpcCode.PERMISSION_DENIED);
    assert.equal(named.checkCacheHit, false);
    assert.deepEqual(named.status, OK_STATUS);
  });

  test('a denial is cached with its status; the route directive is cached with it', async () => {
    const routeDirective = {
      requestHeaderOperations: [{ name: 'x-caller', value: 'reviews', operation: HeaderOperationKind.REPLACE }],
      responseHeaderOperations: [],
      directResponseCode: 0,
      directResponseBody: '',
    };
    const { client, transport } = scriptedClient((request) =>
      request.attributes.get('source') === 'bad'
        ? { precondition: precondition({ referenced: refs('source'), status: denied(RpcCode.PERMISSION_DENIED, 'h:not allowed') }), quotas: new Map() }
        : { precondition: precondition({ referenced: refs('source'), routeDirective }), quotas: new Map() },
    );
    await client.check(bag({ source: 'bad' }));
    await client.check(bag({ source: 'good' }));
    const denial = await client.check(bag({ source: 'bad' }));
    const allowed = await client.check(bag({ source: 'good' }));
    assert.equal(transport.checks.length, 2);
    assert.deepEqual(denial.status, denied(RpcCode.PERMISSION_DENIED, 'h:not allowed'));
    assert.equal(denial.checkCacheHit, true);
    assert.deepEqual(allowed.routeDirective, routeDirective);
  });
});

describe('check cache: storing', () => {
  test('REGEX references are not cached', async () => {
    const { client, transport } = scriptedClient(answering({ referenced: refs('~request.path') }));
    await client.check(bag({ 'request.path': '/a' }));
    await client.check(bag({ 'request.path': '/a' }));
    assert.equal(transport.checks.length, 2);
  });

  test('references that did not decode are not cached, but the answer is used', async () => {
    const { client, transport } = scriptedClient(answering({ referenced: [], referencedValid: false, status: denied(RpcCode.PERMISSION_DENIED, 'x') }));
    const first = await client.check(bag({ a: '1' }));
    await client.check(bag({ a: '1' }));
    assert.equal(first.status.code, RpcCode.PERMISSION_DENIED);
    assert.equal(transport.checks.length, 2);
  });

  test('references that do not match the request are not cached', async () => {
    const { client, transport } = scriptedClient(answering({ referenced: refs('source.labels[app]') }));
    await client.check(bag({ 'source.labels': { version: 'v1' } }));
    await client.check(bag({ 'source.labels': { version: 'v1' } }));
    assert.equal(transport.checks.length, 2);
  });

  test('a response without precondition is INVALID_ARGUMENT and not cached', async () => {
    const { client, transport } = scriptedClient(() => ({ precondition: undefined, quotas: new Map() }));
    const decision = await client.check(bag({}));
    await client.check(bag({}));
    assert.equal(decision.status.code, RpcCode.INVALID_ARGUMENT);
    assert.equal(transport.checks.length, 2);
  });

  test('INTERNAL in a precondition is stored and served as OK under fail-open', async () => {
    const { client, transport } = scriptedClient(answering({ status: denied(RpcCode.INTERNAL, 'dispatch failed') }));
    const first = await client.check(bag({}));
    const second = await client.check(bag({}));
    assert.deepEqual(first.status, OK_STATUS);
    assert.deepEqual(second.status, OK_STATUS);
    assert.equal(second.checkCacheHit, true);
    assert.equal(transport.checks.length, 1);
  });

  test('INTERNAL in a precondition stays INTERNAL under fail-close', async () => {
    const { client } = scriptedClient(answering({ status: denied(RpcCode.INTERNAL, 'dispatch failed') }), { failPolicy: { failOpen: false } });
    await client.check(bag({}));
    const cached = await client.check(bag({}));
    assert.equal(cached.checkCacheHit, true);
    assert.equal(cached.status.code, RpcCode.INTERNAL);
  });

  test('maxEntries 0 disables the cache', async () => {
    const { client, transport } = scriptedClient(answering({}), { checkCache: { maxEntries: 0 } });
    await client.check(bag({}));
    await client.check(bag({}));
    assert.equal(transport.checks.length, 2);
  });

  test('the least recently used entry is evicted past maxEntries', async () => {
    const { client, transport } = scriptedClient(answering({ referenced: refs('k') }), { checkCache: { maxEntries: 2 } });
    await client.check(bag({ k: 'a' }));
    await client.check(bag({ k: 'b' }));
    await client.check(bag({ k: 'a' })); // a is now the most recent
    await client.check(bag({ k: 'c' })); // evicts b
    assert.equal((await client.check(bag({ k: 'a' }))).checkCacheHit, true);
    assert.equal((await client.check(bag({ k: 'b' }))).checkCacheHit, false);
    assert.equal(transport.checks.length, 4);
  });

  test('a TrackingBag given to the client records nothing', async () => {
    const { client } = scriptedClient(answering({ referenced: refs('source.labels[app]', '-x') }));
    const tracking = new TrackingBag(bag({ 'source.labels': { app: 'a' } }));
    await client.check(tracking);
    await client.check(tracking);
    assert.equal(tracking.referenced.isEmpty, true);
  });

  test('the request reaches the transport unwrapped from a TrackingBag', async () => {
    const { client, transport } = scriptedClient();
    const inner = DictBag.of({ a: '1' });
    await client.check(new TrackingBag(inner));
    assert.equal(transport.checks[0]!.request.attributes, inner);
  });
});

describe('check cache: lifetime', () => {
  test('expires after valid_duration', async () => {
    const { client, clock, transport } = scriptedClient(answering({ validDurationMs: 1000 }));
    await client.check(bag({}));
    await clock.advance(1000);
    assert.equal((await client.check(bag({}))).checkCacheHit, true, 'still valid at exactly valid_duration');
    await clock.advance(1);
    assert.equal((await client.check(bag({}))).checkCacheHit, false);
    assert.equal(transport.checks.length, 2);
  });

  test('without valid_duration it never expires by time', async () => {
    const { client, clock } = scriptedClient(answering({ validDurationMs: undefined }));
    await client.check(bag({}));
    await clock.advance(365 * 24 * 3600 * 1000);
    assert.equal((await client.check(bag({}))).checkCacheHit, true);
  });

  test('serves valid_use_count hits, then misses', async () => {
    const { client, transport } = scriptedClient(answering({ validUseCount: 2 }));
    await client.check(bag({}));
    const hits = [];
    for (let index = 0; index < 3; index++) hits.push((await client.check(bag({}))).checkCacheHit);
    assert.deepEqual(hits, [true, true, false]);
    assert.equal(transport.checks.length, 2);
  });

  test('a negative use count is unlimited', async () => {
    const { client, transport } = scriptedClient(answering({ validUseCount: -1 }));
    for (let index = 0; index < 50; index++) await client.check(bag({}));
    assert.equal(transport.checks.length, 1);
  });

  test('a use count of 0 is never served', async () => {
    const { client, transport } = scriptedClient(answering({ validUseCount: 0 }));
    await client.check(bag({}));
    assert.equal((await client.check(bag({}))).checkCacheHit, false);
    assert.equal(transport.checks.length, 2);
  });

  test('a fresh answer replaces a spent entry', async () => {
    let count = 1;
    const { client, transport } = scriptedClient(() => ({ precondition: precondition({ validUseCount: count++ }), quotas: new Map() }));
    await client.check(bag({})); // stored with 1 use
    assert.equal((await client.check(bag({}))).checkCacheHit, true);
    await client.check(bag({})); // spent: remote, stored with 2 uses
    assert.equal((await client.check(bag({}))).checkCacheHit, true);
    assert.equal((await client.check(bag({}))).checkCacheHit, true);
    assert.equal((await client.check(bag({}))).checkCacheHit, false);
    assert.equal(transport.checks.length, 3);
  });
});
