import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repositoryRoot } from '../support/conformance.js';
import { eventually, resource } from '../support/mixer-harness.js';
import { startMixerProcess, writeAtomically, type MixerProcess } from './config-mixer-process.js';

// Issue 13, defect 4: `kind: AdapterModule` made Mixer import whatever module a config file
// named (a path outside, an absolute path, a package such as child_process) and run its code
// before the change was even validated. A real `mixer server` process here.

const EXAMPLE_DIRECTORY = join(repositoryRoot(), 'dist', 'examples', 'third-party-adapter');
const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

function adapterModule(name: string, module: string): string {
  return `apiVersion: mixer.dev/v1alpha1\nkind: AdapterModule\nmetadata:\n  name: ${name}\nspec:\n  module: ${module}\n---\n`;
}

/** The example adapter, listed by config, deciding every Check: open only the day after tomorrow (UTC). */
function hoursConfig(configDirectory: string): string {
  const closedToday = WEEKDAYS[(new Date().getUTCDay() + 2) % 7]!;
  return [
    adapterModule('business-hours', `./${relative(configDirectory, join(EXAMPLE_DIRECTORY, 'index.js'))}`),
    resource('handler', 'hours', `compiledAdapter: business-hours\nparams:\n  days: [ ${closedToday} ]`),
    resource('instance', 'caller', 'compiledTemplate: authorization\nparams:\n  subject:\n    user: request.headers["x-user"] | ""'),
    resource('rule', 'hours', 'actions:\n- handler: hours\n  instances: [ caller ]'),
  ].join('');
}

describe('adapter modules named by config (a real mixer server)', () => {
  let directory: string;
  let config: string;
  let marker: string;
  let evil: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mixer-adapter-modules-'));
    config = join(directory, 'config');
    await mkdir(config);
    marker = join(directory, 'imported.marker');
    evil = join(directory, 'evil.mjs');
    await writeFile(evil, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'evil.mjs ran inside Mixer');\nexport default {};\n`);
    await writeFile(join(config, 'hours.yaml'), hoursConfig(config));
  });

  after(() => rm(directory, { recursive: true, force: true }));

  test('without --adapter-dir, a module config names is not loaded: the config is rejected, saying how to allow it', async () => {
    const mixer = await startMixerProcess(config);
    try {
      const debug = await mixer.debugConfig();
      assert.equal(debug.active, null);
      const errors = debug.lastRejected?.errors ?? [];
      assert.match(errors[0] ?? '', new RegExp(`^${join(config, 'hours.yaml')}:6: AdapterModule//business-hours: spec\\.module: .*index\\.js is not an --adapter module nor inside an --adapter-dir directory \\(none given\\).*--adapter-dir DIR`));
    } finally {
      await mixer.stop();
    }
  });

  describe('with --adapter-dir holding the example adapter', () => {
    let mixer: MixerProcess;
    before(async () => {
      mixer = await startMixerProcess(config, ['--adapter-dir', EXAMPLE_DIRECTORY]);
      await eventually(async () => (await mixer.debugConfig()).active !== null, 15_000, 'the config listing the example adapter');
    });
    after(() => mixer.stop());

    test('the module inside it is loaded on demand and its handler decides', async () => {
      const answer = await mixer.check({ 'request.headers': { 'x-user': 'alice@example.com' } });
      assert.equal(answer.code, 7);
      assert.match(answer.message ?? '', /^hours\.handler\.istio-system:.*is closed/);
    });

    test('a config naming ../evil.mjs, its absolute path or child_process is rejected with errors on spec.module; nothing runs', async () => {
      const rejected = await mixer.metric('mixer_config_reloads_total', 'result="rejected"');
      await writeAtomically(join(config, 'evil.yaml'), [adapterModule('relative', '../evil.mjs'), adapterModule('absolute', evil), adapterModule('package', 'child_process')].join(''));
      await eventually(async () => (await mixer.metric('mixer_config_reloads_total', 'result="rejected"')) > rejected, 15_000, 'the change to be rejected');
      const errors = (await mixer.debugConfig()).lastRejected?.errors ?? [];
      const file = join(config, 'evil.yaml');
      assert.deepEqual(
        errors.map((error) => /^(.*?:\d+: AdapterModule\/\/\w+: spec\.module): /.exec(error)?.[1]),
        [`${file}:6: AdapterModule//relative: spec.module`, `${file}:13: AdapterModule//absolute: spec.module`, `${file}:20: AdapterModule//package: spec.module`],
        errors.join('\n'),
      );
      assert.equal(existsSync(marker), false, 'the module named by config never ran');
      assert.match((await mixer.check({ 'request.headers': { 'x-user': 'alice@example.com' } })).message ?? '', /is closed/, 'the last good config keeps serving');
      assert.equal(mixer.child.exitCode, null);
    });
  });
});
