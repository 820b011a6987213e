import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';

import { IpAddress } from '../../core/attribute/ip-address.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import type { CheckResult } from '../../templates/handler-contract.js';
import { buildForTest, configProblems, instanceConfig, ManualEnvironment } from '../sdk/testing/index.js';
import { ListCheckerHandler } from './handler.js';
import { listchecker } from './index.js';
import { FIRST_FETCH_WAIT_MS } from './list-state.js';

const info = listchecker.info;
const entry = (value: unknown) => ({ name: 'source.listentry.istio-system', value: value as never });

async function build(params: unknown, env = new ManualEnvironment()) {
  const { handler } = await buildForTest(info, env, { params, instances: [instanceConfig('source.listentry.istio-system', 'listentry')] });
  return { env, check: async (value: unknown): Promise<CheckResult> => handler.handleListEntry(entry(value), { deduplicationId: '' }) };
}

const ok = (ms = 300_000, uses = 10_000): CheckResult => ({ status: { code: RpcCode.OK, message: '' }, validDurationMs: ms, validUseCount: uses });
const denied = (code: RpcCode, message: string, ms = 300_000, uses = 10_000): CheckResult => ({ status: { code, message }, validDurationMs: ms, validUseCount: uses });

describe('listchecker params', () => {
  it('has Istio\'s defaults', async () => {
    const parsed = info.params.parse({});
    assert.equal(parsed.ok, true);
    if (!parsed.ok) return;
    assert.equal(parsed.value.providerUrl, '');
    assert.equal(parsed.value.refreshInterval.toString(), '1m0s');
    assert.equal(parsed.value.ttl.toString(), '5m0s');
    assert.equal(parsed.value.cachingInterval.toString(), '5m0s');
    assert.equal(parsed.value.cachingUseCount, 10000);
    assert.equal(parsed.value.entryType, 'STRINGS');
    assert.equal(parsed.value.blacklist, false);
    const { check } = await build({});
    assert.deepEqual(await check('anything'), denied(RpcCode.PERMISSION_DENIED, 'anything is not whitelisted'));
  });

  it('accepts snake_case and lowerCamelCase, enums by name or number', async () => {
    const snake = await build({ overrides: ['10.0.0.0/8'], entry_type: 2, caching_interval: '10s', caching_use_count: 5 });
    const camel = await build({ overrides: ['10.0.0.0/8'], entryType: 'IP_ADDRESSES', cachingInterval: '10s', cachingUseCount: 5 });
    for (const { check } of [snake, camel]) {
      assert.deepEqual(await check('10.1.1.1'), ok(10_000, 5));
      assert.deepEqual(await check('11.1.1.1'), denied(RpcCode.PERMISSION_DENIED, '11.1.1.1 is not whitelisted', 10_000, 5));
    }
  });

  it('reports schema problems with their paths', () => {
    const problems = configProblems(info, { params: { entryType: 'NUMBERS', refresh_interval: 'often', blacklist: 'yes', overrides: [1], url: 'x' } });
    assert.deepEqual(problems.map((problem) => problem.field).sort(), [
      'params.blacklist', 'params.entryType', 'params.overrides[0]', 'params.refreshInterval', 'params.url',
    ]);
  });

  it('validates like Istio\'s builder, with its messages', () => {
    const problems = (params: unknown) => configProblems(info, { params });
    assert.deepEqual(problems({ providerUrl: 'localhost:8080' }), [{ field: 'params.providerUrl', message: 'URL scheme and host cannot be empty' }]);
    assert.deepEqual(problems({ providerUrl: '/just/a/path' }), [{ field: 'params.providerUrl', message: 'URL scheme and host cannot be empty' }]);
    assert.deepEqual(problems({ providerUrl: 'ftp://lists.example.com/x' }), [{ field: 'params.providerUrl', message: 'unsupported protocol scheme "ftp"' }]);
    assert.deepEqual(problems({ providerUrl: 'http://lists.example.com', refreshInterval: '500ms', ttl: '300s' }), [
      { field: 'params.refreshInterval', message: 'refresh interval must be at least 1 second, it is 500ms' },
    ]);
    assert.deepEqual(problems({ providerUrl: 'http://lists.example.com', refreshInterval: '60s', ttl: '30s' }), [
      { field: 'params.ttl', message: 'ttl must be > refreshInterval, ttl is 30s and refreshInterval is 1m0s' },
    ]);
    assert.deepEqual(problems({ refreshInterval: '1ms', ttl: '0s' }), [], 'refresh settings only matter with a provider');
    assert.deepEqual(problems({ cachingInterval: '-1s', cachingUseCount: -1 }), [
      { field: 'params.cachingInterval', message: 'caching interval must be >= 0, it is -1s' },
      { field: 'params.cachingUseCount', message: 'caching use count must be >= 0, it is -1' },
    ]);
    assert.deepEqual(problems({ entryType: 'IP_ADDRESSES', overrides: ['10.0.0.1', '10.0.0.0/33', 'ten', '::1'] }), [
      { field: 'params.overrides[1]', message: 'could not parse ip address override 10.0.0.0/33: invalid CIDR address: 10.0.0.0/33' },
      { field: 'params.overrides[2]', message: 'could not parse ip address override ten: invalid CIDR address: ten/32' },
    ]);
    assert.deepEqual(problems({ entryType: 'REGEX', overrides: ['a+', '(b', 'x**'] }), [
      { field: 'params.overrides[1]', message: 'could not parse regex override (b: error parsing regexp: missing closing ): `(b`' },
      { field: 'params.overrides[2]', message: 'could not parse regex override x**: error parsing regexp: invalid nested repetition operator: `**`' },
    ]);
    assert.deepEqual(problems({ entryType: 'STRINGS', overrides: ['(b', '10.0.0.0/33'] }), []);
  });
});

