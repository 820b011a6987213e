import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import { formatConfigError } from './config-error.js';
import { ConfigStore } from './config-store.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/third-party-adapter/index.js', import.meta.url));

test('an adapter listed in config (AdapterModule) is loaded and usable by handlers; a bad one is a config error', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'mixer-adapter-modules-'));
  try {
    await writeFile(
      join(directory, 'adapters.yaml'),
      `apiVersion: mixer.dev/v1alpha1
kind: AdapterModule
metadata:
  name: business-hours
spec:
  module: ${relative(directory, EXAMPLE).startsWith('.') ? relative(directory, EXAMPLE) : `./${relative(directory, EXAMPLE)}`}
---
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
`,
    );
    const store = new ConfigStore(directory, { adapters: BUILT_IN_ADAPTERS.map((adapter) => adapter.info) });
    const good = await store.load();
    assert.deepEqual(good.errors.map(formatConfigError), []);
    assert.equal(good.handlers.get('hours.handler.istio-system')?.adapter.name, 'business-hours');
    assert.equal(good.handlers.get('hours.handler.istio-system')?.instances.length, 1);

    await writeFile(join(directory, 'more.yaml'), 'apiVersion: mixer.dev/v1alpha1\nkind: AdapterModule\nmetadata:\n  name: missing\nspec:\n  module: ./no/such/adapter.js\n');
    const bad = await store.load();
    const messages = bad.errors.map(formatConfigError);
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(messages[0]!, /more\.yaml:6: AdapterModule\/\/missing: spec\.module: .*no\/such\/adapter\.js: cannot import it/);
    assert.equal(bad.handlers.get('hours.handler.istio-system')?.adapter.name, 'business-hours', 'the good module still loads');
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
