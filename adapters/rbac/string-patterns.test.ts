import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { StringPatterns } from './string-patterns.js';

describe('Istio string patterns', () => {
  const patterns = StringPatterns.compile(['/exact', '/api/*', '*.json']);

  it('matches exact, prefix and suffix values', () => {
    assert.equal(patterns.matches('/exact'), true);
    assert.equal(patterns.matches('/exact/'), false);
    assert.equal(patterns.matches('/api/'), true);
    assert.equal(patterns.matches('/api'), false);
    assert.equal(patterns.matches('/x/y.json'), true);
    assert.equal(patterns.matches('/x/y.jsonp'), false);
    assert.equal(patterns.exactOnly, false);
    assert.equal(StringPatterns.compile(['a', 'b']).exactOnly, true);
  });

  it('treats * as any present value and absent values as matching nothing', () => {
    const any = StringPatterns.compile(['*']);
    assert.equal(any.matches('x'), true);
    assert.equal(any.matches(''), false);
    assert.equal(any.matches(undefined), false);
    assert.equal(StringPatterns.compile(['*'], { emptyIsValue: true }).matches(''), true, 'ServiceRole matching');
    assert.equal(StringPatterns.compile(['*']).exactOnly, false);
  });

  it('compares case-insensitively when asked (hosts)', () => {
    const hosts = StringPatterns.compile(['Example.COM', '*.Internal'], { lowerCase: true });
    assert.equal(hosts.matches('example.com'), true);
    assert.equal(hosts.matches('API.INTERNAL'), true);
    assert.equal(StringPatterns.compile(['Example.COM']).matches('example.com'), false);
  });
});
