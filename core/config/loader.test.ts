import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatConfigError } from './config-error.js';
import { ConfigPathError, loadConfigPath, parseConfigText } from './loader.js';
import { withConfigDirectory, yaml } from './testing/config-fixtures.js';

const RULE = yaml(
  '# a comment before the first document',
  'apiVersion: config.istio.io/v1alpha2', // 2
  'kind: rule',
  'metadata:',
  '  name: r1',
  '  namespace: default',
  '  annotations:',
  '    policy.istio.io/lang: CEL',
  'spec:',
  '  match: "true"', // 10
  '  actions:',
  '  - handler: h1', // 12
  '    instances: [ i1 ]',
  '  - handler: h2', // 14
  '    instances:',
  '    - i2', // 16
  '    - i3', // 17
  '---',
  '---',
  '# only a comment',
  '---',
  'apiVersion: config.istio.io/v1alpha2', // 22
  'kind: handler',
  'metadata: { name: h1 }',
  'spec:',
  '  compiled_adapter: denier', // 26
);

describe('parseConfigText', () => {
  test('reads every non-empty document of a multi-document file, with its line', () => {
    const { resources, errors } = parseConfigText(RULE, 'rules.yaml');
    assert.deepEqual(errors, []);
    assert.equal(resources.length, 2);
    const [rule, handler] = resources;
    assert.equal(rule?.kind, 'rule');
    assert.equal(rule?.name, 'r1');
    assert.equal(rule?.namespace, 'default');
    assert.equal(rule?.file, 'rules.yaml');
    assert.equal(rule?.line, 2);
    assert.deepEqual(rule?.annotations, { 'policy.istio.io/lang': 'CEL' });
    assert.equal(handler?.line, 22);
    assert.equal(handler?.namespace, '', 'an absent namespace stays empty: the snapshot builder applies the default');
  });

  test('knows the line of every field, item and nested value', () => {
    const [rule, handler] = parseConfigText(RULE, 'rules.yaml').resources;
    assert.ok(rule !== undefined && handler !== undefined);
    assert.equal(rule.positions.lineOf('spec.match'), 10);
    assert.equal(rule.positions.lineOf('spec.actions[1].handler'), 14);
    assert.equal(rule.positions.lineOf('spec.actions[1].instances[1]'), 17);
    assert.equal(rule.positions.lineOf('spec.actions[0].instances[0]'), 13, 'flow sequence items are on their line');
    assert.equal(rule.positions.lineOf('spec.actions[1].instances[7]'), 15, 'a missing item falls back to its parent');
    assert.equal(rule.positions.lineOf('spec.nothing.here'), 9);
    assert.equal(rule.positions.lineOf(''), 2);
    assert.equal(handler.positions.lineOf('spec.compiledAdapter'), 26, 'snake_case and lowerCamelCase name the same field');
  });

  test('a YAML syntax error is reported with its line; the file\'s other documents still load', () => {
    const text = yaml(
      'apiVersion: config.istio.io/v1alpha2',
      'kind: instance',
      'metadata: { name: good }',
      'spec: { compiledTemplate: checknothing }',
      '---',
      'apiVersion: config.istio.io/v1alpha2',
      'kind: rule',
      'metadata: { name: bad }',
      'spec:',
      '  match: "unterminated', // 10
    );
    const { resources, errors } = parseConfigText(text, 'broken.yaml');
    assert.deepEqual(resources.map((resource) => resource.name), ['good']);
    assert.equal(errors.length, 1);
    assert.match(formatConfigError(errors[0]!), /^broken\.yaml:1[01]: YAML syntax error: Missing closing "quote \(column \d+\)$/);
  });

  test('anchors, aliases and merge keys work as in Kubernetes YAML', () => {
    const { resources, errors } = parseConfigText(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: metric',
        'metadata: { name: m }',
        'spec:',
        '  dimensions: &dims',
        '    source: source.name',
        '  monitored_resource_dimensions:',
        '    <<: *dims',
        '    extra: \'"x"\'',
      ),
      'anchors.yaml',
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(resources[0]?.spec, {
      dimensions: { source: 'source.name' },
      monitored_resource_dimensions: { source: 'source.name', extra: '"x"' },
    });
  });

  test('duplicate keys are syntax errors', () => {
    const { errors } = parseConfigText(yaml('kind: rule', 'kind: handler'), 'dup.yaml');
    assert.deepEqual(errors.map(formatConfigError), ['dup.yaml:2: YAML syntax error: Map keys must be unique (column 1)']);
  });

  test('documents that are not resources are reported', () => {
    const { resources, errors } = parseConfigText(yaml('- a list', '---', 'just text', '---', 'metadata: { name: x }'), 'odd.yaml');
    assert.deepEqual(resources, []);
    assert.deepEqual(errors.map(formatConfigError), [
      'odd.yaml:1: not a resource: expected a map with apiVersion, kind, metadata and spec',
      'odd.yaml:3: not a resource: expected a map with apiVersion, kind, metadata and spec',
      'odd.yaml:5: not a resource: kind is missing',
    ]);
    const envelope = parseConfigText(yaml('kind: rule', 'metadata: [x]'), 'meta.yaml').resources[0];
    assert.deepEqual(envelope?.envelopeProblems, [{ field: 'metadata', message: 'must be a map' }]);
  });
});

describe('loadConfigPath', () => {
  test('reads .yaml and .yml files recursively in name order, skipping hidden entries and other files', async () => {
    const doc = (name: string) => yaml('apiVersion: config.istio.io/v1alpha2', 'kind: instance', `metadata: { name: ${name} }`, 'spec: { compiledTemplate: checknothing }');
    await withConfigDirectory(
      {
        'b.yaml': doc('b'),
        'a.yml': doc('a'),
        'nested/deeper/c.yaml': doc('c'),
        'notes.txt': doc('txt'),
        '.hidden/d.yaml': doc('hidden'),
        '..data/e.yaml': doc('configmap-data'),
      },
      async (directory) => {
        const loaded = await loadConfigPath(directory);
        assert.deepEqual(loaded.files, [join(directory, 'a.yml'), join(directory, 'b.yaml'), join(directory, 'nested/deeper/c.yaml')]);
        assert.deepEqual(loaded.resources.map((resource) => resource.name), ['a', 'b', 'c']);
        assert.deepEqual(loaded.errors, []);
      },
    );
  });

  test('a syntax error in one file does not hide another file\'s resources', async () => {
    await withConfigDirectory(
      {
        'a-broken.yaml': yaml('apiVersion: config.istio.io/v1alpha2', 'kind: rule', 'metadata: { name: r', 'spec: {}'),
        'b-good.yaml': yaml('apiVersion: config.istio.io/v1alpha2', 'kind: instance', 'metadata: { name: fine }', 'spec: { compiledTemplate: checknothing }'),
      },
      async (directory) => {
        const loaded = await loadConfigPath(directory);
        assert.deepEqual(loaded.resources.map((resource) => resource.name), ['fine']);
        assert.ok(loaded.errors.length >= 1);
        assert.ok(loaded.errors.every((error) => error.file === join(directory, 'a-broken.yaml') && error.line >= 3));
      },
    );
  });

  test('follows symbolic links (a ConfigMap mount) and loads a single file', async () => {
    await withConfigDirectory({ 'real/x.yaml': yaml('apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: x }') }, async (directory) => {
      await symlink(join(directory, 'real/x.yaml'), join(directory, 'link.yaml'));
      await symlink(join(directory, 'real'), join(directory, 'linked-dir'));
      await symlink(directory, join(directory, 'real/loop'));
      const loaded = await loadConfigPath(directory);
      // `linked-dir` sorts before `real`: the same directory is read once, under the first name met.
      assert.deepEqual(loaded.files, [join(directory, 'link.yaml'), join(directory, 'linked-dir/x.yaml')]);
      const single = await loadConfigPath(join(directory, 'real/x.yaml'));
      assert.deepEqual(single.resources.map((resource) => resource.kind), ['ConfigMap']);
    });
  });

  test('a path that cannot be read is a ConfigPathError', async () => {
    await assert.rejects(loadConfigPath('/nonexistent/mixer/config'), (error: unknown) => error instanceof ConfigPathError && error.code === 'MIXER_ERR_CONFIG_PATH' && /ENOENT/.test(error.message));
  });
});
