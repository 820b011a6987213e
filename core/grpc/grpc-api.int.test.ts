import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { DictBag } from '../attribute/dict-bag.js';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { ReferenceCondition } from '../attribute/referenced-attributes.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import { TransportError, type TransportCheckResponse } from '../client/transport.js';
import { HeaderOperationKind } from '../config/snapshot.js';
import type { AttributeValue } from '../attribute/value.js';
import { RpcCode } from '../status/rpc-code.js';
import { GLOBAL_WORD_INDEX } from './global-dictionary.js';
import { GrpcMixerTransport } from './grpc-mixer-transport.js';
import { mixerServiceDefinition } from './mixer-service.js';
import { loadMixerProtos } from './proto-files.js';
import { ReportEncoding } from './report-request-codec.js';
import { reference } from './testing/reference-codec.js';
import { startGrpcMixer, type GrpcMixer } from './testing/grpc-mixer-fixture.js';

const service = mixerServiceDefinition(loadMixerProtos());
const g = (word: string): number => GLOBAL_WORD_INDEX.get(word)!;

/** Sends raw bytes to a method and returns the response bytes or the gRPC error. */
function rawCall(client: Client, path: string, bytes: Buffer): Promise<Buffer | ServiceError> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, new Metadata(), {}, (error, response) => resolve(error ?? response ?? Buffer.alloc(0)));
  });
}

function request(attributes: Record<string, AttributeValue>, quotas: Record<string, number> = {}, deduplicationId = '') {
  return {
    attributes: DictBag.of(attributes),
    quotas: new Map(Object.entries(quotas).map(([name, amount]) => [name, { amount, bestEffort: false }])),
    deduplicationId,
  };
}

const labels = (object: Record<string, string>) => StringMap.fromObject(object);

function referencedText(response: TransportCheckResponse): string[] {
  return (response.precondition?.referenced ?? [])
    .map((r) => `${r.condition === ReferenceCondition.ABSENCE ? '-' : ''}${r.name}${r.mapKey === undefined ? '' : `[${r.mapKey}]`}`)
    .sort();
}

