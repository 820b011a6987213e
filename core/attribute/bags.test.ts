import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChildBag } from './child-bag.js';
import { DictBag } from './dict-bag.js';
import { ReferenceCondition } from './referenced-attributes.js';
import { StringMap } from './string-map.js';
import { TrackingBag } from './tracking-bag.js';

describe('DictBag', () => {
  test('reads values and labels string maps with their attribute name', () => {
    const bag = DictBag.of({ 'request.path': '/a', 'request.headers': StringMap.fromObject({ a: '1' }) });
    assert.equal(bag.get('request.path'), '/a');
    assert.equal(bag.get('request.size'), undefined);
    assert.equal((bag.get('request.headers') as StringMap).name, 'request.headers');
    assert.deepEqual(bag.names().sort(), ['request.headers', 'request.path']);
  });
});

describe('ChildBag', () => {
  test('overlays generated attributes on the parent without changing it', () => {
    const parent = DictBag.of({ 'source.name': 'a', 'source.namespace': 'ns' });
    const child = new ChildBag(parent).set('source.name', 'b').set('source.workload.name', 'w');
    assert.equal(child.get('source.name'), 'b');
    assert.equal(child.get('source.namespace'), 'ns');
    assert.equal(child.get('source.workload.name'), 'w');
    assert.equal(parent.get('source.name'), 'a');
    assert.deepEqual(child.ownNames().sort(), ['source.name', 'source.workload.name']);
    assert.ok(child.delete('source.name'));
    assert.equal(child.get('source.name'), 'a');
  });

  test('does not let overlay reads reach a recording parent', () => {
    const tracking = new TrackingBag(DictBag.of({ 'request.path': '/' }));
    const child = new ChildBag(tracking).set('source.labels', StringMap.fromObject({ app: 'x' }));
    const labels = child.get('source.labels') as StringMap;
    assert.equal(child.lookupKey(labels, 'app'), 'x');
    assert.equal(child.get('request.path'), '/');
    assert.deepEqual(tracking.referenced.toStrings(), ['request.path']);
  });
});

describe('TrackingBag', () => {
  test('records present and absent attributes and map keys', () => {
    const bag = new TrackingBag(DictBag.of({ a: 'x', headers: StringMap.fromObject({ k: 'v' }) }));
    bag.get('a');
    bag.get('missing');
    const headers = bag.get('headers') as StringMap;
    assert.equal(bag.lookupKey(headers, 'k'), 'v');
    assert.equal(bag.lookupKey(headers, 'nope'), undefined);
    assert.equal(bag.lookupKey(StringMap.EMPTY, 'unnamed'), undefined);
    assert.deepEqual(bag.referenced.toStrings(), ['-headers[nope]', '-missing', 'a', 'headers', 'headers[k]']);
    const conditions = bag.referenced.entries().map((entry) => [entry.name, entry.mapKey, entry.condition]);
    assert.deepEqual(conditions, [
      ['a', undefined, ReferenceCondition.EXACT],
      ['missing', undefined, ReferenceCondition.ABSENCE],
      ['headers', undefined, ReferenceCondition.EXACT],
      ['headers', 'k', ReferenceCondition.EXACT],
      ['headers', 'nope', ReferenceCondition.ABSENCE],
    ]);
    bag.referenced.clear();
    assert.ok(bag.referenced.isEmpty);
  });
});
