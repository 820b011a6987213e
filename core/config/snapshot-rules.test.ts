import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bagFromJson } from '../attribute/convert.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { HeaderOperationKind } from './snapshot.js';
import { errorLines, snapshotOf, yaml } from './testing/config-fixtures.js';

/** A denier handler `deny`, a checknothing `nothing`, a listentry `entry` and a metric `count`, all in istio-system. */
const BASE = yaml(
  'apiVersion: config.istio.io/v1alpha2',
  'kind: handler',
  'metadata: { name: deny, namespace: istio-system }',
  'spec: { compiledAdapter: denier, params: { status: { code: 7 } } }',
  '---',
  'apiVersion: config.istio.io/v1alpha2',
  'kind: instance',
  'metadata: { name: nothing, namespace: istio-system }',
  'spec: { compiledTemplate: checknothing }',
  '---',
  'apiVersion: config.istio.io/v1alpha2',
  'kind: instance',
  'metadata: { name: entry, namespace: istio-system }',
  'spec: { compiledTemplate: listentry, params: { value: source.name } }',
  '---',
  'apiVersion: config.istio.io/v1alpha2',
  'kind: metric',
  'metadata: { name: count, namespace: istio-system }',
  'spec: { value: "1" }',
);

describe('snapshot errors: rules', () => {
  test('match must be a BOOL expression; a rule whose match does not compile is left out', () => {
    const snapshot = snapshotOf({
      'base.yaml': BASE,
      'rules.yaml': yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: stringly }',
        'spec:',
        '  match: source.name', // 5
        '  actions: [ { handler: deny, instances: [ nothing ] } ]',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: unparsable }',
        'spec:',
        '  match: source.name = "x"', // 12
        '  actions: [ { handler: deny, instances: [ nothing ] } ]',
      ),
    });
    assert.deepEqual(errorLines(snapshot), [
      "rules.yaml:5: rule/istio-system/stringly: spec.match: expression 'source.name' evaluated to type STRING, expected type BOOL",
      "rules.yaml:12: rule/istio-system/unparsable: spec.match: unable to parse expression 'source.name = \"x\"': 1:13: expected '==', found '='",
    ]);
    assert.deepEqual(snapshot.rules, []);
  });

  test('every action problem, as Istio words it, each on its own line', () => {
    const snapshot = snapshotOf({
      'base.yaml': BASE,
      'rules.yaml': yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: r, namespace: istio-system }',
        'spec:',
        '  actions:',
        '  - handler: nosuch', // 6
        '    instances: [ nothing ]',
        '  - handler: deny',
        '    instances:',
        '    - nothing',
        '    - missing', // 11
        '    - nothing.istio-system', // 12
        '    - count.metric', // 13
        '  - handler: deny.istio-system', // 14
        '    instances: []',
        '  - handler: deny.handler.istio-system',
        '    instances: [ entry ]',
      ),
    });
    assert.deepEqual(errorLines(snapshot), [
      "rules.yaml:6: rule/istio-system/r: spec.actions[0].handler: Handler not found: handler='nosuch'",
      "rules.yaml:11: rule/istio-system/r: spec.actions[1].instances[1]: Instance not found: instance='missing'",
      "rules.yaml:12: rule/istio-system/r: spec.actions[1].instances[2]: action specified the same instance multiple times: instance='nothing.instance.istio-system'",
      "rules.yaml:13: rule/istio-system/r: spec.actions[1].instances[3]: instance 'count.metric.istio-system' is of template 'metric' which is not supported by handler 'deny.handler.istio-system'",
      'rules.yaml:14: rule/istio-system/r: spec.actions[2]: No valid instances found',
    ]);
    assert.equal(snapshot.rules.length, 1);
    assert.deepEqual(
      snapshot.rules[0]?.actions.map((action) => ({ ...action })),
      [
        { handler: 'deny.handler.istio-system', instances: ['nothing.instance.istio-system'] },
        { handler: 'deny.handler.istio-system', instances: ['entry.instance.istio-system'] },
      ],
    );
    assert.deepEqual(snapshot.handlers.get('deny.handler.istio-system')?.instances.map((instance) => instance.name), [
      'nothing.instance.istio-system',
      'entry.instance.istio-system',
    ]);
  });

  test('errors cascade: a dropped handler or instance makes the rule report them missing, then No valid actions', () => {
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: prometheus', // 2
        'metadata: { name: handler, namespace: istio-system }',
        'spec: {}',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: logentry',
        'metadata: { name: log, namespace: istio-system }',
        'spec: { severity: "1" }', // 9
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: out, namespace: istio-system }',
        'spec: { compiledAdapter: stdio }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: promrule, namespace: istio-system }',
        'spec:',
        '  actions:',
        '  - handler: handler.prometheus', // 21
        '    instances: [ log.logentry ]',
        '  - handler: out',
        '    instances: [ log.logentry ]', // 24
      ),
    );
    assert.deepEqual(errorLines(snapshot), [
      `config.yaml:2: prometheus/istio-system/handler: kind: adapter 'prometheus' is not available in this build of Mixer (available: denier, listchecker, memquota, noop, stdio)`,
      "config.yaml:9: logentry/istio-system/log: spec.severity: error type checking for field 'severity': Evaluated expression type INT64 want STRING",
      "config.yaml:21: rule/istio-system/promrule: spec.actions[0].handler: Handler not found: handler='handler.prometheus'",
      "config.yaml:24: rule/istio-system/promrule: spec.actions[1].instances[0]: Instance not found: instance='log.logentry'",
      'config.yaml:23: rule/istio-system/promrule: spec.actions[1]: No valid instances found',
      'config.yaml:16: rule/istio-system/promrule: No valid actions found in rule',
    ]);
    assert.deepEqual([...snapshot.handlers.keys()], ['out.handler.istio-system']);
    assert.deepEqual(snapshot.handlers.get('out.handler.istio-system')?.instances, [], 'a handler no valid rule uses has no instances');
  });

  test('rules carry their namespace; references resolve in it', () => {
    const snapshot = snapshotOf({
      'base.yaml': BASE,
      'ns.yaml': yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: r, namespace: bookinfo }',
        'spec:',
        '  match: source.name == "a"',
        '  actions:',
        '  - handler: deny.istio-system',
        '    instances: [ nothing.istio-system ]',
        '  - handler: deny', // 9
        '    instances: [ nothing ]',
      ),
    });
    assert.deepEqual(errorLines(snapshot), ["ns.yaml:9: rule/bookinfo/r: spec.actions[1].handler: Handler not found: handler='deny'"]);
    const rule = snapshot.rules[0];
    assert.equal(rule?.name, 'r.rule.bookinfo');
    assert.equal(rule?.namespace, 'bookinfo');
    assert.equal(rule?.matchText, 'source.name == "a"');
    assert.equal(rule?.match?.evaluate(bagFromJson({ 'source.name': 'a' }, AttributeManifest.standard())), true);
    assert.deepEqual(rule?.actions[0]?.instances, ['nothing.instance.istio-system']);
  });

  test('header operations: literal names, STRING values, REPLACE by default; a rule with only header operations is kept', () => {
    const operations = (extra: string[]) =>
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: headers }',
        'spec:',
        '  request_header_operations:',
        '  - name: x-user',
        '    values:',
        '    - request.headers["user"] | "anonymous"',
        '  - name: x-removed',
        '    operation: REMOVE',
        '  responseHeaderOperations:',
        '  - name: x-size',
        '    values: [ request.size ]', // 13
        '    operation: APPEND',
        '  - name: "bad header"', // 15
        "    values: [ '\"v\"' ]",
        '  - name: x-cookie',
        "    values: [ '\"a\"', '\"b\"' ]",
        '    operation: 2',
        ...extra,
      );
    const invalid = snapshotOf(operations(['  - name: x-op', '    operation: MERGE'])); // 21
    assert.deepEqual(errorLines(invalid), ['config.yaml:21: rule/istio-system/headers: spec.responseHeaderOperations[3].operation: "MERGE" is not one of REPLACE, REMOVE, APPEND']);
    assert.deepEqual(invalid.rules, [], 'a rule that does not fit the schema is left out');

    const snapshot = snapshotOf(operations([]));
    assert.deepEqual(errorLines(snapshot), [
      "config.yaml:13: rule/istio-system/headers: spec.responseHeaderOperations[0].values[0]: expression 'request.size' evaluated to type INT64, expected type STRING",
      "config.yaml:15: rule/istio-system/headers: spec.responseHeaderOperations[1].name: invalid header name 'bad header': a header name is a literal token such as x-user",
    ]);
    const rule = snapshot.rules[0];
    assert.ok(rule !== undefined, 'a rule with only header operations is kept');
    assert.deepEqual(rule.actions, []);
    assert.deepEqual(
      rule.requestHeaderOperations.map((operation) => [operation.name, operation.operation, operation.values.map((value) => value.text)]),
      [
        ['x-user', HeaderOperationKind.REPLACE, ['request.headers["user"] | "anonymous"']],
        ['x-removed', HeaderOperationKind.REMOVE, []],
      ],
    );
    assert.deepEqual(
      rule.responseHeaderOperations.map((operation) => [operation.name, operation.operation, operation.values.map((value) => value.text)]),
      [['x-cookie', HeaderOperationKind.APPEND, ['"a"', '"b"']]],
    );
  });

  test('a rule with nothing to do is dropped; sampling is accepted and ignored; unknown fields are rejected', () => {
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: idle }', // 3
        'spec:',
        '  match: "true"',
        '  sampling: { random: { percentSampled: { numerator: 10 } } }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: typo }',
        'spec:',
        '  matches: "true"', // 12
      ),
    );
    assert.deepEqual(errorLines(snapshot), [
      'config.yaml:1: rule/istio-system/idle: No valid actions found in rule',
      'config.yaml:12: rule/istio-system/typo: spec.matches: unknown field',
    ]);
  });
});
