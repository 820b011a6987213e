import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StringMap } from '../core/attribute/string-map.js';
import type { AttributeValue } from '../core/attribute/value.js';
import type { QuotaRule } from './proxy-config.js';
import { quotaAmounts } from './quota-spec.js';

const rules: QuotaRule[] = [
  { match: [], quotas: [{ quota: 'all', charge: 1 }] },
  {
    match: [
      { clauses: new Map([['request.url_path', { kind: 'prefix', value: '/api' }], ['request.method', { kind: 'exact', value: 'POST' }]]) },
      { clauses: new Map([['request.host', { kind: 'regex', value: /^admin\..*$/ }]]) },
    ],
    quotas: [{ quota: 'writes', charge: 5 }, { quota: 'all', charge: 2 }],
  },
  { match: [{ clauses: new Map([['request.headers', { kind: 'any' }]]) }], quotas: [{ quota: 'never', charge: 1 }] },
];

const amounts = (attributes: Record<string, AttributeValue>) => Object.fromEntries(quotaAmounts(rules, new Map(Object.entries(attributes))) ?? []);

test('an empty match charges every request; charges of one quota add up', () => {
  assert.deepEqual(amounts({ 'request.url_path': '/', 'request.method': 'GET' }), { all: 1 });
  assert.deepEqual(amounts({ 'request.url_path': '/api/books', 'request.method': 'POST' }), { all: 3, writes: 5 });
});

test('clauses are ANDed, matches ORed, and a clause needs a string attribute', () => {
  assert.deepEqual(amounts({ 'request.url_path': '/api/books', 'request.method': 'GET' }), { all: 1 });
  assert.deepEqual(amounts({ 'request.host': 'admin.example' }), { all: 3, writes: 5 });
  assert.deepEqual(amounts({ 'request.headers': StringMap.fromObject({ a: 'b' }) }), { all: 1 }, 'a map is not a string');
  assert.equal(quotaAmounts([], new Map()), undefined, 'no spec: no quota');
});
