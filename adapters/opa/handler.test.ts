import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';

import { RpcCode } from '../../core/status/rpc-code.js';
import type { AuthorizationInstance } from '../../templates/definitions.js';
import { DecisionMaker } from './decision.js';
import { OpaHandler } from './handler.js';
import { opaMetrics } from './policy-metrics.js';
import { noPolicy } from './policy-state.js';
import type { QueryOutcome, WasmPolicy } from './wasm-policy.js';

const INSTANCE: AuthorizationInstance = {
  name: 'requestcontext.instance.istio-system',
  subject: { user: 'alice', groups: undefined, properties: {} },
  action: { namespace: 'shop', service: undefined, method: 'GET', path: '/products/1', properties: {} },
};

/** A stand-in policy that records its inputs and answers from `answer`. */
function fakePolicy(answer: (input: unknown) => QueryOutcome): { policy: WasmPolicy; inputs: unknown[] } {
  const inputs: unknown[] = [];
  const policy = {
    entrypoint: 'mixerauthz/allow',
    query(input: unknown) {
      inputs.push(input);
      return answer(input);
    },
  } as unknown as WasmPolicy;
  return { policy, inputs };
}

function decisions(failClose: boolean): DecisionMaker {
  return new DecisionMaker({ entrypoint: 'mixerauthz/allow', policyName: 'rbac.wasm', failClose, validDurationMs: 1000, validUseCount: 3 });
}

describe('OpaHandler', () => {
  it('asks the serving policy with the shaped instance and answers by its value', () => {
    const metrics = new Registry();
    const { policy, inputs } = fakePolicy((input) => ({ ok: true, value: (input as { subject: { user?: string } }).subject.user === 'alice' }));
    const handler = new OpaHandler({ current: policy, unavailableReason: '' }, decisions(false), opaMetrics(metrics));
    assert.equal(handler.handleAuthorization(INSTANCE).status.code, RpcCode.OK);
    assert.deepEqual(inputs, [{ subject: { user: 'alice' }, action: { namespace: 'shop', method: 'GET', path: '/products/1' } }]);
    const denied = handler.handleAuthorization({ ...INSTANCE, subject: { ...INSTANCE.subject, user: 'bob' } });
    assert.equal(denied.status.code, RpcCode.PERMISSION_DENIED);
    assert.equal(denied.validUseCount, 3);
  });

  it('counts the requests it could not decide (no policy, evaluation errors, odd values)', async () => {
    const metrics = new Registry();
    const counters = opaMetrics(metrics);
    const none = new OpaHandler(noPolicy('no policy loaded: rbac.wasm: cannot read'), decisions(true), counters);
    const result = none.handleAuthorization(INSTANCE);
    assert.equal(result.status.code, RpcCode.PERMISSION_DENIED);
    assert.match(result.status.message, /no policy loaded: rbac\.wasm: cannot read$/);
    const failing = new OpaHandler({ current: fakePolicy(() => ({ ok: false, message: 'evaluation failed: x' })).policy, unavailableReason: '' }, decisions(false), counters);
    assert.equal(failing.handleAuthorization(INSTANCE).status.code, RpcCode.OK);
    const odd = new OpaHandler({ current: fakePolicy(() => ({ ok: true, value: 'maybe' })).policy, unavailableReason: '' }, decisions(true), counters);
    assert.equal(odd.handleAuthorization(INSTANCE).status.code, RpcCode.PERMISSION_DENIED);
    const decided = new OpaHandler({ current: fakePolicy(() => ({ ok: true, value: false })).policy, unavailableReason: '' }, decisions(true), counters);
    decided.handleAuthorization(INSTANCE);
    assert.match(await metrics.metrics(), /mixer_adapter_opa_evaluation_problems_total 3/);
  });
});
