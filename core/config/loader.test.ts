import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatConfigError } from './config-error.js';
import { ConfigPathError, loadConfigPath, MAX_CONFIG_FILE_BYTES, parseConfigText } from './loader.js';
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

  test('YAML that cannot become data is a config error on its line, never a throw; the file\'s other documents still load', () => {
    const handler = (...spec: string[]): string =>
      yaml('apiVersion: config.istio.io/v1alpha2', 'kind: handler', 'metadata: { name: h }', 'spec:', ...spec.map((line) => `  ${line}`));
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((name, index) => `${name}: &${name} [${Array(10).fill(`*${'abcdefg'[index]}`).join(', ')}]`)];
    const cases: [string, string, string][] = [
      ['unresolved alias', handler('x: *a6'), 'bad.yaml:5: YAML error: unresolved alias *a6: no anchor &a6 before it'],
      ['alias inside its anchor (a map)', handler('params: &p', '  status: *p'), 'bad.yaml:6: YAML error: alias *p is inside the node anchored &p: a cycle'],
      ['alias inside its anchor (a list)', handler('params:', '  list: &l [ 1, *l ]'), 'bad.yaml:6: YAML error: alias *l is inside the node anchored &l: a cycle'],
      ['alias bomb', handler(...laughs), 'bad.yaml:9: YAML error: aliases expand to more than 100000 nodes in this file (an alias bomb?)'],
      ['merge of a scalar', handler('base: &b 3', 'params:', '  <<: *b'), 'bad.yaml:7: YAML error: a merge key (<<) takes a map or a list of maps'],
      ['merge of a list of scalars', handler('params:', '  <<: [ 1, 2 ]'), 'bad.yaml:6: YAML error: a merge key (<<) takes a map or a list of maps'],
      ['merge of nothing', handler('params:', '  <<: *none'), 'bad.yaml:6: YAML error: unresolved alias *none: no anchor &none before it'],
      ['a list as a key', handler('params:', '  ? [ a, b ]', '  : 1'), 'bad.yaml:6: YAML error: a map key must be a string, not a map or a list'],
      ['!!binary', handler('b: !!binary aGVsbG8='), 'bad.yaml:5: YAML error: !!binary values are not supported: write it as a string'],
      ['!!timestamp', handler('t: !!timestamp 2001-12-14'), 'bad.yaml:5: YAML error: !!timestamp values are not supported: write it as a string'],
      ['!!omap', handler('o: !!omap [ a: 1 ]'), 'bad.yaml:5: YAML error: ordered maps and pairs (!!omap, !!pairs) are not supported: write a map or a list'],
      ['deep nesting', handler(`deep: ${'['.repeat(100)}${']'.repeat(100)}`), 'bad.yaml:5: YAML error: nested more than 100 levels deep'],
      ['deep nesting through an alias', handler(`a: &d ${'['.repeat(60)}${']'.repeat(60)}`, `b: ${'['.repeat(50)}*d${']'.repeat(50)}`), 'bad.yaml:6: YAML error: alias *d nests its value more than 100 levels deep'],
      ['duplicate key', handler('a: 1', 'a: 2'), 'bad.yaml:6: YAML syntax error: Map keys must be unique (column 3)'],
    ];
    const good = yaml('---', 'apiVersion: config.istio.io/v1alpha2', 'kind: instance', 'metadata: { name: fine }', 'spec: { compiledTemplate: checknothing }');
    for (const [what, text, expected] of cases) {
      let parsed: ReturnType<typeof parseConfigText> | undefined;
      assert.doesNotThrow(() => (parsed = parseConfigText(`${text}${good}`, 'bad.yaml')), what);
      const messages = parsed!.errors.map(formatConfigError);
      assert.equal(messages.length, 1, `${what}: ${messages.join('\n')}`);
      assert.ok(messages[0]!.startsWith(expected), `${what}: ${messages[0]} does not start with ${expected}`);
      assert.deepEqual(parsed!.resources.map((resource) => resource.name), ['fine'], what);
    }
  });

  test('a text nested past the limit on one line is refused before parsing, whose syntax tree would exhaust memory', () => {
    const cases: [string, string, string][] = [
      ['flow lists', `a: b\nc: ${'['.repeat(500_000)}\n`, 'deep.yaml:2: YAML error: nested more than 100 levels deep; the file is not read'],
      ['flow maps behind quoted closers', `a: [ ${'"]}", { k: ['.repeat(100_000)}\n`, 'deep.yaml:1: YAML error: nested more than 100 levels deep; the file is not read'],
      ['compact block sequences', `x: 1\n---\n${'- '.repeat(500_000)}x\n`, 'deep.yaml:3: YAML error: nested more than 100 levels deep; the file is not read'],
      ['explicit keys', `${'? '.repeat(500_000)}x\n`, 'deep.yaml:1: YAML error: nested more than 100 levels deep; the file is not read'],
    ];
    for (const [what, text, expected] of cases) {
      const parsed = parseConfigText(text, 'deep.yaml');
      assert.deepEqual(parsed.errors.map(formatConfigError), [expected], what);
      assert.deepEqual(parsed.resources, [], what);
    }
    const wide = parseConfigText(`kind: list\nitems: [ ${'{ a: "]]", b: [ x, y ] }, '.repeat(20_000)}]\n`, 'wide.yaml');
    assert.deepEqual(wide.errors, [], 'wide but shallow flow collections are fine');
  });

  test('aliases are shared values without cycles; merge keys keep explicit keys; every value is JSON data', () => {
    const { resources, errors } = parseConfigText(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: h }',
        'spec:',
        '  base: &b { a: 1, b: 2 }',
        '  other: &o { c: 3, a: 0 }',
        '  merged:',
        '    b: explicit',
        '    <<: [ *b, *o ]',
        '    __proto__: { polluted: true }',
        '  set: !!set { x, y }',
        '  local: !custom text',
      ),
      'merge.yaml',
    );
    assert.deepEqual(errors, []);
    const spec = resources[0]?.spec as Record<string, Record<string, unknown>>;
    assert.deepEqual(
      JSON.parse(JSON.stringify(spec)),
      JSON.parse('{"base":{"a":1,"b":2},"other":{"c":3,"a":0},"merged":{"b":"explicit","__proto__":{"polluted":true},"a":1,"c":3},"set":{"x":null,"y":null},"local":"text"}'),
    );
    assert.equal(spec['merged']?.['a'], 1, 'the first merge source wins over a later one');
    assert.equal(Object.getPrototypeOf(spec['merged']), Object.prototype, '__proto__ is an own key, not the prototype');
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

  test('the 7-line file with an alias to a missing anchor is a config error with file and line', async () => {
    const text = yaml('apiVersion: config.istio.io/v1alpha2', 'kind: rule', 'metadata:', '  name: r', '  namespace: istio-system', 'spec:', '  x: *a6');
    await withConfigDirectory({ 'alias.yaml': text }, async (directory) => {
      const loaded = await loadConfigPath(directory);
      assert.deepEqual(loaded.errors.map(formatConfigError), [`${join(directory, 'alias.yaml')}:7: YAML error: unresolved alias *a6: no anchor &a6 before it`]);
      assert.deepEqual(loaded.resources, []);
    });
  });

  test('a file over the size limit is a config error, not read into memory; one at the limit loads', async () => {
    const document = yaml('apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: big }', 'data:', '  x: ""');
    const atLimit = `${document}${'#'.repeat(MAX_CONFIG_FILE_BYTES - document.length - 1)}\n`;
    await withConfigDirectory({ 'at-limit.yaml': atLimit, 'over-limit.yaml': `${atLimit}\n` }, async (directory) => {
      const loaded = await loadConfigPath(directory);
      assert.deepEqual(loaded.errors.map(formatConfigError), [`${join(directory, 'over-limit.yaml')}:1: file is larger than ${MAX_CONFIG_FILE_BYTES} bytes (8 MiB): split the config into several files`]);
      assert.deepEqual(loaded.resources.map((resource) => resource.name), ['big']);
    });
  });

  test('parses a large file in slices: the event loop turns between its documents', async () => {
    const documents = 2000;
    const text = Array.from({ length: documents }, (_, index) =>
      yaml('apiVersion: config.istio.io/v1alpha2', 'kind: rule', `metadata: { name: r${index}, namespace: istio-system }`, `spec: { match: 'request.path == "/${index}"' }`),
    ).join('---\n');
    await withConfigDirectory({ 'rules.yaml': text }, async (directory) => {
      let turns = 0;
      let loading = true;
      const count = (): void => {
        turns++;
        if (loading) setImmediate(count);
      };
      setImmediate(count);
      // A slice of 0 ms is always used up: the parse yields at every checkpoint, whatever the machine's speed.
      const loaded = await loadConfigPath(directory, { sliceMs: 0 });
      loading = false;
      assert.equal(loaded.resources.length, documents);
      assert.deepEqual(loaded.errors, []);
      assert.ok(turns >= documents / 2, `the event loop turned ${turns} times while ${documents} documents were parsed`);
    });
  });

  test('a path that cannot be read is a ConfigPathError', async () => {
    await assert.rejects(loadConfigPath('/nonexistent/mixer/config'), (error: unknown) => error instanceof ConfigPathError && error.code === 'MIXER_ERR_CONFIG_PATH' && /ENOENT/.test(error.message));
  });
});
