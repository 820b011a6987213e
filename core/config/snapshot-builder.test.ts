import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { problem } from '../../adapters/sdk/config-problem.js';
import { Type } from '@sinclair/typebox';
import type { AdapterInfo, HandlerConfig } from '../../adapters/sdk/adapter-info.js';
import { ValueType } from '../attribute/value-type.js';
import { configResource } from './config-resource.js';
import { isSnapshotAcceptable } from './config-store.js';
import { buildSnapshot, SnapshotBuilder } from './snapshot-builder.js';
import { errorLines, snapshotOf, yaml } from './testing/config-fixtures.js';
import { testAdapter, testAdapters } from './testing/test-adapters.js';
import { manyRuleResources } from '../runtime/testing/many-rules.js';

const LEGACY = yaml(
  'apiVersion: "config.istio.io/v1alpha2"',
  'kind: memquota',
  'metadata: { name: handler, namespace: istio-system }',
  'spec:',
  '  quotas:',
  '  - name: requestcount.quota.istio-system',
  '    maxAmount: 500',
  '---',
  'apiVersion: "config.istio.io/v1alpha2"',
  'kind: quota',
  'metadata: { name: requestcount, namespace: istio-system }',
  'spec:',
  '  dimensions:',
  '    destination: destination.labels["app"] | destination.service.name | "unknown"',
  '---',
  'apiVersion: config.istio.io/v1alpha2',
  'kind: QuotaSpec',
  'metadata: { name: request-count, namespace: istio-system }',
  'spec: { rules: [ { quotas: [ { charge: 1, quota: requestcount } ] } ] }',
  '---',
  'apiVersion: networking.istio.io/v1alpha3',
  'kind: DestinationRule',
  'metadata: { name: istio-policy }',
  'spec: { host: istio-policy.istio-system.svc.cluster.local }',
  '---',
  'apiVersion: networking.istio.io/v1alpha3',
  'kind: rule',
  'metadata: { name: not-mixer }',
  'spec: { whatever: 1 }',
  '---',
  'apiVersion: config.istio.io/v1alpha2',
  'kind: rule',
  'metadata: { name: quota, namespace: istio-system }',
  'spec:',
  '  actions:',
  '  - handler: handler.memquota',
  '    instances: [ requestcount.quota ]',
);

