import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { withConfigDirectory, yaml } from '../config/testing/config-fixtures.js';
import { testAdapters } from '../config/testing/test-adapters.js';
import type { CommandIo } from './command.js';
import { conformanceDirectory, repositoryRoot } from '../../test/support/conformance.js';
import { main } from './main.js';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import { builtInAdapters, createValidateCommand } from './validate-command.js';

function capture(): { io: CommandIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (text) => out.push(text), stderr: (text) => err.push(text), environment: {} }, out, err };
}

const GOOD = yaml(
  'apiVersion: config.istio.io/v1alpha2',
  'kind: handler',
  'metadata: { name: deny }',
  'spec: { compiledAdapter: denier, params: { status: { code: 7 } } }',
  '---',
  'apiVersion: config.istio.io/v1alpha2',
  'kind: instance',
  'metadata: { name: nothing }',
  'spec: { compiledTemplate: checknothing }',
  '---',
  'apiVersion: config.istio.io/v1alpha2',
  'kind: rule',
  'metadata: { name: denyall }',
  'spec: { actions: [ { handler: deny, instances: [ nothing ] } ] }',
  '---',
  'apiVersion: networking.istio.io/v1alpha3',
  'kind: DestinationRule',
  'metadata: { name: policy }',
);

const BAD = yaml(
  'apiVersion: config.istio.io/v1alpha2',
  'kind: handler',
  'metadata: { name: prom, namespace: telemetry }',
  'spec: { compiledAdapter: prometheus }', // 4
  '---',
  'apiVersion: config.istio.io/v1alpha2', // 6
  'kind: rule',
  'metadata: { name: promrule, namespace: telemetry }',
  'spec:',
  '  actions:',
  '  - handler: prom', // 11
  '    instances: [ nothing.istio-system ]',
);

const command = createValidateCommand({ adapters: () => Promise.resolve(testAdapters()) });

