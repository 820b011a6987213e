import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeValue, hash53 } from './attribute-signature.js';
import { SignatureLru } from './signature-lru.js';
import { StringMap } from '../attribute/string-map.js';

describe('SignatureLru', () => {
  test('a hash collision is a miss, never another entry', () => {
    const lru = new SignatureLru<string>(10, Number.POSITIVE_INFINITY, () => 42);
    lru.set('first', 'a', 0);
    assert.equal(lru.get('first', 0), 'a');
    assert.equal(lru.get('second', 0), undefined);
    lru.set('second', 'b', 0);
    assert.equal(lru.get('second', 0), 'b');
    assert.equal(lru.get('first', 0), undefined);
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

  test('hash53 is deterministic and spreads close inputs', () => {
    assert.equal(hash53('abc'), hash53('abc'));
    assert.notEqual(hash53('abc'), hash53('abd'));
    assert.ok(Number.isSafeInteger(hash53('x'.repeat(1000))));
  });
});