describe('SnapshotBuilder', () => {
  test('legacy per-adapter and per-template kinds are handlers and instances named name.<adapter|template>.namespace', () => {
    const snapshot = snapshotOf(LEGACY);
    assert.deepEqual(errorLines(snapshot), []);
    const handler = snapshot.handlers.get('handler.memquota.istio-system');
    assert.equal(handler?.adapter.name, 'memquota');
    assert.deepEqual(handler?.params, { quotas: [{ name: 'requestcount.quota.istio-system', maxAmount: 500 }] }, 'the whole spec is the params');
    assert.deepEqual(handler?.origin, { file: 'config.yaml', line: 1, kind: 'memquota', namespace: 'istio-system', name: 'handler' });
    const instance = snapshot.instances.get('requestcount.quota.istio-system');
    assert.equal(instance?.template.name, 'quota');
    assert.equal(instance?.builder.instanceName, 'requestcount.quota.istio-system');
    assert.deepEqual(handler?.instances, [{ name: 'requestcount.quota.istio-system', template: 'quota', types: { dimensions: { destination: ValueType.STRING } } }]);
    assert.deepEqual(snapshot.rules.map((rule) => [rule.name, rule.actions[0]?.handler, rule.actions[0]?.instances]), [
      ['quota.rule.istio-system', 'handler.memquota.istio-system', ['requestcount.quota.istio-system']],
    ]);
  });

  test('other kinds and API groups are counted and otherwise ignored', () => {
    const snapshot = snapshotOf(LEGACY);
    assert.deepEqual(snapshot.resourceCounts, { memquota: 1, quota: 1, QuotaSpec: 1, DestinationRule: 1, rule: 2 });
    assert.equal(snapshot.rules.length, 1);
  });

  test('policy.istio.io/v1beta1 resources are Mixer config too', () => {
    const snapshot = snapshotOf(yaml('apiVersion: policy.istio.io/v1beta1', 'kind: handler', 'metadata: { name: d }', 'spec: { compiledAdapter: denier }'));
    assert.deepEqual([...snapshot.handlers.keys()], ['d.handler.istio-system']);
  });

  test('an adapter whose params schema throws gets an error on that handler only', () => {
    const throwing = {
      ...testAdapter('thrower', ['checknothing']),
      params: {
        schema: Type.Object({}),
        parse: (): never => {
          throw new Error('boom');
        },
      },
    } as unknown as AdapterInfo;
    const snapshot = snapshotOf(
      yaml('apiVersion: config.istio.io/v1alpha2', 'kind: thrower', 'metadata: { name: t }', 'spec: {}', '---', 'apiVersion: config.istio.io/v1alpha2', 'kind: denier', 'metadata: { name: d }'),
      { adapters: [...testAdapters(), throwing] },
    );
    assert.deepEqual(errorLines(snapshot), ["config.yaml:4: thrower/istio-system/t: spec: adapter 'thrower' failed to parse its params: boom"]);
    assert.deepEqual([...snapshot.handlers.keys()], ['d.denier.istio-system']);
  });

  test('a registered adapter\'s name is a legacy kind too', () => {
    const custom = testAdapter('acme-check', ['checknothing']);
    const snapshot = snapshotOf(yaml('apiVersion: config.istio.io/v1alpha2', 'kind: acme-check', 'metadata: { name: h }', 'spec: { level: 3 }'), {
      adapters: [...testAdapters(), custom],
    });
    assert.deepEqual(errorLines(snapshot), []);
    assert.deepEqual(snapshot.handlers.get('h.acme-check.istio-system')?.params, { level: 3 });
  });

  test('resources without a namespace go to the default config namespace (configurable)', () => {
    const text = yaml('apiVersion: config.istio.io/v1alpha2', 'kind: denier', 'metadata: { name: d }', 'spec: {}');
    assert.deepEqual([...snapshotOf(text).handlers.keys()], ['d.denier.istio-system']);
    const custom = snapshotOf(text, { defaultNamespace: 'mesh-config' });
    assert.deepEqual([...custom.handlers.keys()], ['d.denier.mesh-config']);
    assert.equal(custom.defaultNamespace, 'mesh-config');
    assert.equal(snapshotOf(text).defaultNamespace, 'istio-system');
  });

  test('the snapshot is immutable', () => {
    const snapshot = snapshotOf(LEGACY);
    assert.ok(Object.isFrozen(snapshot));
    assert.throws(() => {
      (snapshot as { id: number }).id = 7;
    }, TypeError);
    assert.ok(Object.isFrozen(snapshot.rules));
    assert.throws(() => (snapshot.rules as unknown[]).push({}), TypeError);
    const rule = snapshot.rules[0]!;
    assert.ok(Object.isFrozen(rule) && Object.isFrozen(rule.actions) && Object.isFrozen(rule.actions[0]) && Object.isFrozen(rule.actions[0]!.instances));
    assert.equal('set' in snapshot.handlers, false);
    assert.equal('delete' in snapshot.instances, false);
    assert.throws(() => (snapshot.handlers as unknown as Map<string, unknown>).set('x', 1), TypeError);
    const handler = snapshot.handlers.get('handler.memquota.istio-system')!;
    assert.ok(Object.isFrozen(handler) && Object.isFrozen(handler.instances) && Object.isFrozen(handler.params));
    assert.throws(() => {
      (handler.params as { quotas: unknown[] }).quotas.push({});
    }, TypeError);
    assert.ok(Object.isFrozen(snapshot.instances.get('requestcount.quota.istio-system')));
    assert.ok(Object.isFrozen(snapshot.errors) && Object.isFrozen(snapshot.resourceCounts));
  });

  test('snapshot ids increase with every build of one builder', () => {
    const builder = new SnapshotBuilder({ adapters: testAdapters(), environment: {} });
    const first = builder.build({ resources: [] });
    const second = builder.build({ resources: [] });
    assert.ok(second.id > first.id);
    assert.deepEqual(first.errors, []);
    assert.equal(first.manifest.typeOf('source.ip'), ValueType.IP_ADDRESS);
  });

  test('adapters validate the whole handler config; a rejected handler is dropped with its actions', () => {
    const seen: HandlerConfig<Record<string, unknown>>[] = [];
    const picky = testAdapter('picky', ['checknothing', 'listentry'], (config) => {
      seen.push(config);
      return config.params['limit'] === undefined ? [problem('params.limit', 'limit is required'), problem('params', 'and it is all wrong')] : [];
    });
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: strict }',
        'spec:',
        '  compiledAdapter: picky',
        '  params:', // 6
        '    other: 1',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: fine }',
        'spec: { compiledAdapter: picky, params: { limit: 3 } }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: unused }',
        'spec: { compiledAdapter: picky }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: listentry',
        'metadata: { name: version }',
        'spec: { value: source.name }',
        '---',
        'apiVersion: config.istio.io/v1alpha2', // 24
        'kind: rule',
        'metadata: { name: both }',
        'spec:',
        '  actions:',
        '  - handler: strict', // 29
        '    instances: [ version.listentry ]',
        '  - handler: fine',
        '    instances: [ version.listentry ]',
        '---',
        'apiVersion: config.istio.io/v1alpha2', // 34
        'kind: rule',
        'metadata: { name: only }',
        'spec:',
        '  actions:',
        '  - handler: strict', // 39
        '    instances: [ version.listentry ]',
      ),
      { adapters: [...testAdapters(), picky] },
    );
    assert.deepEqual(errorLines(snapshot), [
      'config.yaml:6: handler/istio-system/strict: spec.params.limit: limit is required',
      'config.yaml:6: handler/istio-system/strict: spec.params: and it is all wrong',
      "config.yaml:29: rule/istio-system/both: spec.actions[0].handler: handler 'strict.handler.istio-system' is not valid (its adapter rejected its config); the action is dropped",
      "config.yaml:39: rule/istio-system/only: spec.actions[0].handler: handler 'strict.handler.istio-system' is not valid (its adapter rejected its config); the action is dropped",
      'config.yaml:34: rule/istio-system/only: No valid actions found in rule',
    ]);
    assert.deepEqual(seen.map((config) => [config.name, config.instances.map((instance) => [instance.name, instance.template, instance.types])]), [
      ['strict.handler.istio-system', [['version.listentry.istio-system', 'listentry', { value: ValueType.STRING }]]],
      ['fine.handler.istio-system', [['version.listentry.istio-system', 'listentry', { value: ValueType.STRING }]]],
    ], 'validate runs once per used handler with its routed instances; unused handlers are not validated');
    assert.deepEqual([...snapshot.handlers.keys()], ['fine.handler.istio-system', 'unused.handler.istio-system']);
    assert.deepEqual(snapshot.rules.map((rule) => [rule.name, rule.actions.map((action) => action.handler)]), [['both.rule.istio-system', ['fine.handler.istio-system']]]);
    assert.equal(isSnapshotAcceptable(snapshot), false);
  });

  test('handler signatures are stable across builds and change with adapter params or routed instances', () => {
    const config = (limit: number, instances: string) =>
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: d }',
        `spec: { compiledAdapter: denier, params: { status: { code: 7 }, validUseCount: ${limit} } }`,
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: checknothing',
        'metadata: { name: a }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: listentry',
        'metadata: { name: b }',
        'spec: { value: source.name }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: r }',
        `spec: { actions: [ { handler: d, instances: [ ${instances} ] } ] }`,
      );
    const signature = (text: string) => snapshotOf(text).handlers.get('d.handler.istio-system')?.signature;
    const base = signature(config(10, 'a.checknothing'));
    assert.match(base ?? '', /^[0-9a-f]{64}$/);
    assert.equal(signature(config(10, 'a.checknothing')), base);
    assert.notEqual(signature(config(11, 'a.checknothing')), base);
    assert.notEqual(signature(config(10, 'a.checknothing, b.listentry')), base);
    assert.equal(signature(config(10, 'a.checknothing, b.listentry')), signature(config(10, 'b.listentry, a.checknothing')), 'instance order does not matter');
  });

  test('builds from resources made without YAML, and accepts loader errors', () => {
    const snapshot = buildSnapshot(
      {
        resources: [configResource({ kind: 'denier', name: 'd', namespace: 'ns', spec: { status: { code: 7 } } })],
        errors: [{ file: 'x.yaml', line: 3, kind: '', namespace: '', name: '', field: '', message: 'YAML syntax error: oops' }],
      },
      { adapters: testAdapters(), environment: {} },
    );
    assert.deepEqual([...snapshot.handlers.keys()], ['d.denier.ns']);
    assert.deepEqual(errorLines(snapshot), ['x.yaml:3: YAML syntax error: oops']);
  });

  test('the same adapter registered twice is a programming error', () => {
    assert.throws(() => new SnapshotBuilder({ adapters: [...testAdapters(), testAdapter('denier', ['checknothing'])] }), /adapter 'denier' is registered twice/);
  });
});

