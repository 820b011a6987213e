import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { configProblems } from '../sdk/testing/harness.js';
import { opa } from './index.js';
import { opaParams } from './params.js';
import { opaConfigProblems, resolveEntrypoint } from './validate.js';

function problems(params: unknown): string[] {
  return configProblems(opa.info, { params }).map((problem) => `${problem.field}: ${problem.message}`);
}

function parsed(params: unknown) {
  const result = opaParams.parse(params);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

describe('opa params and validation', () => {
  it("parses Istio's params (snake_case or camelCase) and fills this adapter's defaults", () => {
    const params = parsed({ policy: ['package a'], check_method: 'data.a.allow', fail_close: true });
    assert.deepEqual(params.policy, ['package a']);
    assert.equal(params.checkMethod, 'data.a.allow');
    assert.equal(params.failClose, true);
    assert.equal(params.validDuration.toMillis(), 0);
    assert.equal(params.validUseCount, 0);
    assert.equal(params.pollInterval.toMillis(), 1000);
    assert.equal(params.regoVersion, 'v0');
    assert.equal(params.opaCommand, 'opa');
    assert.deepEqual(params.data, {});
    assert.deepEqual(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', valid_duration: '5s', valid_use_count: 10, data_file: '/d.json' }), []);
  });

  it("reports Istio's problems when nothing is configured", () => {
    assert.deepEqual(problems({}), [
      'params.policy: policies are not configured (set bundle, wasm or policy)',
      'params.entrypoint: check method is not configured (set entrypoint, or checkMethod as in Istio)',
    ]);
  });

  it('reports schema problems with their field', () => {
    assert.deepEqual(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', polcy: [] }), ['params.polcy: unknown field']);
    assert.deepEqual(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', regoVersion: 'v2' }), ['params.regoVersion: "v2" is not one of v0, v1']);
    assert.deepEqual(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', pollInterval: 'soon' }), ['params.pollInterval: "soon" is not a duration (examples: 500ms, 1s, 1m30s)']);
    assert.match(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', validUseCount: -1 }).join(), /^params\.validUseCount: /);
    assert.match(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', failClose: 'yes' }).join(), /^params\.failClose: /);
  });

  it('reports contradictions and bad values beyond the schema', () => {
    assert.deepEqual(problems({ wasm: '/p.wasm', bundle: '/b.tar.gz', entrypoint: 'a/allow' }), ['params: only one of bundle, wasm and policy may be set, found bundle and wasm']);
    assert.deepEqual(problems({ policy: ['package a', '  '], checkMethod: 'data.a.allow', opaCommand: '' }), [
      'params.policy[1]: empty policy module',
      'params.opaCommand: the opa CLI is needed to compile policy',
    ]);
    assert.deepEqual(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', checkMethod: 'data.b.allow' }), ['params.checkMethod: names b/allow but entrypoint names a/allow; set one of them']);
    assert.deepEqual(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', checkMethod: 'data.a.allow' }), []);
    assert.deepEqual(problems({ wasm: '/p.wasm', entrypoint: 'a-b/allow' }), ["params.entrypoint: 'a-b/allow' is not a rule reference (examples: mixerauthz/allow, data.mixerauthz.allow)"]);
    assert.deepEqual(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', validDuration: '-1s' }), ['params.validDuration: must be >= 0, it is -1s']);
    assert.deepEqual(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', pollInterval: '5ms' }), ['params.pollInterval: must be 0s (no polling) or at least 10ms, it is 5ms']);
    assert.deepEqual(problems({ wasm: '/p.wasm', entrypoint: 'a/allow', pollInterval: '0s' }), []);
  });

  it('with failClose, validation passes and the problems are left for the handler to log and answer with (Istio)', () => {
    assert.deepEqual(problems({ failClose: true }), []);
    assert.equal(opaConfigProblems(parsed({ failClose: true })).length, 2);
  });

  it('resolves the entrypoint from entrypoint, else checkMethod', () => {
    assert.equal(resolveEntrypoint(parsed({ checkMethod: 'data.mixerauthz.allow' })), 'mixerauthz/allow');
    assert.equal(resolveEntrypoint(parsed({ entrypoint: 'x/y', checkMethod: 'data.mixerauthz.allow' })), 'x/y');
    assert.equal(resolveEntrypoint(parsed({})), undefined);
    assert.equal(resolveEntrypoint(parsed({ entrypoint: 'not valid' })), undefined);
  });
});
