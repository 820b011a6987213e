import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { bucketBounds, bucketBoundsProblem, bucketsKindsSet, DEFAULT_BUCKETS, formatBucketBound } from './buckets.js';

describe('prometheus buckets', () => {
  it('linear: numFiniteBuckets+1 bounds from offset, width apart (summed like client_golang)', () => {
    assert.deepEqual(bucketBounds({ linearBuckets: { numFiniteBuckets: 3, width: 10, offset: 5 } }), [5, 15, 25, 35]);
    assert.deepEqual(bucketBounds({ linearBuckets: { numFiniteBuckets: 3, width: 0.1, offset: 0 } }), [0, 0.1, 0.2, 0.30000000000000004]);
    assert.deepEqual(bucketBounds({ linearBuckets: { numFiniteBuckets: 0, width: 0, offset: 1 } }), [1]);
  });

  it('exponential: scale·growth^i for i in 0..numFiniteBuckets', () => {
    assert.deepEqual(bucketBounds({ exponentialBuckets: { numFiniteBuckets: 8, scale: 1, growthFactor: 10 } }), [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8]);
    assert.deepEqual(bucketBounds({ exponentialBuckets: { numFiniteBuckets: 2, scale: 0.5, growthFactor: 2 } }), [0.5, 1, 2]);
  });

  it('explicit: the bounds; none, or no definition: the default buckets', () => {
    assert.deepEqual(bucketBounds({ explicitBuckets: { bounds: [0.005, 0.01, 1] } }), [0.005, 0.01, 1]);
    assert.deepEqual(bucketBounds({ explicitBuckets: { bounds: [] } }), DEFAULT_BUCKETS);
    assert.deepEqual(bucketBounds(undefined), [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    assert.deepEqual(bucketBounds({}), DEFAULT_BUCKETS);
  });

  it('says which oneof members are set and why bounds are unusable', () => {
    assert.deepEqual(bucketsKindsSet({ linearBuckets: { numFiniteBuckets: 1, width: 1, offset: 0 }, explicitBuckets: { bounds: [1] } }), ['linearBuckets', 'explicitBuckets']);
    assert.deepEqual(bucketsKindsSet(undefined), []);
    assert.equal(bucketBoundsProblem([1, 2, 3]), undefined);
    assert.equal(bucketBoundsProblem([1, 1]), 'bucket bounds must be strictly increasing, got 1 then 1');
    assert.equal(bucketBoundsProblem([1, Number.POSITIVE_INFINITY]), 'bucket bound Infinity is not a finite number');
  });

  it("writes bounds as the le text client_golang wrote (Go's %g, shortest digits)", () => {
    const cases: [number, string][] = [
      [0, '0'], [1, '1'], [10, '10'], [0.005, '0.005'], [0.30000000000000004, '0.30000000000000004'], [2.5, '2.5'],
      [100000, '100000'], [123456.7, '123456.7'], [1e6, '1e+06'], [1234567.8, '1.2345678e+06'], [1e8, '1e+08'], [1e21, '1e+21'], [1e100, '1e+100'],
      [0.0001, '0.0001'], [0.00001, '1e-05'], [2.5e-5, '2.5e-05'], [-1e6, '-1e+06'], [-0.25, '-0.25'],
    ];
    for (const [bound, text] of cases) assert.equal(formatBucketBound(bound), text, String(bound));
  });
});
