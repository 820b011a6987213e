import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { buildEntryList, goToUpper, ListDataError } from './entry-list.js';

const found = { ok: true, found: true };
const missing = { ok: true, found: false };

describe('buildEntryList', () => {
  it('STRINGS: non-empty lines of the body plus overrides, exact match', () => {
    const list = buildEntryList('STRINGS', 'alpha\n\nbeta\r\n', ['gamma', '']);
    assert.equal(list.size, 3);
    assert.deepEqual(list.lookup('alpha'), found);
    assert.deepEqual(list.lookup('beta'), found);
    assert.deepEqual(list.lookup('gamma'), found);
    assert.deepEqual(list.lookup('Alpha'), missing);
    assert.deepEqual(list.lookup(''), missing);
  });

  it('CASE_INSENSITIVE_STRINGS: compares upper-cased with Go\'s simple case mapping', () => {
    const list = buildEntryList('CASE_INSENSITIVE_STRINGS', 'Hello\nstraße', ['ÉCOLE']);
    assert.deepEqual(list.lookup('HELLO'), found);
    assert.deepEqual(list.lookup('hello'), found);
    assert.deepEqual(list.lookup('école'), found);
    assert.deepEqual(list.lookup('STRASSE'), missing);
    assert.deepEqual(list.lookup('STRAßE'), found);
    assert.equal(goToUpper('straße'), 'STRAßE');
  });

  it('IP_ADDRESSES: YAML whitelist of CIDRs (bare addresses are hosts) plus overrides', () => {
    const list = buildEntryList('IP_ADDRESSES', 'whitelist:\n  - 10.0.0.0/8\n  - 192.168.1.7\n  - 2001:db8::/32\n', ['172.16.0.0/12']);
    assert.equal(list.size, 4);
    assert.deepEqual(list.lookup('10.255.0.1'), found);
    assert.deepEqual(list.lookup('192.168.1.7'), found);
    assert.deepEqual(list.lookup('192.168.1.8'), missing);
    assert.deepEqual(list.lookup('2001:db8:1::5'), found);
    assert.deepEqual(list.lookup('2001:db9::5'), missing);
    assert.deepEqual(list.lookup('172.31.255.255'), found);
    assert.deepEqual(list.lookup('not-an-ip'), { ok: false, message: 'not-an-ip is not a valid IP address' });
  });

  it('IP_ADDRESSES: an empty body gives just the overrides', () => {
    const list = buildEntryList('IP_ADDRESSES', '', ['1.2.3.4']);
    assert.equal(list.size, 1);
    assert.deepEqual(list.lookup('1.2.3.4'), found);
  });

  it('IP_ADDRESSES: rejects bad provider data', () => {
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      ['whitelist: [10.0.0.0/33]', /^could not parse list entry 10\.0\.0\.0\/33: invalid CIDR address: 10\.0\.0\.0\/33$/],
      ['whitelist: [42]', /^could not parse list entry 42: not a string$/],
      ['just a line', /^could not unmarshal data from list/],
      ['whitelist: 10.0.0.0/8', /^could not unmarshal data from list: `whitelist` is not a sequence$/],
      ['whitelist: [a, b', /^could not unmarshal data from list: /],
    ];
    for (const [body, message] of cases) {
      assert.throws(() => buildEntryList('IP_ADDRESSES', body, []), (error: unknown) => error instanceof ListDataError && message.test(error.message), body);
    }
  });

  it('REGEX: one RE2 pattern per line plus overrides, unanchored', () => {
    const list = buildEntryList('REGEX', 'ab+c\n^exact$\n', ['(?i)^foo']);
    assert.equal(list.size, 3);
    assert.deepEqual(list.lookup('xxabbbcxx'), found);
    assert.deepEqual(list.lookup('exact'), found);
    assert.deepEqual(list.lookup('not exact'), missing);
    assert.deepEqual(list.lookup('FOObar'), found);
    assert.deepEqual(list.lookup('barfoo'), missing);
  });

  it('REGEX: a bad line is a ListDataError with Go\'s message', () => {
    assert.throws(
      () => buildEntryList('REGEX', 'ok\n(', []),
      (error: unknown) => error instanceof ListDataError && error.message === 'error parsing regexp: missing closing ): `(`',
    );
  });
});
