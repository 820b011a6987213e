import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import { dimensionMatches, dimensionsMatch, quotaKey } from './dimensions.js';

describe('dimensionMatches', () => {
  it('compares strings exactly and other types after parsing the configured text', () => {
    assert.equal(dimensionMatches('reviews', 'reviews'), true);
    assert.equal(dimensionMatches('Reviews', 'reviews'), false);
    assert.equal(dimensionMatches(200, '200'), true);
    assert.equal(dimensionMatches(200, '200.0'), true);
    assert.equal(dimensionMatches(200, '201'), false);
    assert.equal(dimensionMatches(0, ''), false);
    assert.equal(dimensionMatches(1.5, '1.5'), true);
    assert.equal(dimensionMatches(9007199254740993n, '9007199254740993'), true);
    assert.equal(dimensionMatches(9007199254740993n, '9007199254740992'), false);
    assert.equal(dimensionMatches(true, 'true'), true);
    assert.equal(dimensionMatches(true, 'T'), true);
    assert.equal(dimensionMatches(false, 'true'), false);
    assert.equal(dimensionMatches(IpAddress.parse('10.28.11.20'), '10.28.11.20'), true);
    assert.equal(dimensionMatches(IpAddress.parse('::ffff:10.28.11.20'), '10.28.11.20'), true);
    assert.equal(dimensionMatches(IpAddress.parse('2001:db8::1'), '2001:DB8:0::1'), true);
    assert.equal(dimensionMatches(IpAddress.parse('10.28.11.20'), '10.28.11.21'), false);
    assert.equal(dimensionMatches(Duration.parse('1m'), '60s'), true);
    assert.equal(dimensionMatches(Timestamp.parse('2020-01-01T00:00:00Z'), '2020-01-01T01:00:00+01:00'), true);
    assert.equal(dimensionMatches(undefined, ''), false);
    assert.equal(dimensionMatches(StringMap.fromObject({ a: 'b' }), 'a=b'), false);
  });

  it('needs every configured dimension; none configured matches everything', () => {
    assert.equal(dimensionsMatch([['a', '1'], ['b', 'x']], { a: 1, b: 'x', c: 'extra' }), true);
    assert.equal(dimensionsMatch([['a', '1'], ['b', 'x']], { a: 1 }), false);
    assert.equal(dimensionsMatch([], {}), true);
  });
});

describe('quotaKey', () => {
  it('does not depend on dimension order', () => {
    assert.equal(quotaKey('q', { b: 'x', a: 1 }), quotaKey('q', { a: 1, b: 'x' }));
  });

  it('keeps distinct values in distinct buckets', () => {
    const keys = [
      quotaKey('q', {}),
      quotaKey('q2', {}),
      quotaKey('q', { a: '1' }),
      quotaKey('q', { a: 1 }),
      quotaKey('q', { a: 1.5 }),
      quotaKey('q', { a: true }),
      quotaKey('q', { a: 'x;b=y' }),
      quotaKey('q', { a: 'x', b: 'y' }),
      quotaKey('q', { a: IpAddress.parse('10.0.0.1') }),
      quotaKey('q', { a: undefined }),
    ];
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(quotaKey('q', { a: IpAddress.parse('10.0.0.1') }), quotaKey('q', { a: IpAddress.fromBytes(new Uint8Array([10, 0, 0, 1])) }));
  });
});
