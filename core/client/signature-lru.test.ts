import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeValue } from './attribute-signature.js';
import { SignatureLru } from './signature-lru.js';
import { StringMap } from '../attribute/string-map.js';

describe('SignatureLru', () => {
  test('each signature text is its own entry', () => {
    const lru = new SignatureLru<string>(10);
    lru.set('first', 'a', 0);
    assert.equal(lru.get('first', 0), 'a');
    assert.equal(lru.get('second', 0), undefined);
    lru.set('second', 'b', 0);
    assert.equal(lru.get('second', 0), 'b');
    assert.equal(lru.get('first', 0), 'a');
    lru.delete('first');
    assert.equal(lru.get('first', 0), undefined);
    assert.equal(lru.size, 1);
  });

  test('idle entries are removed after idleMs', () => {
    const lru = new SignatureLru<string>(10, 100);
    lru.set('a', 'a', 0);
    lru.set('b', 'b', 50);
    assert.equal(lru.get('a', 99), 'a');
    assert.equal(lru.get('b', 150), undefined);
    assert.equal(lru.get('a', 198), 'a');
    assert.equal(lru.size, 1);
  });

  test('the least recently used entry is evicted, also when hits repeat on the newest one (which is not moved)', () => {
    const lru = new SignatureLru<string>(3);
    lru.set('a', 'a', 0);
    lru.set('b', 'b', 0);
    lru.set('c', 'c', 0);
    assert.equal(lru.get('c', 0), 'c');
    assert.equal(lru.get('c', 0), 'c');
    assert.equal(lru.get('a', 0), 'a'); // order now b, c, a
    assert.equal(lru.get('a', 0), 'a');
    lru.set('d', 'd', 0); // evicts b
    assert.equal(lru.get('b', 0), undefined);
    assert.equal(lru.get('c', 0), 'c'); // order now a, d, c
    lru.delete('c');
    lru.set('e', 'e', 0); // a, d, e: room for it, nothing evicted
    assert.equal(lru.size, 3);
    assert.equal(lru.get('a', 0), 'a'); // d, e, a
    lru.set('f', 'f', 0); // evicts d
    assert.deepEqual(['a', 'd', 'e', 'f'].map((key) => lru.get(key, 0)), ['a', undefined, 'e', 'f']);
  });

  test('idle sweeping forgets the newest entry too', () => {
    const lru = new SignatureLru<string>(10, 100);
    lru.set('a', 'a', 0);
    assert.equal(lru.get('a', 50), 'a');
    assert.equal(lru.get('a', 200), undefined);
    lru.set('b', 'b', 200);
    lru.set('a', 'a', 210);
    assert.equal(lru.get('b', 290), 'b'); // moved behind a
    assert.equal(lru.get('a', 311), undefined, 'a was last used at 210');
    assert.equal(lru.get('b', 312), 'b');
  });

  test('size 0 stores nothing', () => {
    const lru = new SignatureLru<string>(0);
    lru.set('a', 'a', 0);
    assert.equal(lru.get('a', 0), undefined);
  });
});

describe('attribute signatures', () => {
  test('the canonical text separates types and cannot be confused by concatenation', () => {
    assert.notEqual(encodeValue('1'), encodeValue(1));
    assert.notEqual(encodeValue(true), encodeValue('b1'));
    assert.notEqual(encodeValue(StringMap.fromObject({ ab: 'c' })), encodeValue(StringMap.fromObject({ a: 'bc' })));
    assert.equal(encodeValue(1n << 60n), encodeValue(1n << 60n));
    assert.notEqual(encodeValue(new Uint8Array([1, 2])), encodeValue(new Uint8Array([1, 3])));
  });
});
