import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import { AdapterSources } from './adapter-sources.js';
import { formatConfigError } from './config-error.js';
import { ConfigStore } from './config-store.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/third-party-adapter/index.js', import.meta.url));
const BUILT_IN = BUILT_IN_ADAPTERS.map((adapter) => adapter.info);

/** `module: X` as an AdapterModule resource named `name`; `spec.module` is on line 6. */
function adapterModule(name: string, module: string): string {
  return `apiVersion: mixer.dev/v1alpha1\nkind: AdapterModule\nmetadata:\n  name: ${name}\nspec:\n  module: ${module}\n`;
}

const HOURS = `---
apiVersion: config.istio.io/v1alpha2
kind: handler
metadata:
  name: hours
  namespace: istio-system
spec:
  compiledAdapter: business-hours
  params:
    days: [ MONDAY ]
---
apiVersion: config.istio.io/v1alpha2
kind: instance
metadata:
  name: caller
  namespace: istio-system
spec:
  compiledTemplate: authorization
  params:
    subject:
      user: source.principal | ""
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata:
  name: hours
  namespace: istio-system
spec:
  actions:
  - handler: hours
    instances: [ caller ]
`;

async function withDirectory(body: (directory: string) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'mixer-adapter-modules-'));
  try {
    await body(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function relativeModule(from: string, to: string): string {
  const path = relative(from, to);
  return path.startsWith('.') ? path : `./${path}`;
}

describe('AdapterModule resources', () => {
  test('a module inside an --adapter-dir directory is loaded and usable by handlers; a missing one there is a config error', async () => {
    await withDirectory(async (directory) => {
      await writeFile(join(directory, 'adapters.yaml'), `${adapterModule('business-hours', relativeModule(directory, EXAMPLE))}${HOURS}`);
      const sources = await AdapterSources.fromCommandLine([], [dirname(EXAMPLE)]);
      const store = new ConfigStore(directory, { adapters: BUILT_IN, adapterSources: sources });
      const good = await store.load();
      assert.deepEqual(good.errors.map(formatConfigError), []);
      assert.equal(good.handlers.get('hours.handler.istio-system')?.adapter.name, 'business-hours');
      assert.equal(good.handlers.get('hours.handler.istio-system')?.instances.length, 1);
      assert.equal((await store.load()).handlers.get('hours.handler.istio-system')?.adapter, good.handlers.get('hours.handler.istio-system')?.adapter, 'one AdapterInfo per module across reloads');

      await writeFile(join(directory, 'more.yaml'), adapterModule('missing', `${relativeModule(directory, dirname(EXAMPLE))}/no-such-adapter.js`));
      const bad = await store.load();
      const messages = bad.errors.map(formatConfigError);
      assert.equal(messages.length, 1, messages.join('\n'));
      assert.match(messages[0]!, /more\.yaml:6: AdapterModule\/\/missing: spec\.module: .*no-such-adapter\.js is not an --adapter module nor inside an --adapter-dir directory/);
      assert.equal(bad.handlers.get('hours.handler.istio-system')?.adapter.name, 'business-hours', 'the good module still loads');
    });
  });

  test('a module given with --adapter may be named by config, by path or package name, without an --adapter-dir', async () => {
    await withDirectory(async (directory) => {
      await writeFile(join(directory, 'adapters.yaml'), `${adapterModule('business-hours', relativeModule(directory, EXAMPLE))}${HOURS}`);
      const sources = await AdapterSources.fromCommandLine([EXAMPLE], []);
      const store = new ConfigStore(directory, { adapters: [...BUILT_IN, ...sources.modules.map((module) => module.info)], adapterSources: sources });
      const snapshot = await store.load();
      assert.deepEqual(snapshot.errors.map(formatConfigError), []);
      assert.equal(snapshot.handlers.get('hours.handler.istio-system')?.adapter, sources.modules[0]!.info);
    });
  });

  test('config cannot make Mixer import code: a path outside every --adapter-dir, an absolute path, a symbolic link out, a package name are config errors and never run', async () => {
    await withDirectory(async (directory) => {
      const marker = join(directory, 'imported.marker');
      const evil = join(directory, 'evil.mjs');
      await writeFile(evil, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'evil.mjs ran inside Mixer');\nexport default {};\n`);
      const allowed = join(directory, 'adapters');
      await mkdir(allowed);
      await symlink(evil, join(allowed, 'link.mjs'));
      await writeFile(join(allowed, 'notes.txt'), 'not a module');
      const config = join(directory, 'config');
      await mkdir(config);
      await writeFile(
        join(config, 'evil.yaml'),
        [
          adapterModule('relative', '../evil.mjs'),
          adapterModule('absolute', evil),
          adapterModule('builtin', 'child_process'),
          adapterModule('linked', '../adapters/link.mjs'),
          adapterModule('text', '../adapters/notes.txt'),
        ].join('---\n'),
      );
      for (const sources of [AdapterSources.of(), await AdapterSources.fromCommandLine([], [allowed])]) {
        const snapshot = await new ConfigStore(config, { adapters: BUILT_IN, adapterSources: sources }).load();
        const messages = snapshot.errors.map(formatConfigError);
        const file = join(config, 'evil.yaml');
        assert.equal(messages.length, 5, messages.join('\n'));
        assert.match(messages[0]!, new RegExp(`^${file}:6: AdapterModule//relative: spec\\.module: ${evil} is not an --adapter module nor inside an --adapter-dir directory \\((none given|${allowed})\\), and config cannot load modules from anywhere else: start mixer server \\(and mixer validate\\) with --adapter MODULE, or with --adapter-dir DIR for a directory holding it$`));
        assert.match(messages[1]!, new RegExp(`^${file}:13: AdapterModule//absolute: spec\\.module: ${evil} is not an --adapter module nor inside an --adapter-dir`));
        assert.match(messages[2]!, new RegExp(`^${file}:20: AdapterModule//builtin: spec\\.module: package 'child_process' was not given with --adapter, and config cannot load modules: start mixer server`));
        assert.match(messages[3]!, new RegExp(`^${file}:27: AdapterModule//linked: spec\\.module: .*link\\.mjs is not an --adapter module nor inside an --adapter-dir`));
        assert.match(messages[4]!, new RegExp(`^${file}:34: AdapterModule//text: spec\\.module: .*notes\\.txt`));
      }
      assert.equal(existsSync(marker), false, 'the module named by config never ran');
    });
  });

  test('bad --adapter-dir and --adapter values are AdapterLoadErrors naming the flag', async () => {
    await assert.rejects(AdapterSources.fromCommandLine([], ['/nonexistent/adapters']), /--adapter-dir \/nonexistent\/adapters: ENOENT/);
    await assert.rejects(AdapterSources.fromCommandLine([], [EXAMPLE]), /--adapter-dir .*index\.js: not a directory/);
    await assert.rejects(AdapterSources.fromCommandLine(['./no/such/module.js'], []), /--adapter \.\/no\/such\/module\.js: cannot import it/);
  });
});
