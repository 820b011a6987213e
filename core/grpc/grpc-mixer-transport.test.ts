import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { DictBag } from '../attribute/dict-bag.js';
import { StringMap } from '../attribute/string-map.js';
import { TransportError } from '../client/transport.js';
import { RpcCode } from '../status/rpc-code.js';
import { GrpcMixerTransport } from './grpc-mixer-transport.js';
import { mixerServiceDefinition } from './mixer-service.js';
import { loadMixerProtos } from './proto-files.js';
import { ReportEncoding } from './report-request-codec.js';
import { reference } from './testing/reference-codec.js';

// The transport against a scripted grpc-js server: what it sends, and how every kind of
// failure reaches the caller.

type Call = ServerUnaryCall<Buffer, Buffer>;
type Answer = (request: Buffer, callback: sendUnaryData<Buffer>) => void;

describe('GrpcMixerTransport against a scripted server', () => {
  const service = mixerServiceDefinition(loadMixerProtos());
  const server = new Server();
  const reports: Buffer[] = [];
  let checkAnswer: Answer = (_request, callback) => callback(null, Buffer.alloc(0));
  let target = '';

  before(async () => {
    server.addService(service, {
      Check: (call: Call, callback: sendUnaryData<Buffer>) => checkAnswer(call.request, callback),
      Report: (call: Call, callback: sendUnaryData<Buffer>) => {
        reports.push(call.request);
        callback(null, Buffer.alloc(0));
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
    );
    target = `127.0.0.1:${port}`;
  });
  after(() => server.forceShutdown());

  const check = { attributes: DictBag.of({ 'source.name': 'a' }), quotas: new Map([['q', { amount: 2, bestEffort: true }]]), deduplicationId: 'd-1' };

  test('sends a CheckRequest protobufjs reads back: words, count, dedup id, quotas', async () => {
    let sent: Record<string, unknown> = {};
    checkAnswer = (request, callback) => {
      sent = reference.decodeCheckRequest(request);
      callback(null, reference.encodeCheckResponse({ precondition: { status: { code: 7, message: 'no' }, valid_duration: { seconds: 5 }, valid_use_count: -1 } }));
    };
    const transport = new GrpcMixerTransport({ target });
    const response = await transport.check(check);
    await transport.close();
    assert.deepEqual(sent, {
      attributes: { words: ['a'], strings: { '2': -1 } },
      global_word_count: 222,
      deduplication_id: 'd-1',
      quotas: { q: { amount: '2', best_effort: true } },
    });
    assert.deepEqual(response.precondition?.status, { code: 7, message: 'no' });
    assert.equal(response.precondition?.validDurationMs, 5000);
    assert.equal(response.precondition?.validUseCount, -1, 'negative: unlimited uses');
  });

  test('a gRPC status becomes a TransportError with its code; so do deadlines and unreadable answers', async () => {
    const transport = new GrpcMixerTransport({ target, deadlineMs: 200 });
    checkAnswer = (_request, callback) => callback({ code: RpcCode.RESOURCE_EXHAUSTED as number, details: 'slow down' });
    await assert.rejects(transport.check(check), (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.RESOURCE_EXHAUSTED && error.message === 'RESOURCE_EXHAUSTED: slow down');
    checkAnswer = () => undefined; // never answers
    await assert.rejects(transport.check(check), (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.DEADLINE_EXCEEDED);
    checkAnswer = (_request, callback) => callback(null, Buffer.from([0x12, 0x05, 0x0a]));
    await assert.rejects(transport.check(check), (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.INTERNAL && /unreadable CheckResponse: truncated/.test(error.message));
    const controller = new AbortController();
    checkAnswer = () => controller.abort();
    await assert.rejects(transport.check(check, controller.signal), (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.CANCELLED);
    await transport.close();
  });

  test('reports: INDEPENDENT by default in one request; DELTA split where an attribute disappears; the older dictionary on request', async () => {
    reports.length = 0;
    const batch = [
      DictBag.of({ 'request.path': '/a', 'request.headers': StringMap.fromObject({ 'x-id': '1' }) }),
      DictBag.of({ 'request.path': '/b', 'request.headers': StringMap.fromObject({ 'x-id': '1' }) }),
      DictBag.of({ 'request.path': '/b' }),
    ];
    const independent = new GrpcMixerTransport({ target });
    await independent.report(batch);
    await independent.report([]);
    await independent.close();
    const delta = new GrpcMixerTransport({ target, reportEncoding: ReportEncoding.DELTA, globalWordCount: 111 });
    await delta.report(batch);
    await delta.close();
    const decoded = reports.map((bytes) => reference.decodeReportRequest(bytes) as { attributes: Record<string, unknown>[]; default_words?: string[]; global_word_count: number; repeated_attributes_semantics?: number });
    assert.equal(decoded.length, 3, 'one INDEPENDENT request (an empty batch sends nothing), two DELTA requests');
    assert.equal(decoded[0]!.repeated_attributes_semantics, 1);
    assert.equal(decoded[0]!.attributes.length, 3);
    assert.deepEqual(decoded[0]!.default_words, ['/a', 'x-id', '/b'], '"1" is global word 135');
    assert.equal(decoded[1]!.repeated_attributes_semantics, undefined);
    assert.equal(decoded[1]!.global_word_count, 111);
    assert.deepEqual(decoded[1]!.default_words, ['/a', 'x-id', '1', '/b'], 'below 111 global words, "1" is a message word');
    assert.deepEqual(decoded[1]!.attributes[1], { strings: { '17': -4 } }, 'only request.path changed');
    assert.deepEqual(decoded[2]!.attributes, [{ strings: { '17': -1 } }], 'request.headers disappeared: a new request');
  });
});
