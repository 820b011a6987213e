import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { defineAdapter } from '../../adapters/sdk/define-adapter.js';
import { defineParams } from '../../adapters/sdk/params-schema.js';
import { errorLines, snapshotOf, yaml } from './testing/config-fixtures.js';
import { testAdapters } from './testing/test-adapters.js';

const AVAILABLE = '(available: denier, listchecker, memquota, noop, stdio)';
const TEMPLATES = '(available: apikey, authorization, checknothing, edge, listentry, logentry, metric, quota, reportnothing, tracespan)';

/** An adapter whose params are strict: `{count: integer >= 0, mode: string}`, nothing else. */
const strict = defineAdapter({
  name: 'strict',
  description: 'strict params',
  supportedTemplates: ['checknothing'],
  params: defineParams(Type.Object({ count: Type.Integer({ minimum: 0, default: 0 }), mode: Type.String({ default: 'a' }) }, { additionalProperties: false })),
  build: () => ({ handleCheckNothing: () => ({ status: { code: 0, message: '' }, validDurationMs: 0, validUseCount: 0 }) }),
}).info;

describe('snapshot errors: handlers', () => {
  test('an adapter Istio has but this build lacks, for new-style and legacy kinds; an unknown adapter', () => {
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: prom, namespace: istio-system }',
        'spec:',
        '  compiledAdapter: prometheus', // 5
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: redisquota', // 8
        'metadata: { name: handler, namespace: istio-system }',
        'spec: { redisServerUrl: "localhost:6379" }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: typo }', // 14
        'spec: { compiledAdapter: denyer }', // 15
      ),
    );
    assert.deepEqual(errorLines(snapshot), [
      `config.yaml:5: handler/istio-system/prom: spec.compiledAdapter: adapter 'prometheus' is not available in this build of Mixer ${AVAILABLE}`,
      `config.yaml:8: redisquota/istio-system/handler: kind: adapter 'redisquota' is not available in this build of Mixer ${AVAILABLE}`,
      `config.yaml:15: handler/istio-system/typo: spec.compiledAdapter: compiledAdapter 'denyer' is not a known adapter ${AVAILABLE}`,
    ]);
    assert.equal(snapshot.handlers.size, 0);
  });

  test('params are parsed by the adapter\'s own schema: every problem with its field and line', () => {
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: h }',
        'spec:',
        '  compiledAdapter: strict',
        '  params:',
        '    count: -1', // 7
        '    colour: red', // 8
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: strict',
        'metadata: { name: legacy }',
        'spec:',
        '  mode: 7', // 14
      ),
      { adapters: [...testAdapters(), strict] },
    );
    assert.deepEqual(errorLines(snapshot), [
      'config.yaml:8: handler/istio-system/h: spec.params.colour: unknown field',
      'config.yaml:7: handler/istio-system/h: spec.params.count: expected integer to be greater or equal to 0, got -1',
      'config.yaml:14: strict/istio-system/legacy: spec.mode: expected string, got 7',
    ]);
  });

  test('a handler needs an adapter; unknown spec fields are rejected', () => {
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: empty }',
        'spec: {}', // 4
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: extra }',
        'spec:',
        '  compiledAdapter: denier',
        '  parms: {}', // 11
      ),
    );
    assert.deepEqual(errorLines(snapshot), [
      'config.yaml:4: handler/istio-system/empty: spec: a handler needs compiledAdapter (an adapter compiled into Mixer) or adapter (an out-of-process adapter)',
      'config.yaml:11: handler/istio-system/extra: spec.parms: unknown field',
    ]);
  });

  test('out-of-process adapters: references resolve like Istio\'s, and a handler needs an adapter handling a compiled-in template', () => {
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: template',
        'metadata: { name: mymetric, namespace: istio-system }',
        'spec: { descriptor: "CgVoZWxsbw==" }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: template',
        'metadata: { name: nodesc, namespace: istio-system }',
        'spec: {}', // 9
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: adapter',
        'metadata: { name: oop, namespace: istio-system }',
        'spec: { templates: [mymetric], config: "" }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: adapter',
        'metadata: { name: broken, namespace: istio-system }',
        'spec:',
        '  templates:',
        '  - mymetric',
        '  - nodesc', // 22
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: remote, namespace: istio-system }',
        'spec:',
        '  adapter: oop', // 28
        '  connection: { address: "oop:8080" }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: missing, namespace: istio-system }',
        'spec:',
        '  adapter: prometheus-nosession', // 35
      ),
    );
    assert.deepEqual(errorLines(snapshot), [
      'config.yaml:9: template/istio-system/nodesc: spec.descriptor: unable to parse descriptor: descriptor is empty',
      "config.yaml:22: adapter/istio-system/broken: spec.templates[1]: unable to find template 'nodesc'",
      "config.yaml:28: handler/istio-system/remote: spec.adapter: adapter 'oop.adapter.istio-system' handles no template this Mixer can send (its templates must be compiled-in ones: checknothing, reportnothing, listentry, quota, metric, logentry, authorization, apikey, tracespan, edge)",
      "config.yaml:35: handler/istio-system/missing: spec.adapter: adapter 'prometheus-nosession' not found",
    ]);
    assert.deepEqual(snapshot.resourceCounts, { template: 2, adapter: 2, handler: 2 });
  });
});

