import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { defineAdapter } from '../../adapters/sdk/define-adapter.js';
import { defineParams } from '../../adapters/sdk/params-schema.js';
import { OK_STATUS } from '../../core/status/rpc-status.js';
import { resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// Misbehaving adapters, loaded the way third-party adapters are: a failure is a status for that
// handler, logged and counted, never a crash.
const misbehaving = defineAdapter({
  name: 'misbehaving',
  description: 'throws, rejects, hangs or answers garbage, as configured',
  supportedTemplates: ['checknothing'],
  params: defineParams(Type.Object({ mode: Type.Union([Type.Literal('throw'), Type.Literal('reject'), Type.Literal('hang'), Type.Literal('garbage'), Type.Literal('ok')]) })),
  build: (config) => ({
    handleCheckNothing: () => {
      switch (config.params.mode) {
        case 'throw':
          throw new Error('adapter bug');
        case 'reject':
          return Promise.reject(new Error('backend down'));
        case 'hang':
          return new Promise(() => undefined);
        case 'garbage':
          return { nonsense: true } as never;
        default:
          return { status: OK_STATUS, validDurationMs: 1000, validUseCount: 5 };
      }
    },
  }),
});

const cannotBuild = defineAdapter({
  name: 'cannot-build',
  description: 'fails to build its handler',
  supportedTemplates: ['checknothing'],
  params: defineParams(Type.Object({})),
  build: () => {
    throw new Error('no backend configured');
  },
});

function rule(name: string, adapter: string, params: string, app: string): string {
  return [
    resource('handler', name, `compiledAdapter: ${adapter}\nparams:\n${params}`),
    resource('instance', `${name}instance`, 'compiledTemplate: checknothing'),
    resource('rule', name, `match: destination.labels["app"] == "${app}"\nactions:\n- handler: ${name}\n  instances: [ ${name}instance ]`),
  ].join('');
}

describe('handlers that fail', () => {
  let mixer: RunningMixer;
  before(async () => {
    mixer = await startMixer(
      {
        'rules.yaml': [
          rule('thrower', 'misbehaving', '  mode: throw', 'a'),
          rule('rejecter', 'misbehaving', '  mode: reject', 'b'),
          rule('hanger', 'misbehaving', '  mode: hang', 'c'),
          rule('garbage', 'misbehaving', '  mode: garbage', 'd'),
          rule('fine', 'misbehaving', '  mode: ok', 'e'),
          rule('unbuilt', 'cannot-build', '  {}', 'f'),
        ].join(''),
      },
      { adapters: [misbehaving, cannotBuild], handlerTimeoutMs: 200 },
    );
  });
  after(() => mixer.close());

  const call = async (app: string) => (await mixer.check({ attributes: { 'destination.labels': { app } } })).body.precondition;

  test('a throw or a rejection is INTERNAL for that handler, uncacheable', async () => {
    const thrown = await call('a');
    assert.deepEqual(thrown.status, { code: 13, message: 'thrower.handler.istio-system:adapter bug' });
    assert.equal(thrown.validUseCount, 0);
    assert.deepEqual((await call('b')).status, { code: 13, message: 'rejecter.handler.istio-system:backend down' });
  });

  test('a handler that never answers times out with DEADLINE_EXCEEDED', async () => {
    assert.deepEqual((await call('c')).status, { code: 4, message: 'hanger.handler.istio-system:handler timed out after 200 ms' });
  });

  test('an invalid answer is INTERNAL, and a good handler still answers', async () => {
    const garbage = await call('d');
    assert.equal(garbage.status.code, 13);
    assert.match(garbage.status.message ?? '', /invalid check result/);
    const fine = await call('e');
    assert.equal(fine.status.code, 0);
    assert.equal(fine.validDuration, '1s');
    assert.equal(fine.validUseCount, 5);
  });

  test("a handler that cannot be built is reported and its rule is not dispatched", async () => {
    assert.equal((await call('f')).status.code, 0);
    const debug = (await mixer.getMonitoring('/debug/config')).body as { active: { handlerFailures: string[] } };
    assert.deepEqual(debug.active.handlerFailures, ['unbuilt.handler.istio-system (cannot-build): no backend configured']);
  });

  test('failures are counted in the self-monitoring metrics', async () => {
    const text = await (await fetch(`${mixer.monitoringUrl}/metrics`)).text();
    assert.match(text, /mixer_dispatch_failures_total\{handler="thrower\.handler\.istio-system",adapter="misbehaving",variety="check",outcome="error"\} [1-9]/);
    assert.match(text, /mixer_dispatch_failures_total\{handler="hanger\.handler\.istio-system",adapter="misbehaving",variety="check",outcome="timeout"\} [1-9]/);
    assert.match(text, /mixer_check_total\{code="INTERNAL"\} [1-9]/);
    assert.match(text, /mixer_config_reloads_total\{result="applied"\} 1/);
  });
});
