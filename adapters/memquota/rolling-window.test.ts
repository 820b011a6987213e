import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RollingWindow } from './rolling-window.js';

describe('RollingWindow', () => {
  it('gives units back when their tick leaves the window', () => {
    const window = new RollingWindow(5, 10);
    assert.equal(window.alloc(3, 1000), true);
    assert.equal(window.alloc(2, 1005), true);
    assert.equal(window.alloc(1, 1009), false);
    assert.equal(window.available, 0);
    assert.equal(window.alloc(3, 1010), true, 'the 3 units of tick 1000 are back at tick 1010');
    assert.equal(window.alloc(1, 1014), false);
    assert.equal(window.alloc(2, 1015), true, 'the 2 units of tick 1005 are back at tick 1015');
  });

  it('reclaims everything after a long pause', () => {
    const window = new RollingWindow(4, 10);
    window.alloc(4, 7);
    assert.equal(window.available, 0);
    assert.equal(window.alloc(4, 1_000_000), true);
  });

  it('releases from the newest slot backwards', () => {
    const window = new RollingWindow(10, 10);
    window.alloc(4, 100);
    window.alloc(3, 102);
    assert.equal(window.release(5, 103), 5);
    assert.equal(window.available, 8);
    // 2 units remain, in tick 100's slot: they leave at tick 110.
    assert.equal(window.alloc(8, 109), true);
    assert.equal(window.alloc(1, 109), false);
    assert.equal(window.alloc(2, 110), true);
    assert.equal(window.release(100, 110), 10, 'cannot release more than is allocated');
  });

  it('is idle once nothing is allocated', () => {
    const window = new RollingWindow(3, 10);
    window.alloc(1, 50);
    assert.equal(window.isIdleAt(59), false);
    assert.equal(window.isIdleAt(60), true);
  });

  it('ignores a clock that goes backwards', () => {
    const window = new RollingWindow(2, 10);
    window.alloc(2, 500);
    assert.equal(window.alloc(1, 400), false);
    assert.equal(window.alloc(1, 510), true);
  });
});