describe('snapshot errors: instances', () => {
  test('templates this build lacks, unknown templates, out-of-process templates', () => {
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { name: attributes }',
        'spec:',
        '  compiledTemplate: kubernetes', // 5
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: kubernetes', // 8
        'metadata: { name: legacy }',
        'spec: { source_uid: source.uid }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { name: typo }',
        'spec: { compiledTemplate: metrics }', // 15
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { name: oop }',
        'spec:',
        '  template: metric', // 21
        '  params: { value: "1" }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { name: none }',
        'spec: { params: {} }', // 27
      ),
    );
    assert.deepEqual(errorLines(snapshot), [
      `config.yaml:5: instance/istio-system/attributes: spec.compiledTemplate: compiledTemplate 'kubernetes' is not available in this build of Mixer ${TEMPLATES}`,
      `config.yaml:8: kubernetes/istio-system/legacy: kind: template 'kubernetes' is not available in this build of Mixer ${TEMPLATES}`,
      `config.yaml:15: instance/istio-system/typo: spec.compiledTemplate: compiledTemplate 'metrics' is not a known template ${TEMPLATES}`,
      "config.yaml:21: instance/istio-system/oop: spec.template: template 'metric' not found (for the compiled-in template write compiledTemplate: metric)",
      'config.yaml:27: instance/istio-system/none: spec: an instance needs compiledTemplate (a template compiled into Mixer) or template (an out-of-process template)',
    ]);
  });

  test('params errors point at the field\'s line, new-style and legacy', () => {
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { name: log, namespace: default }',
        'spec:',
        '  compiledTemplate: logentry',
        '  params:',
        '    severity: "1"', // 7
        '    variables:',
        '      user: source.user | "unknown"',
        '      who: foo.bar', // 10
        '    foo: "1"', // 11
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: metric',
        'metadata: { name: m, namespace: default }',
        'spec:',
        '  value: "1"',
        '  dimensions:',
        '    source: source.name | 3', // 19
        '  monitoredResourceType: 2', // 20
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { name: bound }',
        'spec:',
        '  compiledTemplate: listentry',
        '  params: { value: source.ip }',
        '  attributeBindings:', // 28
        '    source.name: $out.name',
      ),
    );
    assert.deepEqual(errorLines(snapshot), [
      "config.yaml:11: instance/default/log: spec.params.foo: config does not conform to schema of template 'logentry': unknown field 'foo'",
      "config.yaml:10: instance/default/log: spec.params.variables.who: failed to evaluate expression for field 'variables[who]': unknown attribute foo.bar",
      "config.yaml:7: instance/default/log: spec.params.severity: error type checking for field 'severity': Evaluated expression type INT64 want STRING",
      "config.yaml:19: metric/default/m: spec.dimensions.source: failed to evaluate expression for field 'dimensions[source]': " +
        'OR($source.name, 3) arg 2 (3) typeError got INT64, expected STRING',
      "config.yaml:20: metric/default/m: spec.monitoredResourceType: config does not conform to schema of template 'metric': field 'monitored_resource_type' must be an expression (a string), got number 2 (quote it: '2')",
      "config.yaml:28: instance/istio-system/bound: spec.attributeBindings: attributeBindings are only allowed for ATTRIBUTE_GENERATOR templates; template 'listentry' is CHECK",
    ]);
    assert.equal(snapshot.instances.size, 0);
  });

  test('the language annotation picks the language; ISTIO_LANG overrides it', () => {
    const text = yaml(
      'apiVersion: config.istio.io/v1alpha2',
      'kind: instance',
      'metadata:',
      '  name: cel',
      '  annotations: { policy.istio.io/lang: CEL }',
      'spec:',
      '  compiledTemplate: listentry',
      '  params: { value: "has(request.headers.x) ? \'yes\' : \'no\'" }',
    );
    assert.deepEqual(errorLines(snapshotOf(text)), []);
    const cexl = text.replace('CEL }', 'CEXL }');
    assert.equal(snapshotOf(cexl).instances.size, 0);
    assert.equal(errorLines(snapshotOf(cexl)).length, 1);
    assert.deepEqual(errorLines(snapshotOf(cexl, { environment: { ISTIO_LANG: 'CEL' } })), []);
  });
});