describe('SnapshotBuilder.buildInSlices', () => {
  test('yields to the event loop while it builds 10,000 rules, and builds what build() builds', async () => {
    const resources = manyRuleResources(10_000);
    const builder = new SnapshotBuilder({ adapters: testAdapters(), environment: {} });
    let finished = false;
    let ranDuringBuild: boolean | undefined;
    setImmediate(() => {
      ranDuringBuild = !finished;
    });
    const sliced = await builder.buildInSlices({ resources });
    finished = true;
    assert.equal(ranDuringBuild, true, 'a callback scheduled when the build started ran before it finished');
    const whole = builder.build({ resources });
    assert.deepEqual(sliced.errors, []);
    assert.deepEqual(
      sliced.rules.map((rule) => [rule.name, rule.matchText, rule.actions]),
      whole.rules.map((rule) => [rule.name, rule.matchText, rule.actions]),
    );
    assert.deepEqual([...sliced.handlers.values()].map((handler) => handler.signature), [...whole.handlers.values()].map((handler) => handler.signature));
    assert.ok(whole.id > sliced.id);
  });

  test('a build called off by its signal rejects with the reason and takes no snapshot id', async () => {
    const builder = new SnapshotBuilder({ adapters: testAdapters(), environment: {} });
    const controller = new AbortController();
    const building = builder.buildInSlices({ resources: manyRuleResources(1000) }, { sliceMs: 0, signal: controller.signal });
    controller.abort(new Error('a newer config arrived'));
    await assert.rejects(building, /a newer config arrived/);
    assert.equal(builder.build({ resources: [] }).id, 1);
  });
});
