import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runAtOnce, TimeSlicer, type Steps } from './time-slicer.js';

function* counting(steps: number, log: string[]): Steps<number> {
  for (let step = 0; step < steps; step++) {
    log.push(`step ${step}`);
    yield;
  }
  return steps;
}

/** A clock that moves 1 ms each time it is read. */
function tickingClock(): () => number {
  let now = 0;
  return () => now++;
}

describe('TimeSlicer', () => {
  test('run yields to the event loop once a slice has run its time, and returns the result', async () => {
    const log: string[] = [];
    const slicer = new TimeSlicer({ sliceMs: 3, now: tickingClock() });
    setImmediate(() => log.push('event loop'));
    assert.equal(await slicer.run(counting(6, log)), 6);
    // The clock is read once per checkpoint: the first slice ends after the third step.
    assert.deepEqual(log.slice(0, 4), ['step 0', 'step 1', 'step 2', 'event loop']);
  });

  test('work called off through the signal stops at its next yield with the signal\'s reason', async () => {
    const log: string[] = [];
    const controller = new AbortController();
    const slicer = new TimeSlicer({ sliceMs: 0, signal: controller.signal });
    setImmediate(() => controller.abort(new Error('superseded')));
    await assert.rejects(slicer.run(counting(100, log)), /superseded/);
    assert.deepEqual(log, ['step 0'], 'no step ran after the abort');
  });

  test('work already called off does not start', async () => {
    const log: string[] = [];
    await assert.rejects(new TimeSlicer({ signal: AbortSignal.abort(new Error('gone')) }).run(counting(3, log)), /gone/);
    assert.deepEqual(log, []);
  });

  test('runAtOnce runs every step without yielding', () => {
    const log: string[] = [];
    assert.equal(runAtOnce(counting(3, log)), 3);
    assert.deepEqual(log, ['step 0', 'step 1', 'step 2']);
  });
});