describe('mixer validate', () => {
  test('a valid config: what was loaded, a summary, exit 0', async () => {
    await withConfigDirectory({ 'ok/config.yaml': GOOD }, async (directory) => {
      const { io, out, err } = capture();
      const code = await command.run([join(directory, 'ok')], io);
      assert.equal(code, 0);
      assert.deepEqual(err, []);
      assert.deepEqual(out, [
        'loaded 4 resources from 1 file: handler 1, instance 1, rule 1 (not Mixer config, ignored: DestinationRule 1)\n',
        'config is valid: 1 handler, 1 instance, 1 rule valid\n',
      ]);
    });
  });

  test('every error as file:line: kind/namespace/name: field: reason, relative to the current directory; exit 1', async () => {
    await withConfigDirectory({ 'conf/good.yaml': GOOD, 'conf/nested/bad.yaml': BAD, 'conf/broken.yml': 'kind: [\n' }, async (directory) => {
      const { io, out } = capture();
      const cwdCommand = createValidateCommand({ adapters: () => Promise.resolve(testAdapters()), cwd: () => directory });
      const code = await cwdCommand.run([join(directory, 'conf')], io);
      assert.equal(code, 1);
      assert.equal(out[0], 'loaded 6 resources from 3 files: handler 2, instance 1, rule 2 (not Mixer config, ignored: DestinationRule 1)\n');
      assert.match(out[1] ?? '', /^conf\/broken\.yml:2: YAML syntax error: /);
      assert.deepEqual(out.slice(2), [
        "conf/nested/bad.yaml:4: handler/telemetry/prom: spec.compiledAdapter: adapter 'prometheus' is not available in this build of Mixer (available: denier, listchecker, memquota, noop, stdio)\n",
        "conf/nested/bad.yaml:11: rule/telemetry/promrule: spec.actions[0].handler: Handler not found: handler='prom'\n",
        'conf/nested/bad.yaml:6: rule/telemetry/promrule: No valid actions found in rule\n',
        '4 errors in 2 files; 1 handler, 1 instance, 1 rule valid\n',
      ]);
      const { io: outside, out: outsideOut } = capture();
      await createValidateCommand({ adapters: () => Promise.resolve(testAdapters()), cwd: () => '/somewhere/else' }).run([join(directory, 'conf', 'nested')], outside);
      assert.ok(outsideOut[1]?.startsWith(`${join(directory, 'conf', 'nested', 'bad.yaml')}:4: `), 'paths outside the current directory stay absolute');
    });
  });

  test('--default-namespace places resources without a namespace', async () => {
    await withConfigDirectory({ 'config.yaml': BAD.replace(/, namespace: telemetry/g, '') }, async (directory) => {
      const { io, out } = capture();
      assert.equal(await command.run([directory, '--default-namespace', 'mesh'], io), 1);
      assert.ok(out.some((line) => line.includes('handler/mesh/prom: ')));
      const { io: defaults, out: defaultOut } = capture();
      await command.run([directory], defaults);
      assert.ok(defaultOut.some((line) => line.includes('handler/istio-system/prom: ')));
    });
  });

  test('YAML that cannot become data (an alias to a missing anchor, a cycle, an alias bomb) is a config error: file:line, exit 1', async () => {
    const laughs = ['  a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((name, index) => `  ${name}: &${name} [${Array(10).fill(`*${'abcdef'[index]}`).join(', ')}]`)];
    await withConfigDirectory(
      {
        'conf/alias.yaml': yaml('apiVersion: config.istio.io/v1alpha2', 'kind: rule', 'metadata:', '  name: r', '  namespace: istio-system', 'spec:', '  x: *a6'),
        'conf/cycle.yaml': yaml('apiVersion: config.istio.io/v1alpha2', 'kind: handler', 'metadata: { name: h }', 'spec:', '  params: &p', '    status: *p'),
        'conf/laughs.yaml': yaml('apiVersion: config.istio.io/v1alpha2', 'kind: handler', 'metadata: { name: l }', 'spec:', ...laughs),
        'conf/good.yaml': GOOD,
      },
      async (directory) => {
        const { io, out, err } = capture();
        const code = await createValidateCommand({ adapters: () => Promise.resolve(testAdapters()), cwd: () => directory }).run([join(directory, 'conf')], io);
        assert.equal(code, 1);
        assert.deepEqual(err, []);
        assert.deepEqual(out.slice(1), [
          'conf/alias.yaml:7: YAML error: unresolved alias *a6: no anchor &a6 before it\n',
          'conf/cycle.yaml:6: YAML error: alias *p is inside the node anchored &p: a cycle\n',
          'conf/laughs.yaml:9: YAML error: aliases expand to more than 100000 nodes in this file (an alias bomb?)\n',
          '3 errors in 3 files; 1 handler, 1 instance, 1 rule valid\n',
        ]);
      },
    );
  });

  test('--adapter and --adapter-dir as for mixer server: an AdapterModule outside them is an error, inside one it loads', async () => {
    const example = join(repositoryRoot(), 'dist', 'examples', 'third-party-adapter');
    const listing = (module: string): string => yaml('apiVersion: mixer.dev/v1alpha1', 'kind: AdapterModule', 'metadata: { name: hours }', 'spec:', `  module: ${module}`);
    const handler = yaml('---', 'apiVersion: config.istio.io/v1alpha2', 'kind: handler', 'metadata: { name: hours }', 'spec: { compiledAdapter: business-hours, params: { days: [ MONDAY ] } }');
    await withConfigDirectory({ 'config.yaml': `${listing(join(example, 'index.js'))}${handler}` }, async (directory) => {
      const refused = capture();
      assert.equal(await command.run([directory], refused.io), 1);
      assert.match(refused.out.join(''), /config\.yaml:5: AdapterModule\/\/hours: spec\.module: .*index\.js is not an --adapter module nor inside an --adapter-dir directory \(none given\)/);
      const allowed = capture();
      assert.equal(await command.run([directory, '--adapter-dir', example], allowed.io), 0, allowed.out.join(''));
      const given = capture();
      assert.equal(await command.run([directory, '--adapter', join(example, 'index.js')], given.io), 0, given.out.join(''));
      const bad = capture();
      assert.equal(await main(['validate', directory, '--adapter-dir', '/nonexistent/adapters'], bad.io), 2);
      assert.match(bad.err.join(''), /^mixer validate: --adapter-dir \/nonexistent\/adapters: ENOENT/);
    });
  });

  test('an unreadable directory exits 1 with a message; bad usage exits 2; --help exits 0', async () => {
    const missing = capture();
    assert.equal(await command.run(['/nonexistent/mixer-config'], missing.io), 1);
    assert.match(missing.err.join(''), /^mixer validate: cannot read config at \/nonexistent\/mixer-config: ENOENT\n$/);

    const usage = capture();
    assert.equal(await main(['validate'], usage.io), 2);
    assert.match(usage.err.join(''), /^mixer validate: missing DIR\n\nUsage: mixer validate DIR/);
    const option = capture();
    assert.equal(await main(['validate', 'a', '--namespace', 'x'], option.io), 2);

    const help = capture();
    assert.equal(await main(['validate', '--help'], help.io), 0);
    assert.match(help.out.join(''), /--default-namespace NS/);
    assert.match(help.out.join(''), /--adapter-dir DIR/);
    const list = capture();
    await main(['--help'], list.io);
    assert.match(list.out.join(''), /validate +check a config directory/);
  });

  test('the real command uses the built-in adapters: the Istio samples validate except kubernetesenv', async (context) => {
    const names = (await builtInAdapters()).map((adapter) => adapter.name).sort();
    assert.deepEqual(names, BUILT_IN_ADAPTERS.map(({ info }) => info.name).sort());
    assert.ok(names.includes('prometheus'), 'the prometheus adapter is compiled in');
    const samples = join(conformanceDirectory(), 'istio-config', 'mixer-testdata-1.4');
    if (!existsSync(samples)) {
      if (process.env['CI'] === 'true') throw new Error(`conformance data missing under CI: ${samples}`);
      context.skip('conformance data not found');
      return;
    }
    const { io, out } = capture();
    assert.equal(await main(['validate', samples], io), 1, 'the kubernetesenv adapter and kubernetes template are not built in');
    const errors = out.slice(1, -1);
    assert.equal(errors.length, 4);
    assert.ok(errors.every((line) => /kubernetes/.test(line)), errors.join(''));
    assert.equal(out.at(-1), '4 errors in 1 file; 5 handlers, 13 instances, 11 rules valid\n');
  });
});