describe('snapshot errors: resources', () => {
  test('a resource without a name, with a bad envelope, or defined twice is reported and left out', () => {
    const snapshot = snapshotOf({
      'a.yaml': yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { namespace: default }', // 3
        'spec: { compiledTemplate: checknothing }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { name: dup }', // 8
        'spec: { compiledTemplate: checknothing }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: 12 }', // 13
        'spec: {}',
      ),
      'b.yaml': yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { name: dup, namespace: istio-system }', // 3
        'spec: { compiledTemplate: reportnothing }',
      ),
    });
    assert.deepEqual(errorLines(snapshot), [
      'a.yaml:3: instance/default/: metadata.name: a name is required',
      'a.yaml:13: rule/istio-system/: metadata.name: must be a string, got 12',
      "b.yaml:3: instance/istio-system/dup: metadata.name: duplicate resource 'dup.instance.istio-system': already defined at a.yaml:6; this one is ignored",
    ]);
    assert.equal(snapshot.instances.get('dup.instance.istio-system')?.template.name, 'checknothing');
  });

  test('attribute manifests: bad value types are errors (the manifest is left out); good ones extend the vocabulary', () => {
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: attributemanifest',
        'metadata: { name: mine }',
        'spec:',
        '  attributes:',
        '    my.count: { valueType: INT64 }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: attributemanifest',
        'metadata: { name: bad }',
        'spec:',
        '  attributes:',
        '    my.flag:',
        '      valueType: BOOLEAN', // 14
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { name: uses }',
        'spec: { compiledTemplate: metric, params: { value: "my.count", dimensions: { f: my.flag } } }', // 19
      ),
    );
    const lines = errorLines(snapshot);
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^config\.yaml:14: attributemanifest\/istio-system\/bad: spec\.attributes\.my\.flag\.valueType: unknown value type 'BOOLEAN', expected one of STRING, INT64/);
    assert.equal(lines[1], "config.yaml:19: instance/istio-system/uses: spec.params.dimensions.f: failed to evaluate expression for field 'dimensions[f]': unknown attribute my.flag");
    assert.equal(snapshot.manifest.typeOf('my.count'), 2);
    assert.equal(snapshot.manifest.typeOf('my.flag'), undefined);
    assert.equal(snapshot.manifest.typeOf('request.headers') !== undefined, true, 'the standard vocabulary is the base');
  });
});
