import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalCandidates, resolveReference, resourceKey, shortName } from './names.js';

describe('resource names (Istio §1.2)', () => {
  test('identity is name.kind.namespace', () => {
    assert.equal(resourceKey('denyall', 'handler', 'istio-system'), 'denyall.handler.istio-system');
    assert.equal(resourceKey('handler', 'memquota', 'istio-system'), 'handler.memquota.istio-system');
  });

  test('no dot: name.<kind>.<referrer namespace>', () => {
    assert.deepEqual(canonicalCandidates('denyall', 'handler', 'default'), ['denyall.handler.default']);
    assert.deepEqual(canonicalCandidates('sourceip', 'instance', 'istio-system'), ['sourceip.instance.istio-system']);
  });

  test('one dot a.b: first a.b.<ns> (legacy name.kind), then a.<kind>.b (name.namespace)', () => {
    assert.deepEqual(canonicalCandidates('handler.memquota', 'handler', 'istio-system'), ['handler.memquota.istio-system', 'handler.handler.memquota']);
    assert.deepEqual(canonicalCandidates('denyall.istio-system', 'handler', 'default'), ['denyall.istio-system.default', 'denyall.handler.istio-system']);
  });

  test('two dots: already fully qualified, used as is; three or more too', () => {
    assert.deepEqual(canonicalCandidates('handler.denier.istio-system', 'handler', 'default'), ['handler.denier.istio-system']);
    assert.deepEqual(canonicalCandidates('a.b.c.d', 'instance', 'default'), ['a.b.c.d']);
  });

  test('resolution takes the first candidate that exists and returns its canonical name', () => {
    const known = new Map([
      ['handler.memquota.istio-system', 'legacy'],
      ['denyall.handler.istio-system', 'new'],
      ['stdio.handler.istio-system', 'stdio'],
    ]);
    const lookup = (name: string) => known.get(name);
    assert.deepEqual(resolveReference('handler.memquota', 'handler', 'istio-system', lookup), { name: 'handler.memquota.istio-system', value: 'legacy' });
    assert.deepEqual(resolveReference('denyall.istio-system', 'handler', 'default', lookup), { name: 'denyall.handler.istio-system', value: 'new' });
    assert.deepEqual(resolveReference('denyall', 'handler', 'istio-system', lookup), { name: 'denyall.handler.istio-system', value: 'new' });
    // `stdio.handler` from istio-system: the legacy reading `stdio.handler.istio-system` exists.
    assert.deepEqual(resolveReference('stdio.handler', 'handler', 'istio-system', lookup), { name: 'stdio.handler.istio-system', value: 'stdio' });
    assert.equal(resolveReference('denyall', 'handler', 'default', lookup), undefined);
    assert.equal(resolveReference('handler.memquota', 'handler', 'default', lookup), undefined);
  });

  test('the short name is the text before the first dot', () => {
    assert.equal(shortName('requestcount.quota.istio-system'), 'requestcount');
    assert.equal(shortName('plain'), 'plain');
  });
});
