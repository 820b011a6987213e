import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

const QUOTAS = [
  resource(
    'handler',
    'quotahandler',
    [
      'compiledAdapter: memquota',
      'params:',
      '  quotas:',
      '  - name: requestcount.instance.istio-system',
      '    maxAmount: 5',
      '    validDuration: 1s',
      '    overrides:',
      '    - dimensions: { destination: reviews }',
      '      maxAmount: 2',
      '      validDuration: 1s',
      '  - name: connections.instance.istio-system',
      '    maxAmount: 3',
      '    validDuration: 0s',
    ].join('\n'),
  ),
  resource('instance', 'requestcount', 'compiledTemplate: quota\nparams:\n  dimensions:\n    destination: destination.labels["app"] | "unknown"'),
  resource('instance', 'connections', 'compiledTemplate: quota\nparams:\n  dimensions:\n    source: source.name | "unknown"'),
  resource('rule', 'quota', 'match: destination.labels["app"] != "exempt"\nactions:\n- handler: quotahandler\n  instances: [ requestcount, connections ]'),
].join('');

const to = (app: string, quotas: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  attributes: { 'destination.labels': { app }, 'source.name': 'client-1' },
  quotas,
  ...extra,
});

describe('quotas through the HTTP API (memquota)', () => {
  let mixer: RunningMixer;
  before(async () => {
    mixer = await startMixer({ 'quota.yaml': QUOTAS });
  });
  after(() => mixer.close());

  test('a rate limit is exhausted at its max, the override applies, and the window refills', async () => {
    const grants: string[] = [];
    for (let index = 0; index < 4; index++) {
      const { body } = await mixer.check(to('reviews', { requestcount: { amount: 1 } }));
      grants.push(body.quotas!['requestcount']!.grantedAmount);
    }
    assert.deepEqual(grants, ['1', '1', '0', '0']);
    const other = await mixer.check(to('ratings', { requestcount: { amount: 4 } }));
    assert.equal(other.body.quotas!['requestcount']!.grantedAmount, '4');
    const over = await mixer.check(to('ratings', { requestcount: { amount: 2 } }));
    assert.equal(over.body.quotas!['requestcount']!.grantedAmount, '0');
    const partial = await mixer.check(to('ratings', { requestcount: { amount: 2, bestEffort: true } }));
    assert.equal(partial.body.quotas!['requestcount']!.grantedAmount, '1');
    // The 1 s rolling window lets the old grants age out.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const refilled = await mixer.check(to('reviews', { requestcount: { amount: 1 } }));
    assert.equal(refilled.body.quotas!['requestcount']!.grantedAmount, '1');
    assert.equal(refilled.body.quotas!['requestcount']!.validDuration, '1s');
  });

  test('an allocation quota is held until released with a negative amount', async () => {
    const take = async (amount: number) => (await mixer.check(to('web', { connections: { amount } }))).body.quotas!['connections']!.grantedAmount;
    assert.equal(await take(2), '2');
    assert.equal(await take(2), '0');
    assert.equal(await take(-1), '1');
    assert.equal(await take(2), '2');
    assert.equal(await take(1), '0');
  });

  test('a repeated deduplication id gets the first answer again without spending more', async () => {
    const first = await mixer.check(to('orders', { requestcount: { amount: 3 } }, { deduplicationId: 'req-42' }));
    const retry = await mixer.check(to('orders', { requestcount: { amount: 3 } }, { deduplicationId: 'req-42' }));
    assert.equal(first.body.quotas!['requestcount']!.grantedAmount, '3');
    assert.equal(retry.body.quotas!['requestcount']!.grantedAmount, '3');
    const fresh = await mixer.check(to('orders', { requestcount: { amount: 3 } }, { deduplicationId: 'req-43' }));
    assert.equal(fresh.body.quotas!['requestcount']!.grantedAmount, '0', 'only 2 of 5 left after one real allocation of 3');
  });

  test('a quota no rule governs is granted in full for a minute; a denied check allocates nothing', async () => {
    const { body } = await mixer.check(to('exempt', { requestcount: { amount: 9 }, unknownquota: { amount: 2 } }));
    assert.equal(body.quotas!['requestcount']!.grantedAmount, '9');
    assert.equal(body.quotas!['requestcount']!.validDuration, '60s');
    assert.equal(body.quotas!['unknownquota']!.grantedAmount, '2');
  });

  test('each quota answer carries the attributes it depended on', async () => {
    const { body } = await mixer.check(to('reviews', { requestcount: { amount: 0 } }));
    const quota = body.quotas!['requestcount'] as unknown as { referencedAttributes: { attributeMatches: { name: string; mapKey?: string }[] } };
    const names = quota.referencedAttributes.attributeMatches.map((match) => `${match.name}${match.mapKey === undefined ? '' : `[${match.mapKey}]`}`);
    assert.ok(names.includes('destination.labels[app]'), names.join(','));
    assert.ok(!names.includes('source.name'), 'the other quota instance was not evaluated for this quota');
  });
});
