import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

function denyConfig(message: string): string {
  return [
    resource('handler', 'deny', `compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: ${message}`),
    resource('instance', 'nothing', 'compiledTemplate: checknothing'),
    resource('rule', 'deny', 'match: destination.labels["app"] == "ratings"\nactions:\n- handler: deny\n  instances: [ nothing ]'),
  ].join('');
}

async function snapshotId(mixer: RunningMixer): Promise<number> {
  const { body } = await mixer.get('/readyz');
  return Number(body['snapshot']);
}

describe('hot reload', () => {
  let mixer: RunningMixer;
  before(async () => {
    mixer = await startMixer({ 'policy.yaml': denyConfig('generation-0') });
  });
  after(() => mixer.close());

  test('an invalid change is rejected with its errors while the previous config keeps serving', async () => {
    const before = await snapshotId(mixer);
    await mixer.writeConfig('policy.yaml', `${denyConfig('broken')}${resource('rule', 'typo', 'match: destination.labels["app"] = "x"\nactions:\n- handler: nosuch\n  instances: [ nothing ]')}`);
    await eventually(async () => (await mixer.getMonitoring('/debug/config')).body['lastRejected'] !== null, 5000, 'the change to be rejected');
    const debug = (await mixer.getMonitoring('/debug/config')).body as { active: { id: number }; lastRejected: { errors: string[] } };
    assert.equal(debug.active.id, before, 'the active snapshot did not change');
    assert.ok(debug.lastRejected.errors.some((error) => /policy\.yaml:\d+: rule\/istio-system\/typo: spec\.match: unable to parse expression/.test(error)), debug.lastRejected.errors.join('\n'));
    assert.ok(debug.lastRejected.errors.some((error) => error.includes("Handler not found: handler='nosuch'")), debug.lastRejected.errors.join('\n'));
    const { body } = await mixer.check({ attributes: { 'destination.labels': { app: 'ratings' } } });
    assert.equal(body.precondition.status.message, 'deny.handler.istio-system:generation-0');
  });

  test('50 swaps while calls run concurrently: no call fails, every answer comes from one generation', async () => {
    let stop = false;
    let calls = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const load = async (): Promise<void> => {
      while (!stop) {
        const response = await mixer.check({ attributes: { 'destination.labels': { app: 'ratings' } } });
        calls++;
        if (response.status !== 200) failures.push(`HTTP ${response.status}: ${JSON.stringify(response.body)}`);
        else seen.add(response.body.precondition.status.message ?? '');
      }
    };
    const workers = Array.from({ length: 8 }, () => load());
    for (let generation = 1; generation <= 50; generation++) {
      const previous = await snapshotId(mixer);
      await mixer.writeConfig('policy.yaml', denyConfig(`generation-${generation}`));
      await eventually(async () => (await snapshotId(mixer)) > previous, 5000, `swap ${generation}`);
    }
    stop = true;
    await Promise.all(workers);
    assert.deepEqual(failures, []);
    assert.ok(calls >= 100, `only ${calls} calls ran during the swaps`);
    for (const message of seen) assert.match(message, /^deny\.handler\.istio-system:generation-\d+$/);
    assert.ok(seen.size > 10, `answers came from only ${seen.size} generations`);
    const { body } = await mixer.check({ attributes: { 'destination.labels': { app: 'ratings' } } });
    assert.equal(body.precondition.status.message, 'deny.handler.istio-system:generation-50');
  });
});
