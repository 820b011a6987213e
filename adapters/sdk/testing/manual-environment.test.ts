import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualEnvironment } from './manual-environment.js';

describe('ManualEnvironment', () => {
  it('runs nothing until advanced, then timers in due order with the clock at their due time', async () => {
    const env = new ManualEnvironment({ startMs: 1000 });
    const runs: string[] = [];
    env.schedule(() => void runs.push(`b@${env.now()}`), 200);
    env.schedule(() => void runs.push(`a@${env.now()}`), 100);
    env.schedule(() => void runs.push(`c@${env.now()}`), 200);
    assert.deepEqual(runs, []);
    await env.advance(150);
    assert.deepEqual(runs, ['a@1100']);
    assert.equal(env.now(), 1150);
    await env.advance(50);
    assert.deepEqual(runs, ['a@1100', 'b@1200', 'c@1200']);
    assert.equal(env.pendingTimers, 0);
  });

  it('repeats intervals and awaits async tasks before moving on', async () => {
    const env = new ManualEnvironment({ startMs: 0 });
    const runs: number[] = [];
    const cancel = env.scheduleInterval(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      runs.push(env.now());
    }, 100);
    await env.advance(350);
    assert.deepEqual(runs, [100, 200, 300]);
    cancel();
    await env.advance(1000);
    assert.deepEqual(runs, [100, 200, 300]);
  });

  it('runs timers scheduled by timers when they fall due within the same advance', async () => {
    const env = new ManualEnvironment({ startMs: 0 });
    const runs: number[] = [];
    env.schedule(() => {
      runs.push(env.now());
      env.schedule(() => void runs.push(env.now()), 50);
    }, 100);
    await env.advance(200);
    assert.deepEqual(runs, [100, 150]);
  });

  it('collects task errors instead of throwing', async () => {
    const env = new ManualEnvironment();
    env.schedule(() => {
      throw new Error('boom');
    }, 1);
    env.schedule(() => Promise.reject(new Error('late boom')), 2);
    await env.advance(5);
    assert.deepEqual(env.errors.map((error) => (error as Error).message), ['boom', 'late boom']);
  });

  it('close cancels every timer, aborts the signal and refuses new timers', async () => {
    const env = new ManualEnvironment();
    let ran = false;
    env.scheduleInterval(() => {
      ran = true;
    }, 10);
    env.close();
    assert.equal(env.signal.aborted, true);
    assert.equal(env.pendingTimers, 0);
    env.schedule(() => {
      ran = true;
    }, 1);
    await env.advance(100);
    assert.equal(ran, false);
    await assert.rejects(env.advance(-1), RangeError);
  });
});
