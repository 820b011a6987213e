import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedQueue, type Sized } from './bounded-queue.js';

const sized = (...values: number[]): Array<Sized<number>> => values.map((value) => ({ value, bytes: value }));
const values = (entries: ReadonlyArray<Sized<number>>): number[] => entries.map((entry) => entry.value);

describe('BoundedQueue', () => {
  it('keeps entries in order and their total size', () => {
    const queue = new BoundedQueue<number>(10);
    assert.equal(queue.pushBack(sized(1, 2, 3)), 0);
    assert.equal(queue.length, 3);
    assert.equal(queue.bytes, 6);
    assert.deepEqual(values(queue.drain()), [1, 2, 3]);
    assert.equal(queue.bytes, 0);
  });

  it('drops the oldest entries beyond its capacity and says how many', () => {
    const queue = new BoundedQueue<number>(3);
    queue.pushBack(sized(1, 2));
    assert.equal(queue.pushBack(sized(3, 4, 5)), 2);
    assert.deepEqual(values(queue.drain()), [3, 4, 5]);
  });

  it('takes batches by count and by bytes, but always at least one entry', () => {
    const queue = new BoundedQueue<number>(10);
    queue.pushBack(sized(4, 4, 4, 9, 1, 1));
    assert.deepEqual(values(queue.takeBatch(2, 100)), [4, 4]);
    assert.deepEqual(values(queue.takeBatch(10, 8)), [4]);
    assert.deepEqual(values(queue.takeBatch(10, 5)), [9]);
    assert.equal(queue.bytes, 2);
    assert.deepEqual(values(queue.takeBatch(10, 5)), [1, 1]);
    assert.deepEqual(queue.takeBatch(10, 5), []);
  });

  it('puts retried entries back in front, dropping the oldest when full', () => {
    const queue = new BoundedQueue<number>(4);
    queue.pushBack(sized(1, 2, 3));
    const batch = queue.takeBatch(2, 100);
    queue.pushBack(sized(4, 5));
    assert.equal(queue.pushFront(batch), 1);
    assert.deepEqual(values(queue.drain()), [2, 3, 4, 5]);
  });

  it('stays correct across many pushes and takes', () => {
    const queue = new BoundedQueue<number>(5000);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      queue.pushBack(sized(...Array.from({ length: 100 }, () => next++)));
      for (const entry of queue.takeBatch(60, Infinity)) assert.equal(entry.value, expected++);
    }
    assert.equal(queue.length, next - expected);
  });

  it('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => new BoundedQueue(0), RangeError);
    assert.throws(() => new BoundedQueue(1.5), RangeError);
  });
});
