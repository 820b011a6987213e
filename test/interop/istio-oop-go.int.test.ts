import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { AttributeValue } from '../../core/attribute/value.js';
import { ValueType } from '../../core/attribute/value-type.js';
import { WireReader } from '../../core/grpc/wire-reader.js';
import { WireWriter } from '../../core/grpc/wire-writer.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import { OK_STATUS } from '../../core/status/rpc-status.js';
import { decodeCheckResult, decodeHandleRequest, decodeQuotaResult, encodeCheckResult, encodeHandleRequest, encodeQuotaResult } from '../../core/oop/handle-messages.js';
import { readPolicyValue, writePolicyValue } from '../../core/oop/policy-value-codec.js';
import { templateWire } from '../../core/oop/template-wire.js';

// The out-of-process encodings against Istio's own generated Go types (istio.io/api at Istio
// 1.4, test/interop/oop): what this codec writes, Go reads as the same values, and the other way
// round. The template InstanceMsg types live in istio/istio, not istio.io/api, so their field
// numbers are checked in instance-codec.test.ts instead.

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
// dist/test/interop → the sources' test/interop/oop.
const GO_DIRECTORY = join(HERE, '..', '..', '..', 'test', 'interop', 'oop');

interface GoOutput {
  values: string[];
  checkResult: { code: number; message: string; validDurationMs: number; validUseCount: number };
  quotaRequest: Record<string, string>;
  quotaResult: Record<string, string>;
  encoded: Record<string, string>;
}

/** A Value message alone (without the field key and length the writer puts before it). */
function valueBytes(value: AttributeValue, type: ValueType): string {
  const writer = new WireWriter();
  writePolicyValue(writer, 1, value, type);
  const reader = WireReader.of(Buffer.from(writer.finish()));
  reader.tag();
  const end = reader.delimitedEnd();
  return reader.buf.subarray(reader.pos, end).toString('base64');
}

function readValue(base64: string): AttributeValue | undefined {
  const body = Buffer.from(base64, 'base64');
  const writer = new WireWriter();
  writer.tag(1, 2);
  writer.bytes(body);
  const reader = WireReader.of(Buffer.from(writer.finish()));
  reader.tag();
  return readPolicyValue(reader);
}

function runWithInput(binary: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`oopinterop exited with ${String(code)}: ${stderr}`))));
    child.stdin.end(input);
  });
}

describe("out-of-process wire against Istio's Go types", () => {
  let directory: string | undefined;
  let output: GoOutput;
  let skipped: string | undefined;

  before(async () => {
    try {
      await run('go', ['version']);
    } catch (error) {
      if (process.env['CI'] === 'true') throw new Error(`the go toolchain is required under CI=true: ${String(error)}`);
      skipped = 'no go toolchain on PATH';
      return;
    }
    directory = await mkdtemp(join(tmpdir(), 'mixer-oop-interop-'));
    const binary = join(directory, 'oopinterop');
    await run('go', ['build', '-o', binary, '.'], { cwd: GO_DIRECTORY, maxBuffer: 1 << 24 });
    const quota = templateWire('quota')!;
    const handleQuota = encodeHandleRequest(quota, [{ name: 'rq.instance.istio-system', dimensions: {} } as never], () => undefined, undefined, 'dedup', {
      name: 'rq.instance.istio-system',
      amount: 5,
      bestEffort: true,
    });
    // quota_request (field 4) of the HandleQuotaRequest, as a QuotaRequest message.
    const reader = WireReader.of(handleQuota);
    let quotaRequest = '';
    while (!reader.atEnd) {
      const tag = reader.tag();
      if (tag >>> 3 === 4) {
        const end = reader.delimitedEnd();
        quotaRequest = reader.buf.subarray(reader.pos, end).toString('base64');
        reader.pos = end;
      } else reader.skip(tag & 7);
    }
    const input = {
      values: [
        valueBytes(42, ValueType.INT64),
        valueBytes(2.5, ValueType.DOUBLE),
        valueBytes('plain', ValueType.STRING),
        valueBytes(true, ValueType.BOOL),
        valueBytes(IpAddress.parse('10.1.2.3'), ValueType.IP_ADDRESS),
        valueBytes(Timestamp.parse('2026-11-25T10:00:00.5Z'), ValueType.TIMESTAMP),
        valueBytes(Duration.parse('1m30.25s'), ValueType.DURATION),
        valueBytes('a@b.c', ValueType.EMAIL_ADDRESS),
        valueBytes('svc.example.com', ValueType.DNS_NAME),
        valueBytes('http://x/y', ValueType.URI),
        valueBytes(StringMap.fromObject({ b: '2', a: '1' }), ValueType.STRING_MAP),
      ],
      checkResult: encodeCheckResult({ status: { code: RpcCode.PERMISSION_DENIED, message: 'closed' }, validDurationMs: 1500, validUseCount: 9 }).toString('base64'),
      quotaRequest,
      quotaResult: encodeQuotaResult('rq.instance.istio-system', { status: OK_STATUS, grantedAmount: 3, validDurationMs: 2000 }).toString('base64'),
    };
    output = JSON.parse(await runWithInput(binary, JSON.stringify(input))) as GoOutput;
    // The request round trip too, so the quota request above is known to be well formed.
    assert.equal(decodeHandleRequest(quota, handleQuota).dedupId, 'dedup');
  });

  after(async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  test('Go reads every Value this codec writes, in the oneof case of its type', (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    assert.deepEqual(output.values, [
      'int64:42',
      'double:2.5',
      'string:plain',
      'bool:true',
      'ip:10.1.2.3',
      'timestamp:2026-11-25T10:00:00.5Z',
      'duration:1m30.25s',
      'email:a@b.c',
      'dns:svc.example.com',
      'uri:http://x/y',
      'stringmap:a=1&b=2',
    ]);
  });

  test('Go reads CheckResult, QuotaRequest and QuotaResult as written', (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    assert.deepEqual(output.checkResult, { code: 7, message: 'closed', validDurationMs: 1500, validUseCount: 9 });
    assert.deepEqual(output.quotaRequest, { 'rq.instance.istio-system': 'amount=5 best_effort=true' });
    assert.deepEqual(output.quotaResult, { 'rq.instance.istio-system': 'granted=3 valid=2s code=0' });
  });

  test('this codec reads what Go writes', (context) => {
    if (skipped !== undefined) return context.skip(skipped);
    const encoded = (name: string) => Buffer.from(output.encoded[name]!, 'base64');
    assert.deepEqual(decodeCheckResult(encoded('checkResult')), { status: { code: 7, message: 'closed' }, validDurationMs: 1500, validUseCount: 9 });
    assert.deepEqual(decodeQuotaResult(encoded('quotaResult'), 'rq.instance.istio-system'), { status: OK_STATUS, grantedAmount: 3, validDurationMs: 2000 });
    const values = [0, 1, 2, 3, 4, 5, 6].map((index) => readValue(output.encoded[`value${index}`]!));
    assert.equal(values[0], -42);
    assert.equal(values[1], 2.5);
    assert.ok(values[2] instanceof Duration && values[2].equals(Duration.parse('15ms')));
    assert.ok(values[3] instanceof Timestamp && values[3].toMillis() === Date.parse('2026-11-25T10:00:00.5Z'));
    assert.ok(values[4] instanceof IpAddress && values[4].toString() === '10.1.2.3');
    assert.ok(values[5] instanceof StringMap);
    assert.deepEqual(values[5].toObject(), { a: '1', b: '2' });
    assert.equal(values[6], 'http://x/y');
  });
});
