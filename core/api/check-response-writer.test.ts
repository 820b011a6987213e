import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReferencedAttributes } from '../attribute/referenced-attributes.js';
import { HeaderOperationKind } from '../config/snapshot.js';
import type { CheckOutcome } from '../runtime/check-outcome.js';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS } from '../status/rpc-status.js';
import { checkResponseJson } from './check-response.js';
import { writeCheckResponse } from './check-response-writer.js';

function outcome(overrides: Partial<CheckOutcome> = {}): CheckOutcome {
  const referenced = new ReferencedAttributes();
  referenced.recordAttribute('destination.labels', true);
  referenced.recordAttribute('context.reporter.kind', false);
  referenced.recordKey('destination.labels', 'app "quoted"', true);
  referenced.recordKey('request.headers', 'x-user', false);
  return { status: OK_STATUS, validDurationMs: 1500, validUseCount: 7, referenced, routeDirective: undefined, quotas: new Map(), ...overrides };
}

test('the text writer produces the same document as the object builder', () => {
  const cases: CheckOutcome[] = [
    outcome(),
    outcome({ status: { code: RpcCode.PERMISSION_DENIED, message: 'h:"no"\n' }, validUseCount: Number.POSITIVE_INFINITY, validDurationMs: 0.5 }),
    outcome({
      routeDirective: {
        requestHeaderOperations: [{ name: 'x-a', value: 'v"1', operation: HeaderOperationKind.REPLACE }],
        responseHeaderOperations: [{ name: 'x-b', value: '', operation: HeaderOperationKind.REMOVE }],
        directResponseCode: 0,
        directResponseBody: '',
      },
    }),
    outcome({
      status: { code: RpcCode.UNAUTHENTICATED, message: 'login' },
      routeDirective: { requestHeaderOperations: [], responseHeaderOperations: [], directResponseCode: 302, directResponseBody: 'go <there>' },
    }),
    outcome({
      quotas: new Map([
        ['requestcount', { status: OK_STATUS, grantedAmount: 3, validDurationMs: 1000, referenced: new ReferencedAttributes() }],
        ['q"2', { status: { code: RpcCode.DEADLINE_EXCEEDED, message: 'slow' }, grantedAmount: 0, validDurationMs: 0, referenced: new ReferencedAttributes() }],
      ]),
    }),
  ];
  for (const each of cases) assert.deepEqual(JSON.parse(writeCheckResponse(each)), checkResponseJson(each));
});
