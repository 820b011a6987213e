import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { repositoryRoot } from '../support/conformance.js';
import { eventually } from '../support/mixer-harness.js';
import { DENY_POLICY, DENIED, RATINGS } from './config-fuzz-cases.js';
import { startMixerProcess, writeAtomically, type MixerProcess } from './config-mixer-process.js';

// Issue 13, defect 3: a 7-line file with an alias to an anchor that does not exist made
// `mixer server` exit 70 with a stack trace at start-up, and while running the change was only
// logged as "config watch failed", never shown as rejected. A real `mixer server` process here.

const ALIAS_FILE = ['apiVersion: config.istio.io/v1alpha2', 'kind: rule', 'metadata:', '  name: r', '  namespace: istio-system', 'spec:', '  x: *a6', ''].join('\n');

const REJECTED = 'mixer_config_reloads_total';

function aliasError(directory: string): string {
  return `${join(directory, 'alias.yaml')}:7: YAML error: unresolved alias *a6: no anchor &a6 before it`;
}

describe('a YAML file whose alias names no anchor (a real mixer server)', () => {
  let directory: string;
  let mixer: MixerProcess | undefined;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mixer-yaml-errors-'));
    await writeFile(join(directory, 'policy.yaml'), DENY_POLICY);
  });

  afterEach(async () => {
    await mixer?.stop();
    mixer = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  test('at start-up: the server starts without a config, shows the same error as mixer validate, and takes the fixed file', async () => {
    await writeFile(join(directory, 'alias.yaml'), ALIAS_FILE);
    const validate = await promisify(execFile)(process.execPath, [join(repositoryRoot(), 'dist', 'core', 'cli', 'bin.js'), 'validate', directory]).catch(
      (error: { code: number; stdout: string }) => error,
    );
    assert.equal('code' in validate ? validate.code : 0, 1, 'mixer validate exits 1 for a config error');
    assert.ok(validate.stdout.split('\n').includes(aliasError(directory)), validate.stdout);

    mixer = await startMixerProcess(directory);
    const running = mixer;
    const debug = await running.debugConfig();
    assert.equal(debug.active, null, 'no config is active');
    assert.deepEqual(debug.lastRejected?.errors, [aliasError(directory)]);
    assert.equal(await running.metric(REJECTED, 'result="rejected"'), 1);
    assert.equal((await fetch(`${running.apiUrl}/readyz`)).status, 503);
    assert.equal((await running.check(RATINGS)).status, 503, 'Checks wait for a valid config, as for any invalid config');
    assert.match(running.output(), /config rejected: 1 error\(s\); no config is active yet/);

    await writeAtomically(join(directory, 'alias.yaml'), '# fixed\n');
    await eventually(async () => (await running.debugConfig()).active !== null, 15_000, 'the fixed config to be applied');
    assert.deepEqual(await running.check(RATINGS), DENIED);
    assert.equal(running.child.exitCode, null, 'the server is still running');
  });

  test('while running: the change is rejected, shown at /debug/config and counted; the last good config keeps serving', async () => {
    mixer = await startMixerProcess(directory);
    const running = mixer;
    await eventually(async () => (await running.debugConfig()).active !== null, 15_000, 'the good config');
    const active = (await running.debugConfig()).active?.id;
    assert.deepEqual(await running.check(RATINGS), DENIED);

    await writeAtomically(join(directory, 'alias.yaml'), ALIAS_FILE);
    await eventually(async () => (await running.metric(REJECTED, 'result="rejected"')) >= 1, 15_000, 'the change to be rejected');
    const debug = await running.debugConfig();
    assert.deepEqual(debug.lastRejected?.errors, [aliasError(directory)]);
    assert.equal(debug.active?.id, active, 'the active config did not change');
    assert.deepEqual(await running.check(RATINGS), DENIED);
    assert.doesNotMatch(running.output(), /config watch failed/);
    assert.equal(running.child.exitCode, null, 'the server is still running');
  });
});
