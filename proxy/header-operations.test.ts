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

test('request-line operations outside the grammar are skipped and counted, never written', () => {
  const headers: OutgoingHttpHeaders = { host: 'old' };
  const line: RequestLine = { method: 'GET', path: '/a', authority: 'old' };
  const refused = applyHeaderOperations(
    headers,
    [
      // U+010D and U+010A lose their high byte in latin1 and become CR and LF.
      op(':method', 'GET\u010d\u010aX-Injected: 1'),
      op(':method', 'GET /x'),
      op(':method', ''),
      op(':path', '/a\u010d\u010ab'),
      op(':path', '/caf\u00e9'),
      op(':path', ''),
      op(':authority', 'evil\u010d\u010ax: 1'),
      op(':authority', 'user@host'),
      op(':authority', 'host:80/path'),
      op(':method', 'GET', HeaderOperationKind.REMOVE),
      op('\u212Aey', 'v'),
      op('x-v', 'a\u010d\u010ab'),
    ],
    line,
  );
  assert.equal(refused, 12);
  assert.deepEqual(line, { method: 'GET', path: '/a', authority: 'old' });
  assert.deepEqual(headers, { host: 'old' });
  assert.equal(applyHeaderOperations(headers, [op(':method', 'PURGE'), op(':path', '*'), op(':authority', '[::1]:8080'), op(':authority', 'a.b-c_d~e:9080')], line), 0);
  assert.deepEqual(line, { method: 'PURGE', path: '*', authority: 'a.b-c_d~e:9080' });
});
