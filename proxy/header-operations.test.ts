import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutgoingHttpHeaders } from 'node:http';
import { HeaderOperationKind } from '../core/config/snapshot.js';
import { applyHeaderOperations, type RequestLine } from './header-operations.js';

const op = (name: string, value: string, operation = HeaderOperationKind.REPLACE) => ({ name, value, operation });

test('REPLACE sets, REMOVE deletes, APPEND adds or sets', () => {
  const headers: OutgoingHttpHeaders = { 'x-a': '1', 'x-b': '2', 'x-c': '3', 'set-cookie': 'a=1' };
  applyHeaderOperations(headers, [
    op('X-A', 'one'),
    op('x-b', '', HeaderOperationKind.REMOVE),
    op('x-c', '4', HeaderOperationKind.APPEND),
    op('x-d', '5', HeaderOperationKind.APPEND),
    op('set-cookie', 'b=2', HeaderOperationKind.APPEND),
  ]);
  assert.deepEqual(headers, { 'x-a': 'one', 'x-c': '3,4', 'x-d': '5', 'set-cookie': ['a=1', 'b=2'] });
});

test('pseudo-headers rewrite the request line; unsendable names and values are skipped', () => {
  const headers: OutgoingHttpHeaders = { host: 'old' };
  const line: RequestLine = { method: 'GET', path: '/a', authority: 'old' };
  applyHeaderOperations(headers, [op(':path', '/b'), op(':method', 'POST'), op(':authority', 'new'), op('bad name', 'x'), op('x-evil', 'a\r\nb: c'), op('x-bell', 'a\u0007'), op('x-utf8', 'caf\u00e9'), op(':path', '/with space')], line);
  assert.deepEqual(line, { method: 'POST', path: '/b', authority: 'new' });
  assert.deepEqual(headers, { host: 'new', 'x-utf8': 'caf\u00e9' }, 'control characters are refused, obs-text kept');
  const response: OutgoingHttpHeaders = {};
  applyHeaderOperations(response, [op(':status', '500')]);
  assert.deepEqual(response, {}, 'no pseudo-headers on responses');
});
