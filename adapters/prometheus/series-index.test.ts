import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SeriesIndex } from './series-index.js';

describe('prometheus series index', () => {
  it('finds a value by its whole tuple, making it once', () => {
    const index = new SeriesIndex<{ tuple: string }>(3);
    let made = 0;
    const get = (tuple: string[]) => index.getOrCreate(tuple, () => ({ tuple: JSON.stringify(tuple), made: ++made }));
    const first = get(['a', 'b', 'c']);
    assert.equal(get(['a', 'b', 'c']), first);
    assert.notEqual(get(['a', 'b', 'd']), first);
    // No two tuples run together, whatever their strings hold.
    assert.notEqual(get(['a|b', '', 'c']), get(['a', 'b|', 'c']));
    assert.notEqual(get(['', '', '']), get(['', '', ' ']));
    assert.equal(made, 6);
    assert.equal(index.size, 6);
    const made6 = [['a', 'b', 'c'], ['a', 'b', 'd'], ['a|b', '', 'c'], ['a', 'b|', 'c'], ['', '', ''], ['', '', ' ']];
    assert.deepEqual(index.values().map((value) => value.tuple).sort(), made6.map((tuple) => JSON.stringify(tuple)).sort());
  });

  it('holds one value for tuples of no strings', () => {
    const index = new SeriesIndex<{ n: number }>(0);
    const value = index.getOrCreate([], () => ({ n: 1 }));
    assert.equal(index.getOrCreate([], () => ({ n: 2 })), value);
    assert.deepEqual(index.values(), [{ n: 1 }]);
    assert.equal(index.removeWhere(() => true), 1);
    assert.equal(index.size, 0);
    assert.deepEqual(index.getOrCreate([], () => ({ n: 3 })), { n: 3 });
  });

  it('removes the values asked for and keeps the others', () => {
    const index = new SeriesIndex<{ at: number }>(2);
    index.getOrCreate(['x', '1'], () => ({ at: 1 }));
    index.getOrCreate(['x', '2'], () => ({ at: 5 }));
    index.getOrCreate(['y', '1'], () => ({ at: 2 }));
    assert.equal(index.removeWhere((value) => value.at <= 2), 2);
    assert.equal(index.size, 1);
    assert.deepEqual(index.values(), [{ at: 5 }]);
    // A removed tuple is made again on next use.
    assert.deepEqual(index.getOrCreate(['y', '1'], () => ({ at: 9 })), { at: 9 });
    assert.equal(index.size, 2);
  });
});