describe('listchecker checks', () => {
  it('whitelist: found is OK, missing is PERMISSION_DENIED', async () => {
    const { check } = await build({ overrides: ['alice', 'bob'] });
    assert.deepEqual(await check('alice'), ok());
    assert.deepEqual(await check('carol'), denied(RpcCode.PERMISSION_DENIED, 'carol is not whitelisted'));
  });

  it('blacklist: found is PERMISSION_DENIED, missing is OK', async () => {
    const { check } = await build({ overrides: ['alice'], blacklist: true, cachingInterval: '1s', cachingUseCount: 7 });
    assert.deepEqual(await check('alice'), denied(RpcCode.PERMISSION_DENIED, 'alice is blacklisted', 1000, 7));
    assert.deepEqual(await check('bob'), ok(1000, 7));
  });

  it('CASE_INSENSITIVE_STRINGS', async () => {
    const { check } = await build({ overrides: ['Reviews'], entryType: 'CASE_INSENSITIVE_STRINGS' });
    assert.deepEqual(await check('REVIEWS'), ok());
    assert.deepEqual(await check('ratings'), denied(RpcCode.PERMISSION_DENIED, 'ratings is not whitelisted'));
  });

  it('IP_ADDRESSES: IP values and IP text, IPv4 and IPv6, invalid text', async () => {
    const { check } = await build({ overrides: ['10.57.0.0/16', '2001:db8::/48', '192.168.0.1'], entryType: 'IP_ADDRESSES', blacklist: true });
    assert.deepEqual(await check(IpAddress.parse('10.57.3.4')), denied(RpcCode.PERMISSION_DENIED, '10.57.3.4 is blacklisted'));
    assert.deepEqual(await check('10.58.3.4'), ok());
    assert.deepEqual(await check(IpAddress.parse('2001:db8:0:ffff::1')), denied(RpcCode.PERMISSION_DENIED, '2001:db8:0:ffff::1 is blacklisted'));
    assert.deepEqual(await check(IpAddress.parse('2001:db8:1::1')), ok());
    assert.deepEqual(await check('192.168.0.1'), denied(RpcCode.PERMISSION_DENIED, '192.168.0.1 is blacklisted'));
    assert.deepEqual(await check('192.168.0.2'), ok());
    assert.deepEqual(await check('10.57.3'), denied(RpcCode.INVALID_ARGUMENT, '10.57.3 is not a valid IP address'));
  });

  it('REGEX', async () => {
    const { check } = await build({ overrides: ['^/api/v[0-9]+/', 'admin'], entryType: 'REGEX' });
    assert.deepEqual(await check('/api/v2/users'), ok());
    assert.deepEqual(await check('/console/admin/x'), ok());
    assert.deepEqual(await check('/api/vX/users'), denied(RpcCode.PERMISSION_DENIED, '/api/vX/users is not whitelisted'));
  });

  it('looks IP values up by their text in string lists', async () => {
    const { check } = await build({ overrides: ['10.0.0.1'] });
    assert.deepEqual(await check(IpAddress.parse('10.0.0.1')), ok());
  });

  it('rejects values that are neither strings nor IP addresses', async () => {
    const { check } = await build({ overrides: ['42'] });
    assert.deepEqual(await check(42), denied(RpcCode.INVALID_ARGUMENT, '42 is not a valid string or IP address'));
    assert.deepEqual(await check(true), denied(RpcCode.INVALID_ARGUMENT, 'true is not a valid string or IP address'));
    assert.deepEqual(await check(undefined), denied(RpcCode.INVALID_ARGUMENT, '<nil> is not a valid string or IP address'));
  });
});

