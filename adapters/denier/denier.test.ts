import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from 'inversify';

import { TOKENS } from '../../core/di/tokens.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import type { AdapterInfo } from '../sdk/adapter-info.js';
import { buildForTest, configProblems, ManualEnvironment } from '../sdk/testing/index.js';
import { denier } from './index.js';

const info = denier.info;
const context = { deduplicationId: '' };

async function build(params?: unknown) {
  const { handler } = await buildForTest(info, new ManualEnvironment(), { params });
  return handler;
}

describe('denier params', () => {
  it('defaults to FAILED_PRECONDITION, 5s and 1000 uses', async () => {
    const handler = await build();
    const result = await handler.handleCheckNothing({ name: 'i.instance.ns' }, context);
    assert.deepEqual(result, { status: { code: RpcCode.FAILED_PRECONDITION, message: '' }, validDurationMs: 5000, validUseCount: 1000 });
  });

  it('accepts snake_case and lowerCamelCase field names', async () => {
    const snake = await build({ status: { code: 7, message: 'Not allowed' }, valid_duration: '10s', valid_use_count: 3 });
    const camel = await build({ status: { code: 'PERMISSION_DENIED', message: 'Not allowed' }, validDuration: '10s', validUseCount: 3 });
    const expected = { status: { code: RpcCode.PERMISSION_DENIED, message: 'Not allowed' }, validDurationMs: 10_000, validUseCount: 3 };
    assert.deepEqual(await snake.handleListEntry({ name: 'x', value: 'a' }, context), expected);
    assert.deepEqual(await camel.handleCheckNothing({ name: 'x' }, context), expected);
  });

  it('keeps FAILED_PRECONDITION when the status has only a message', async () => {
    const handler = await build({ status: { message: 'go away' } });
    const result = await handler.handleCheckNothing({ name: 'x' }, context);
    assert.deepEqual(result.status, { code: RpcCode.FAILED_PRECONDITION, message: 'go away' });
  });

  it('allows an explicit OK status (an allow-all handler)', async () => {
    const handler = await build({ status: { code: 0 } });
    assert.equal((await handler.handleCheckNothing({ name: 'x' }, context)).status.code, RpcCode.OK);
  });

  it('turns a DirectHttpResponse detail into a direct response', async () => {
    const handler = await build({
      status: {
        code: 16,
        message: 'login first',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.DebugInfo', detail: 'ignored' },
          { '@type': 'type.googleapis.com/istio.policy.v1beta1.DirectHttpResponse', code: 302, headers: { location: 'https://login' } },
        ],
      },
    });
    const result = await handler.handleCheckNothing({ name: 'x' }, context);
    assert.deepEqual(result.status, {
      code: RpcCode.UNAUTHENTICATED,
      message: 'login first',
      directResponse: { code: 302, body: '', headers: { location: 'https://login' } },
    });
  });

  it('reports every invalid field with its path', () => {
    assert.deepEqual(configProblems(info, { params: { status: { code: 'NOPE' } } }), [
      { field: 'params.status.code', message: '"NOPE" is not one of OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED' },
    ]);
    const problems = configProblems(info, { params: { validDuration: 'soon', validUseCount: -1, extra: true, status: { code: 99 } } });
    assert.deepEqual(problems.map((entry) => entry.field).sort(), ['params.extra', 'params.status.code', 'params.validDuration', 'params.validUseCount']);
    assert.ok(problems.some((entry) => entry.field === 'params.extra' && entry.message === 'unknown field'));
    assert.ok(problems.some((entry) => entry.field === 'params.validDuration' && entry.message.includes('is not a duration')));
  });

  it('rejects a negative valid duration in validate()', () => {
    assert.deepEqual(configProblems(info, { params: { validDuration: '-1s' } }), [
      { field: 'params.validDuration', message: 'valid duration must be >= 0, it is -1s' },
    ]);
  });
});

describe('denier quota', () => {
  it('grants nothing with an OK status', async () => {
    const handler = await build({ status: { code: 7 } });
    const result = await handler.handleQuota({ name: 'q', dimensions: {} }, { deduplicationId: 'd', amount: 5, bestEffort: true }, context);
    assert.deepEqual(result, { status: { code: RpcCode.OK, message: '' }, grantedAmount: 0, validDurationMs: 0 });
  });
});

describe('denier module', () => {
  it('binds its info under TOKENS.AdapterInfo', () => {
    const container = new Container();
    container.load(denier.module);
    const infos = container.getAll<AdapterInfo>(TOKENS.AdapterInfo);
    assert.deepEqual(infos.map((entry) => entry.name), ['denier']);
    assert.deepEqual([...info.supportedTemplates], ['checknothing', 'listentry', 'quota']);
  });
});
