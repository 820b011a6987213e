import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RpcCode } from '../../core/status/rpc-code.js';
import { buildForTest, configProblems, ManualEnvironment } from '../sdk/testing/index.js';
import { noop } from './index.js';

const context = { deduplicationId: '' };
const allow = { status: { code: RpcCode.OK, message: '' }, validDurationMs: 1e12, validUseCount: 1e9 };

describe('noop', () => {
  it('allows every check template for 1e9 seconds and 1e9 uses', async () => {
    const { handler } = await buildForTest(noop.info, new ManualEnvironment());
    assert.deepEqual(await handler.handleCheckNothing({ name: 'c' }, context), allow);
    assert.deepEqual(await handler.handleListEntry({ name: 'l', value: 'x' }, context), allow);
    const subject = { user: undefined, groups: undefined, properties: {} };
    const action = { namespace: undefined, service: undefined, method: undefined, path: undefined, properties: {} };
    assert.deepEqual(await handler.handleAuthorization({ name: 'a', subject, action }, context), allow);
    const apikey = { name: 'k', api: undefined, apiVersion: undefined, apiOperation: undefined, apiKey: 'secret', timestamp: undefined };
    assert.deepEqual(await handler.handleApiKey(apikey, context), allow);
  });

  it('grants the requested quota amount', async () => {
    const { handler } = await buildForTest(noop.info, new ManualEnvironment());
    const result = await handler.handleQuota({ name: 'q', dimensions: {} }, { deduplicationId: 'd', amount: 42, bestEffort: false }, context);
    assert.deepEqual(result, { status: { code: RpcCode.OK, message: '' }, grantedAmount: 42, validDurationMs: 1e12 });
  });

  it('accepts and ignores reports', async () => {
    const { handler } = await buildForTest(noop.info, new ManualEnvironment());
    const metric = { name: 'm', value: 1, dimensions: {}, monitoredResourceType: undefined, monitoredResourceDimensions: {} };
    assert.equal(await handler.handleMetric([metric]), undefined);
    assert.equal(await handler.handleReportNothing([{ name: 'r' }]), undefined);
    assert.equal(await handler.handleLogEntry([]), undefined);
    assert.equal(await handler.handleTraceSpan([]), undefined);
    assert.equal(await handler.handleEdge([]), undefined);
  });

  it('supports every template Istio lists plus apikey and edge', () => {
    assert.deepEqual([...noop.info.supportedTemplates].sort(), [
      'apikey', 'authorization', 'checknothing', 'edge', 'listentry', 'logentry', 'metric', 'quota', 'reportnothing', 'tracespan',
    ]);
  });

  it('takes no params', () => {
    assert.deepEqual(configProblems(noop.info, {}), []);
    assert.deepEqual(configProblems(noop.info, { params: { verbose: true } }), [{ field: 'params.verbose', message: 'unknown field' }]);
  });
});
