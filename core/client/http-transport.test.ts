import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DictBag } from '../attribute/dict-bag.js';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { ReferenceCondition } from '../attribute/referenced-attributes.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import { HeaderOperationKind } from '../config/snapshot.js';
import { RpcCode } from '../status/rpc-code.js';
import { HttpMixerTransport } from './http-transport.js';
import { TransportError } from './transport.js';

// HttpMixerTransport against a loopback HTTP server that plays Mixer's API with canned bodies.

type Handler = (body: unknown, request: IncomingMessage, response: ServerResponse) => void;

describe('HttpMixerTransport', () => {
  let server: Server;
  let url: string;
  let handler: Handler = (_body, _request, response) => response.end('{}');
  const received: { path: string; body: unknown }[] = [];

  before(async () => {
    server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        const body: unknown = text === '' ? undefined : JSON.parse(text);
        received.push({ path: request.url ?? '', body });
        handler(body, request, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const answer = (status: number, body: unknown): Handler => (_body, _request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const request = (attributes = new DictBag()) => ({ attributes, quotas: new Map(), deduplicationId: '' });

  test('sends a Check as Mixer’s JSON and decodes the answer', async () => {
    handler = answer(200, {
      precondition: {
        status: { code: 7, message: 'h:denied' },
        validDuration: '1.5s',
        validUseCount: 100,
        referencedAttributes: {
          attributeMatches: [
            { name: 'source.labels', condition: 'EXACT', mapKey: 'app' },
            { name: 'request.auth.principal', condition: 'ABSENCE' },
          ],
        },
        routeDirective: { responseHeaderOperations: [{ name: 'x-a', value: 'b', operation: 'APPEND' }], directResponseCode: 302, directResponseBody: 'moved' },
      },
      quotas: { rq: { grantedAmount: '3', validDuration: '1s', status: { code: 0 }, referencedAttributes: { attributeMatches: [] } } },
    });
    const transport = new HttpMixerTransport({ url });
    const attributes = DictBag.of({
      'source.labels': StringMap.fromObject({ app: 'reviews' }),
      'request.size': 12,
      'request.time': Timestamp.fromParts(1_700_000_000, 0),
      'response.duration': Duration.ofMillis(15),
      'source.ip': IpAddress.parse('10.0.0.1'),
      big: 1n << 62n,
    });
    const response = await transport.check({ attributes, quotas: new Map([['rq', { amount: 3, bestEffort: true }]]), deduplicationId: 'id-1' });
    const sent = received.at(-1)!;
    assert.equal(sent.path, '/v1/check');
    assert.deepEqual(sent.body, {
      attributes: {
        'source.labels': { app: 'reviews' },
        'request.size': 12,
        'request.time': '2023-11-14T22:13:20Z',
        'response.duration': '15ms',
        'source.ip': '10.0.0.1',
        big: '4611686018427387904',
      },
      quotas: { rq: { amount: 3, bestEffort: true } },
      deduplicationId: 'id-1',
    });
    assert.deepEqual(response.precondition, {
      status: { code: 7, message: 'h:denied' },
      validDurationMs: 1500,
      validUseCount: 100,
      referenced: [
        { name: 'source.labels', mapKey: 'app', condition: ReferenceCondition.EXACT },
        { name: 'request.auth.principal', condition: ReferenceCondition.ABSENCE },
      ],
      referencedValid: true,
      routeDirective: {
        requestHeaderOperations: [],
        responseHeaderOperations: [{ name: 'x-a', value: 'b', operation: HeaderOperationKind.APPEND }],
        directResponseCode: 302,
        directResponseBody: 'moved',
      },
    });
    assert.deepEqual(response.quotas.get('rq'), { status: { code: 0, message: '' }, grantedAmount: 3, validDurationMs: 1000, referenced: [], referencedValid: true });
  });

  test('references it cannot decode make the answer uncacheable, not a failure', async () => {
    handler = answer(200, { precondition: { status: { code: 0 }, referencedAttributes: { attributeMatches: [{ name: 17, condition: 'EXACT' }] } } });
    const response = await new HttpMixerTransport({ url }).check(request());
    assert.equal(response.precondition?.referencedValid, false);
    assert.equal(response.precondition?.validDurationMs, undefined);
  });

  test('a response without precondition decodes as such', async () => {
    handler = answer(200, {});
    const response = await new HttpMixerTransport({ url }).check(request());
    assert.equal(response.precondition, undefined);
  });

  test('sends a Report batch as one request', async () => {
    handler = answer(200, {});
    await new HttpMixerTransport({ url }).report([DictBag.of({ a: '1' }), DictBag.of({ b: true })]);
    assert.deepEqual(received.at(-1), { path: '/v1/report', body: { attributes: [{ a: '1' }, { b: true }] } });
  });

  test('HTTP errors become gRPC codes with the server’s message', async () => {
    const transport = new HttpMixerTransport({ url });
    for (const [status, code] of [
      [503, RpcCode.UNAVAILABLE],
      [500, RpcCode.INTERNAL],
      [400, RpcCode.INVALID_ARGUMENT],
      [504, RpcCode.DEADLINE_EXCEEDED],
      [418, RpcCode.UNKNOWN],
    ] as const) {
      handler = answer(status, { error: `failure ${status}` });
      await assert.rejects(transport.check(request()), (error: unknown) => error instanceof TransportError && error.rpcCode === code && error.message.includes(`failure ${status}`));
    }
  });

  test('a body that is not a CheckResponse is INTERNAL', async () => {
    const transport = new HttpMixerTransport({ url });
    handler = answer(200, 'not json');
    await assert.rejects(transport.check(request()), (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.INTERNAL);
    handler = answer(200, { precondition: { status: { code: 0 }, validDuration: 'soon' } });
    await assert.rejects(transport.check(request()), (error: unknown) => error instanceof TransportError && /validDuration/.test(error.message));
  });

  test('an abort is the reason it was aborted with; a fetch timeout is DEADLINE_EXCEEDED', async () => {
    handler = () => undefined; // never answers
    const transport = new HttpMixerTransport({ url });
    const controller = new AbortController();
    const pending = transport.check(request(), controller.signal);
    const reason = new TransportError(RpcCode.DEADLINE_EXCEEDED, 'timed out after 5 ms');
    controller.abort(reason);
    await assert.rejects(pending, (error: unknown) => error === reason);
    await assert.rejects(transport.check(request(), AbortSignal.timeout(20)), (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.DEADLINE_EXCEEDED);
    const closing = transport.check(request());
    await transport.close();
    await assert.rejects(closing, (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.UNAVAILABLE);
    await assert.rejects(transport.check(request()), (error: unknown) => error instanceof TransportError && /closed/.test(error.message));
  });

  test('connections are kept alive across calls', async () => {
    const sockets = new Set<unknown>();
    handler = (_body, incoming, response) => {
      sockets.add(incoming.socket);
      answer(200, { precondition: { status: { code: 0 } } })(_body, incoming, response);
    };
    const transport = new HttpMixerTransport({ url: `${url}/` });
    for (let index = 0; index < 30; index++) await transport.check(request());
    // undici returns a socket to its pool a tick after the body is read, so sequential calls
    // settle on two connections; without keep-alive every call would open its own.
    assert.ok(sockets.size <= 4, `30 sequential calls over ${sockets.size} connections`);
  });
});

describe('HttpMixerTransport without a server', () => {
  test('a refused connection is UNAVAILABLE, marked unsent (the report batcher spends no retry on it)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const transport = new HttpMixerTransport({ url: `http://127.0.0.1:${port}` });
    await assert.rejects(
      transport.check({ attributes: new DictBag(), quotas: new Map(), deduplicationId: '' }),
      (error: unknown) => error instanceof TransportError && error.rpcCode === RpcCode.UNAVAILABLE && /ECONNREFUSED/.test(error.message) && error.unsent,
    );
  });
});
