import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TemplateInstance } from '../../templates/template.js';
import { WireWriter } from '../grpc/wire-writer.js';
import { WireType } from '../grpc/wire-reader.js';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS } from '../status/rpc-status.js';
import {
  decodeCheckResult, decodeHandleRequest, decodeQuotaResult, encodeAdapterConfigField, encodeCheckResult, encodeHandleRequest, encodeQuotaResult,
} from './handle-messages.js';
import { decodeStruct, encodeStruct, STRUCT_TYPE_URL } from './struct-codec.js';
import { templateNameOfDescriptor } from './template-descriptor.js';
import { templateWire } from './template-wire.js';

const metric = templateWire('metric')!;
const quota = templateWire('quota')!;
const listentry = templateWire('listentry')!;

describe('Handle<T>Request, results and adapter_config', () => {
  test('a report request carries every instance, the adapter config and the dedup id', () => {
    const config = encodeAdapterConfigField({ typeUrl: STRUCT_TYPE_URL, value: encodeStruct({ a: 1 }) });
    const instances = [1, 2, 3].map((value) => ({ name: `m${value}`, value, dimensions: {} }) as TemplateInstance);
    const request = decodeHandleRequest(metric, encodeHandleRequest(metric, instances, () => undefined, config, 'dedup-1'));
    assert.deepEqual(request.instances.map((instance) => [instance.name, (instance as unknown as { value: number }).value]), [['m1', 1], ['m2', 2], ['m3', 3]]);
    assert.equal(request.adapterConfig?.typeUrl, STRUCT_TYPE_URL);
    assert.deepEqual(decodeStruct(request.adapterConfig.value), { a: 1 });
    assert.equal(request.dedupId, 'dedup-1');
  });

  test('a quota request carries quota_request {name: {amount, best_effort}}', () => {
    const bytes = encodeHandleRequest(quota, [{ name: 'rq.instance.ns', dimensions: { d: 'x' } } as TemplateInstance], () => undefined, undefined, 'id', {
      name: 'rq.instance.ns',
      amount: 5,
      bestEffort: true,
    });
    const request = decodeHandleRequest(quota, bytes);
    assert.deepEqual(request.quotas, [{ name: 'rq.instance.ns', amount: 5, bestEffort: true }]);
    assert.equal(request.adapterConfig, undefined);
  });

  test('a check template takes one instance', () => {
    const two = [{ name: 'a', value: 'x' }, { name: 'b', value: 'y' }] as unknown as TemplateInstance[];
    assert.throws(() => decodeHandleRequest(listentry, encodeHandleRequest(listentry, two, () => undefined, undefined, '')), /takes one/);
  });

  test('CheckResult and QuotaResult round trip (status, duration, count, direct response)', () => {
    const check = { status: { code: RpcCode.PERMISSION_DENIED, message: 'no', directResponse: { code: 302, body: '', headers: { location: '/login' } } }, validDurationMs: 1500.5, validUseCount: 9 };
    assert.deepEqual(decodeCheckResult(encodeCheckResult(check)), check);
    assert.deepEqual(decodeCheckResult(encodeCheckResult({ status: OK_STATUS, validDurationMs: 0, validUseCount: 0 })), { status: OK_STATUS, validDurationMs: 0, validUseCount: 0 });
    const granted = { status: OK_STATUS, grantedAmount: 3, validDurationMs: 60_000 };
    assert.deepEqual(decodeQuotaResult(encodeQuotaResult('q', granted), 'q'), granted);
    // An answer keyed differently still counts (there is only one quota per call).
    assert.deepEqual(decodeQuotaResult(encodeQuotaResult('other', granted), 'q'), granted);
    assert.deepEqual(decodeQuotaResult(Buffer.alloc(0), 'q'), { status: OK_STATUS, grantedAmount: 0, validDurationMs: 0 });
  });

  test('CheckResult field numbers: status = 1, valid_duration = 2, valid_use_count = 3', () => {
    const bytes = encodeCheckResult({ status: { code: 7, message: '' }, validDurationMs: 1000, validUseCount: 4 });
    assert.deepEqual([...bytes], [0x0a, 0x02, 0x08, 0x07, 0x12, 0x02, 0x08, 0x01, 0x18, 0x04]);
  });

  test('params travel as a google.protobuf.Struct and come back as the same JSON', () => {
    const params = { s: 'x', n: -1.5, b: false, nil: null, list: [1, 'two', { three: [true] }], nested: { deep: { er: 'y' } }, skipped: undefined };
    const { skipped: _skipped, ...expected } = params;
    assert.deepEqual(decodeStruct(encodeStruct(params)), expected);
  });

  test('a template resource descriptor names its template by option or by package', () => {
    const fileSet = (files: { pkg: string; option?: string }[]): string => {
      const writer = new WireWriter();
      for (const file of files) {
        const mark = writer.begin(1);
        writer.tag(2, WireType.LENGTH_DELIMITED);
        writer.string(file.pkg);
        if (file.option !== undefined) {
          const options = writer.begin(8);
          writer.tag(72295888, WireType.LENGTH_DELIMITED);
          writer.string(file.option);
          writer.end(options);
        }
        writer.end(mark);
      }
      return Buffer.from(writer.finish()).toString('base64');
    };
    assert.equal(templateNameOfDescriptor(fileSet([{ pkg: 'google.protobuf' }, { pkg: 'metric' }])), 'metric');
    assert.equal(templateNameOfDescriptor(fileSet([{ pkg: 'x' }, { pkg: 'y', option: 'logentry' }, { pkg: 'z' }])), 'logentry');
    assert.equal(templateNameOfDescriptor(Buffer.from([0x0a, 0x7f, 0x01]).toString('base64')), undefined);
  });
});
