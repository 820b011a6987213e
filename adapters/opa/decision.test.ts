import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RpcCode } from '../../core/status/rpc-code.js';
import { DecisionMaker, verdictOf, type DecisionSettings } from './decision.js';

const SETTINGS: DecisionSettings = { entrypoint: 'mixerauthz/allow', policyName: 'rbac.wasm', failClose: false, validDurationMs: 30_000, validUseCount: 7 };

const value = (result: unknown) => ({ ok: true as const, value: result });

describe('verdictOf', () => {
  it('reads true / {allow: true} as allow, false / {allow: false} as deny with the reason, the rest as no decision', () => {
    assert.deepEqual(verdictOf(value(true), 'p/allow'), { kind: 'allow' });
    assert.deepEqual(verdictOf(value({ allow: true, reason: 'ignored' }), 'p/allow'), { kind: 'allow' });
    assert.deepEqual(verdictOf(value(false), 'p/allow'), { kind: 'deny', reason: undefined });
    assert.deepEqual(verdictOf(value({ allow: false }), 'p/allow'), { kind: 'deny', reason: undefined });
    assert.deepEqual(verdictOf(value({ allow: false, reason: 'blocked' }), 'p/allow'), { kind: 'deny', reason: 'blocked' });
    assert.deepEqual(verdictOf(value({ allow: false, reason: ['b', 'a'] }), 'p/allow'), { kind: 'deny', reason: 'a; b' });
    assert.deepEqual(verdictOf(value({ allow: false, reason: '' }), 'p/allow'), { kind: 'deny', reason: undefined });
    assert.deepEqual(verdictOf(value({ allow: false, reason: { code: 3 } }), 'p/allow'), { kind: 'deny', reason: '{"code":3}' });
    assert.deepEqual(verdictOf(value('yes'), 'p/allow'), { kind: 'undecided', why: 'p/allow is "yes", not a boolean or {allow: boolean}' });
    assert.deepEqual(verdictOf(value({ allow: 'true' }), 'p/allow'), { kind: 'undecided', why: 'p/allow is {"allow":"true"}, not a boolean or {allow: boolean}' });
    assert.equal(verdictOf(value([true]), 'p/allow').kind, 'undecided');
    assert.match((verdictOf(value('x'.repeat(500)), 'p/allow') as { why: string }).why, /^p\/allow is "x{116}\.\.\., not a boolean/);
    assert.deepEqual(verdictOf({ ok: false, message: 'p/allow is undefined' }, 'p/allow'), { kind: 'undecided', why: 'p/allow is undefined' });
  });
});

describe('DecisionMaker', () => {
  it('allows and denies with the configured validity, denials naming entrypoint, policy and reason', () => {
    const decisions = new DecisionMaker(SETTINGS);
    const allowed = decisions.decide(value(true));
    assert.deepEqual(allowed, { status: { code: RpcCode.OK, message: '' }, validDurationMs: 30_000, validUseCount: 7 });
    const denied = decisions.decide(value(false));
    assert.deepEqual(denied, { status: { code: RpcCode.PERMISSION_DENIED, message: 'opa: request was rejected by mixerauthz/allow (rbac.wasm)' }, validDurationMs: 30_000, validUseCount: 7 });
    const reasoned = decisions.decide(value({ allow: false, reason: 'mallory is on the deny list' }));
    assert.equal(reasoned.status.message, 'opa: request was rejected by mixerauthz/allow (rbac.wasm): mallory is on the deny list');
  });

  it('answers no decision by failClose, saying why, and not cacheable', () => {
    const open = new DecisionMaker(SETTINGS).decide({ ok: false, message: 'evaluation failed: boom' });
    assert.deepEqual(open, {
      status: { code: RpcCode.OK, message: 'opa: request was allowed although the policy could not decide (failClose is false): evaluation failed: boom' },
      validDurationMs: 0,
      validUseCount: 0,
    });
    const closed = new DecisionMaker({ ...SETTINGS, failClose: true }).undecided('no policy loaded: rbac.wasm: cannot read');
    assert.deepEqual(closed, {
      status: { code: RpcCode.PERMISSION_DENIED, message: 'opa: request was rejected because the policy could not decide (failClose): no policy loaded: rbac.wasm: cannot read' },
      validDurationMs: 0,
      validUseCount: 0,
    });
  });
});
