import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { atPath, isJsonObject, mergeData } from './data-document.js';

describe('data documents', () => {
  it('merge objects key by key, later documents winning, other values replaced whole', () => {
    const base = { users: { alice: { roles: ['reader'] } }, list: [1, 2], limit: 3 };
    const merged = mergeData(base, { users: { bob: { roles: ['admin'] } }, list: [9] }, { limit: { max: 4 } });
    assert.deepEqual(merged, { users: { alice: { roles: ['reader'] }, bob: { roles: ['admin'] } }, list: [9], limit: { max: 4 } });
    assert.deepEqual(base, { users: { alice: { roles: ['reader'] } }, list: [1, 2], limit: 3 }, 'inputs are left alone');
    assert.deepEqual(mergeData(), {});
  });

  it('place a value at a path, the root only when it is an object', () => {
    assert.deepEqual(atPath(['roles', 'admin'], ['GET']), { roles: { admin: ['GET'] } });
    assert.deepEqual(atPath([], { a: 1 }), { a: 1 });
    assert.equal(atPath([], [1]), undefined);
    assert.equal(atPath([], 'text'), undefined);
  });

  it('tell objects from arrays and null', () => {
    assert.equal(isJsonObject({}), true);
    assert.equal(isJsonObject([]), false);
    assert.equal(isJsonObject(null), false);
    assert.equal(isJsonObject('x'), false);
  });
});