/** A list provider on a loopback port whose answer each test sets. */
class ListServer {
  status = 200;
  body = '';
  requests = 0;
  /** When true, requests are held until release(). */
  hold = false;
  private readonly held: ServerResponse[] = [];
  private onHeld: (() => void) | undefined;
  private server: Server | undefined;

  /** Resolves once a request is being held. */
  heldRequest(): Promise<void> {
    if (this.held.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onHeld = resolve;
    });
  }

  release(): void {
    this.hold = false;
    for (const response of this.held.splice(0)) this.answer(response);
  }

  private answer(response: ServerResponse): void {
    response.writeHead(this.status, { 'content-type': 'text/plain' });
    response.end(this.body);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/list`;
  }

  async start(): Promise<void> {
    this.server = createServer((_request, response) => {
      this.requests++;
      if (!this.hold) {
        this.answer(response);
        return;
      }
      this.held.push(response);
      this.onHeld?.();
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  async stop(): Promise<void> {
    this.server!.closeAllConnections();
    this.server!.close();
    await once(this.server!, 'close');
  }
}

/** Log lines written by the handler, to observe what a refresh did. */
function capturedLogger(): { logger: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      messages.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), messages };
}

describe('listchecker provider', () => {
  const server = new ListServer();
  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    server.status = 200;
    server.body = '';
    server.requests = 0;
    server.hold = false;
  });

  const provider = (extra: Record<string, unknown> = {}) => ({ providerUrl: server.url, refreshInterval: '60s', ttl: '120s', cachingInterval: '0s', ...extra });

  it('fetches the list when the handler is built, merged with the overrides', async () => {
    server.body = 'alice\nbob\n';
    const { env, check } = await build(provider({ overrides: ['carol'] }));
    assert.equal(server.requests, 1);
    assert.deepEqual(await check('bob'), ok(0));
    assert.deepEqual(await check('carol'), ok(0));
    assert.deepEqual(await check('dave'), denied(RpcCode.PERMISSION_DENIED, 'dave is not whitelisted', 0));
    env.close();
  });

  it('refreshes every refreshInterval and installs a changed list', async () => {
    server.body = 'alice\n';
    const { env, check } = await build(provider());
    server.body = 'bob\n';
    await env.advance(59_999);
    assert.equal(server.requests, 1);
    assert.deepEqual((await check('bob')).status.code, RpcCode.PERMISSION_DENIED);
    await env.advance(1);
    assert.equal(server.requests, 2);
    assert.deepEqual(await check('bob'), ok(0));
    assert.deepEqual((await check('alice')).status.code, RpcCode.PERMISSION_DENIED);
    env.close();
  });

  it('keeps the old list on a non-200 answer and purges it after ttl without success', async () => {
    server.body = 'alice\n';
    const { env, check } = await build(provider());
    server.status = 503;
    await env.advance(60_000);
    assert.equal(server.requests, 2);
    assert.deepEqual(await check('alice'), ok(0), 'the old list is still used');
    await env.advance(59_999);
    assert.deepEqual(await check('alice'), ok(0));
    await env.advance(1);
    assert.deepEqual(await check('alice'), {
      status: { code: RpcCode.UNAVAILABLE, message: `no list available: could not fetch list from ${server.url}: 503` },
      validDurationMs: 0,
      validUseCount: 0,
    });
    server.status = 200;
    await env.advance(60_000);
    assert.deepEqual(await check('alice'), ok(0), 'the next successful fetch reinstalls the list');
    env.close();
  });

  it('an unchanged body only postpones the purge', async () => {
    server.body = 'alice\n';
    const logged = capturedLogger();
    const { env, check } = await build(provider(), new ManualEnvironment({ logger: logged.logger }));
    await env.advance(120_000);
    assert.equal(server.requests, 3);
    assert.deepEqual(logged.messages.filter((message) => message === 'fetched list is unchanged').length, 2);
    assert.deepEqual(logged.messages.filter((message) => message === 'installing updated list').length, 1);
    server.status = 500;
    await env.advance(119_999);
    assert.deepEqual(await check('alice'), ok(0), 'the unchanged fetch at 120s pushed the purge to 240s');
    await env.advance(1);
    assert.equal((await check('alice')).status.code, RpcCode.UNAVAILABLE);
    env.close();
  });

  it('keeps the old list when the new data does not parse', async () => {
    server.body = 'whitelist:\n  - 10.0.0.0/8\n';
    const { env, check } = await build(provider({ entryType: 'IP_ADDRESSES' }));
    assert.deepEqual(await check('10.1.2.3'), ok(0));
    server.body = 'whitelist:\n  - 10.0.0.0/99\n';
    await env.advance(60_000);
    assert.deepEqual(await check('10.1.2.3'), ok(0));
    await env.advance(60_000);
    assert.deepEqual((await check('10.1.2.3')).status, {
      code: RpcCode.UNAVAILABLE,
      message: `no list available: could not parse data from ${server.url}: could not parse list entry 10.0.0.0/99: invalid CIDR address: 10.0.0.0/99`,
    });
    env.close();
  });

  it('answers UNAVAILABLE naming the error when the first fetch fails', async () => {
    server.status = 404;
    const { env, check } = await build(provider());
    assert.deepEqual((await check('alice')).status, { code: RpcCode.UNAVAILABLE, message: `no list available: could not fetch list from ${server.url}: 404` });
    env.close();
  });

  it('does not hold the build for a slow provider, and answers UNAVAILABLE until the list arrives', async () => {
    server.body = 'alice\n';
    server.hold = true;
    const env = new ManualEnvironment();
    const building = buildForTest(info, env, { params: provider() });
    await server.heldRequest();
    await env.advance(FIRST_FETCH_WAIT_MS);
    const { handler } = await building;
    assert.ok(handler instanceof ListCheckerHandler);
    const check = () => handler.handleListEntry(entry('alice'));
    assert.deepEqual(check(), {
      status: { code: RpcCode.UNAVAILABLE, message: `no list available: the list is still being fetched from ${server.url}` },
      validDurationMs: 0,
      validUseCount: 0,
    });
    server.release();
    await handler.settled();
    assert.deepEqual(check(), ok(0));
    env.close();
  });

  it('reports network errors', async () => {
    const dead = new ListServer();
    await dead.start();
    const url = dead.url;
    await dead.stop();
    const { env, check } = await build({ providerUrl: url });
    const result = await check('alice');
    assert.equal(result.status.code, RpcCode.UNAVAILABLE);
    assert.match(result.status.message, new RegExp(`^no list available: could not fetch list from ${url.replace(/[.]/g, '\\.')}: fetch failed .*ECONNREFUSED`));
    env.close();
  });

  it('schedules nothing without a provider, and closing cancels the refresh and purge timers', async () => {
    const offline = await build({ overrides: ['x'] });
    assert.equal(offline.env.pendingTimers, 0);
    server.body = 'x\n';
    const online = await build(provider());
    assert.equal(online.env.pendingTimers, 2);
    online.env.close();
    assert.equal(online.env.pendingTimers, 0);
    await online.env.advance(600_000);
    assert.equal(server.requests, 1);
  });
});
