import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RpcCode } from '../../core/status/rpc-code.js';
import type { CheckResult } from '../../templates/handler-contract.js';
import { buildForTest, ManualEnvironment } from '../sdk/testing/index.js';
import { rbac } from './index.js';
import { authorizationInstance, type RequestFixture } from './request-fixture.js';

const info = rbac.info;

async function check(params: unknown, request: RequestFixture): Promise<CheckResult> {
  const { handler } = await buildForTest(info, new ManualEnvironment(), { params });
  return handler.handleAuthorization(authorizationInstance(request), { deduplicationId: '' });
}

describe('rbac adapter', () => {
  it('is named rbac and handles the authorization template', () => {
    assert.equal(info.name, 'rbac');
    assert.deepEqual(info.supportedTemplates, ['authorization']);
  });

  it('has sensible defaults: allow without policies, cacheable for 60s / 10000 uses', async () => {
    const parsed = info.params.parse(undefined);
    assert.ok(parsed.ok);
    if (!parsed.ok) return;
    assert.deepEqual(parsed.value.policies, []);
    assert.equal(parsed.value.rootNamespace, 'istio-system');
    assert.equal(parsed.value.roles, undefined);
    assert.equal(parsed.value.validDuration.toString(), '1m0s');
    assert.equal(parsed.value.validUseCount, 10000);
    assert.deepEqual(await check(undefined, {}), { status: { code: RpcCode.OK, message: '' }, validDurationMs: 60_000, validUseCount: 10_000 });
  });

  it('puts the configured validity on allowances and denials alike', async () => {
    const params = { valid_duration: '5s', valid_use_count: 7, policies: [{ name: 'only-alice', rules: [{ from: [{ source: { principals: ['alice'] } }] }] }] };
    assert.deepEqual(await check(params, { user: 'alice' }), { status: { code: RpcCode.OK, message: '' }, validDurationMs: 5000, validUseCount: 7 });
    assert.deepEqual(await check(params, { user: 'bob' }), {
      status: { code: RpcCode.PERMISSION_DENIED, message: 'RBAC: access denied: no ALLOW policy matched (considered only-alice)' },
      validDurationMs: 5000,
      validUseCount: 7,
    });
  });

  it('takes Istio rbac\'s cacheDuration over validDuration', async () => {
    assert.equal((await check({ cacheDuration: '30s', validDuration: '5s' }, {})).validDurationMs, 30_000);
  });

  it('answers from the instance alone: the same instance gets the same decision', async () => {
    const { handler } = await buildForTest(info, new ManualEnvironment(), { params: { policies: [{ name: 'd', action: 'DENY', rules: [{ to: [{ operation: { paths: ['/x'] } }] }] }] } });
    const instance = authorizationInstance({ path: '/x' });
    const first = await handler.handleAuthorization(instance, { deduplicationId: 'a' });
    const second = await handler.handleAuthorization(instance, { deduplicationId: 'b' });
    assert.deepEqual(first, second);
    assert.equal(first.status.message, 'RBAC: access denied by DENY policy d (rules[0])');
  });

  it('answers repeated denials with one shared, frozen result naming every refusing policy', async () => {
    const policies = [
      { name: 'a', namespace: 'ns', rules: [{ from: [{ source: { principals: ['x'] } }] }] },
      { name: 'b', rules: [{ from: [{ source: { principals: ['y'] } }] }] },
    ];
    const { handler } = await buildForTest(info, new ManualEnvironment(), { params: { policies } });
    const first = await handler.handleAuthorization(authorizationInstance({ workloadNamespace: 'ns', user: 'z' }), { deduplicationId: '' });
    const second = await handler.handleAuthorization(authorizationInstance({ workloadNamespace: 'ns', user: 'w' }), { deduplicationId: '' });
    assert.equal(first.status.message, 'RBAC: access denied: no ALLOW policy matched (considered ns/a, b)');
    assert.equal(second, first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.status));
    const elsewhere = await handler.handleAuthorization(authorizationInstance({ workloadNamespace: 'other', user: 'z' }), { deduplicationId: '' });
    assert.equal(elsewhere.status.message, 'RBAC: access denied: no ALLOW policy matched (considered b)');
  });

  it('refuses to build a config with problems', async () => {
    await assert.rejects(buildForTest(info, new ManualEnvironment(), { params: { policies: [{ name: 'd', action: 'DENY' }] } }), /deny policy without `rules`/);
  });
});