describe('the gRPC API (istio.mixer.v1.Mixer on grpc-js) with real grpc-js clients', () => {
  let mixer: GrpcMixer;
  let transport: GrpcMixerTransport;
  let raw: Client;

  before(async () => {
    mixer = await startGrpcMixer();
    transport = new GrpcMixerTransport({ target: `grpc://${mixer.grpcTarget}` });
    raw = new Client(mixer.grpcTarget, credentials.createInsecure());
  });
  after(async () => {
    raw.close();
    await transport.close();
    await mixer.close();
  });

  test('an allowed call: OK, header operations, referenced attributes, a quota grant', async () => {
    const response = await transport.check(
      request({ 'destination.labels': labels({ app: 'reviews' }), 'source.labels': labels({ app: 'productpage' }), 'request.size': 10 }, { requestcount: 1 }),
    );
    const precondition = response.precondition!;
    assert.equal(precondition.status.code, RpcCode.OK);
    assert.equal(precondition.validDurationMs, 60_000);
    assert.equal(precondition.validUseCount, 10_000);
    assert.equal(precondition.referencedValid, true);
    assert.ok(referencedText(response).includes('destination.labels[app]'));
    assert.ok(referencedText(response).includes('-source.labels[version]') || referencedText(response).includes('source.labels[app]'));
    assert.deepEqual(precondition.routeDirective?.requestHeaderOperations, [{ name: 'x-mixer-caller', value: 'productpage', operation: HeaderOperationKind.REPLACE }]);
    assert.deepEqual(precondition.routeDirective?.responseHeaderOperations, [{ name: 'x-powered-by', value: '', operation: HeaderOperationKind.REMOVE }]);
    const quota = response.quotas.get('requestcount');
    assert.equal(quota?.grantedAmount, 1);
    assert.equal(quota?.validDurationMs, 60_000);
  });

  test('a denial is a successful call with the denial in the precondition, and no quotas', async () => {
    const response = await transport.check(request({ 'destination.labels': labels({ app: 'ratings' }), 'source.labels': labels({ app: 'reviews', version: 'v3' }) }, { requestcount: 1 }));
    assert.equal(response.precondition?.status.code, RpcCode.PERMISSION_DENIED);
    assert.match(response.precondition?.status.message ?? '', /^denyv3\.handler\.istio-system:Not allowed$/);
    assert.equal(response.precondition?.validDurationMs, 5000);
    assert.equal(response.precondition?.validUseCount, 1000);
    assert.equal(response.quotas.size, 0);
    const whitelist = await transport.check(request({ 'destination.labels': labels({ app: 'details' }), 'source.labels': labels({ app: 'reviews' }) }));
    assert.equal(whitelist.precondition?.status.code, RpcCode.PERMISSION_DENIED);
    assert.match(whitelist.precondition?.status.message ?? '', /reviews is not whitelisted/);
  });

  test('quotas run out at the configured maximum; a repeated deduplication id is answered without spending', async () => {
    const ask = async (dedup: string) =>
      (await transport.check(request({ 'destination.labels': labels({ app: 'grpc-quota' }) }, { requestcount: 1 }, dedup))).quotas.get('requestcount')?.grantedAmount;
    assert.equal(await ask('q-1'), 1);
    assert.equal(await ask('q-1'), 1, 'a retry of q-1');
    assert.equal(await ask('q-2'), 1);
    assert.equal(await ask('q-3'), 1);
    assert.equal(await ask('q-4'), 0, 'exhausted: granted 0 with OK');
    const unconfigured = await transport.check(request({}, { nosuchquota: 5 }));
    assert.equal(unconfigured.quotas.get('nosuchquota')?.grantedAmount, 5, 'an unconfigured quota is granted in full');
  });

  test('bad input gets a status naming the problem, and the server keeps serving', async () => {
    const check = service.Check.path;
    const valid = reference.encodeCheckRequest({ attributes: { words: ['reviews'], strings: { [g('destination.service.name')]: -1 } }, global_word_count: 222 });

    const truncated = await rawCall(raw, check, valid.subarray(0, valid.length - 2));
    assert.equal((truncated as ServiceError).code, RpcCode.INVALID_ARGUMENT);
    assert.match((truncated as ServiceError).details, /^invalid CheckRequest: truncated message/);

    const badIndex = await rawCall(raw, check, reference.encodeCheckRequest({ attributes: { words: ['x'], strings: { [g('source.name')]: -3 } } }));
    assert.equal((badIndex as ServiceError).code, RpcCode.INVALID_ARGUMENT);
    assert.match((badIndex as ServiceError).details, /strings: value index -3 is not defined in the available dictionaries/);

    const wrongKind = await rawCall(raw, check, reference.encodeCheckRequest({ attributes: { strings: { [g('response.code')]: g('GET') } } }));
    assert.equal((wrongKind as ServiceError).code, RpcCode.INVALID_ARGUMENT);
    assert.match((wrongKind as ServiceError).details, /attribute 'response.code' is declared INT64 .* but arrived in strings/);

    const wireType = await rawCall(raw, check, Buffer.from([0x0a, 0x02, 0x10, 0x01]));
    assert.equal((wireType as ServiceError).code, RpcCode.INVALID_ARGUMENT);
    assert.match((wireType as ServiceError).details, /CompressedAttributes\.strings: wire type 0, expected 2/);

    const newer = await rawCall(raw, check, reference.encodeCheckRequest({ global_word_count: 300 }));
    assert.equal((newer as ServiceError).code, RpcCode.INTERNAL);
    assert.equal((newer as ServiceError).details, 'inconsistent global dictionary versions used: mixer knows 222 words, caller knows 300');

    const garbage = await rawCall(raw, service.Report.path, Buffer.from([0xff, 0xff]));
    assert.equal((garbage as ServiceError).code, RpcCode.INVALID_ARGUMENT);

    const answer = await rawCall(raw, check, valid);
    assert.ok(Buffer.isBuffer(answer), 'still serving');
    const decoded = reference.decodeCheckResponse(answer) as { precondition: { status: object } };
    assert.deepEqual(decoded.precondition.status, {});
  });

  test('reports in both encodings reach the access log; a bad entry is UNKNOWN while the others are logged', async () => {
    const entry = (path: string, extra: Record<string, AttributeValue> = {}) =>
      DictBag.of({
        'context.protocol': 'http',
        'request.path': path,
        'response.code': 200,
        'request.size': 9007199254740993n,
        'request.time': Timestamp.fromParts(1_700_000_000, 0),
        'response.duration': Duration.ofMillis(15),
        'source.ip': IpAddress.parse('10.1.2.3'),
        'request.headers': labels({ 'user-agent': 'grpc-test' }),
        ...extra,
      });
    await transport.report([entry('/independent/1'), entry('/independent/2', { 'response.code': 503 })]);
    const delta = new GrpcMixerTransport({ target: mixer.grpcTarget, reportEncoding: ReportEncoding.DELTA });
    try {
      await delta.report([entry('/delta/1'), entry('/delta/2', { 'response.code': 404 }), entry('/delta/3')]);
    } finally {
      await delta.close();
    }
    const bad = reference.encodeReportRequest({
      repeated_attributes_semantics: 1,
      default_words: ['http', '/bad-batch/ok'],
      attributes: [{ strings: { [g('context.protocol')]: g('http'), [g('request.path')]: -2 } }, { strings: { [g('context.protocol')]: -9 } }],
    });
    const failed = await rawCall(raw, service.Report.path, bad);
    assert.equal((failed as ServiceError).code, RpcCode.UNKNOWN);
    assert.match((failed as ServiceError).details, /^request could not be processed due to invalid attributes: attributes\[1\]: .*index -9/);
    const empty = await rawCall(raw, service.Report.path, Buffer.alloc(0));
    assert.ok(Buffer.isBuffer(empty), 'an empty report is OK');

    const lines = await mixer.logLines(6);
    const paths = lines.map((line) => (JSON.parse(line) as { path: string }).path);
    assert.deepEqual(paths, ['/independent/1', '/independent/2', '/delta/1', '/delta/2', '/delta/3', '/bad-batch/ok']);
    const first = lines[0]!;
    for (const expected of ['"size":9007199254740993', '"source":"10.1.2.3"', '"latency":"15ms"', '"agent":"grpc-test"', '"time":"2023-11-14T22:13:20']) {
      assert.ok(first.includes(expected), `${expected} in ${first}`);
    }
    assert.ok(lines[3]!.includes('"code":404') && lines[4]!.includes('"code":200'), 'DELTA changes apply to the entry they are in');
  });

  test('the transport reports failures as TransportErrors with the gRPC code', async () => {
    const newer = new GrpcMixerTransport({ target: mixer.grpcTarget, globalWordCount: 222 });
    await assert.rejects(newer.check({ ...request({}), attributes: DictBag.of({ 'request.size': 'not a number' }) }), (error: unknown) => {
      return error instanceof TransportError && error.rpcCode === RpcCode.INVALID_ARGUMENT && /request\.size/.test(error.message);
    });
    await newer.close();
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(transport.check(request({}), aborted.signal), (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.CANCELLED);
    const nobody = new GrpcMixerTransport({ target: '127.0.0.1:1', deadlineMs: 2000 });
    await assert.rejects(nobody.check(request({})), (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.UNAVAILABLE);
    await nobody.close();
  });

  test('per-call metrics count gRPC calls by their final code', async () => {
    const text = await (await fetch(`${mixer.monitoringUrl}/metrics`)).text();
    assert.match(text, /mixer_check_total\{code="OK"\} [1-9]/);
    assert.match(text, /mixer_check_total\{code="PERMISSION_DENIED"\} [1-9]/);
    assert.match(text, /mixer_check_total\{code="INVALID_ARGUMENT"\} [1-9]/);
    assert.match(text, /mixer_report_total\{outcome="error"\} [1-9]/);
  });
});

describe('the gRPC API without a valid config', () => {
  test('answers UNAVAILABLE until a config is active', async () => {
    const mixer = await startGrpcMixer(() => ({ 'broken.yaml': 'apiVersion: config.istio.io/v1alpha2\nkind: rule\nmetadata:\n  name: r\nspec:\n  match: "(("\n' }));
    const transport = new GrpcMixerTransport({ target: mixer.grpcTarget });
    try {
      await assert.rejects(transport.check(request({})), (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.UNAVAILABLE && /no valid config/.test(error.message));
      await assert.rejects(transport.report([DictBag.of({})]), (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.UNAVAILABLE);
    } finally {
      await transport.close();
      await mixer.close();
    }
  });
});
