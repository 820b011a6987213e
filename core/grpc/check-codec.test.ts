import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DictBag } from '../attribute/dict-bag.js';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { ReferencedAttributes, ReferenceCondition } from '../attribute/referenced-attributes.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import { HeaderOperationKind } from '../config/snapshot.js';
import type { CheckOutcome } from '../runtime/check-outcome.js';
import { RpcCode } from '../status/rpc-code.js';
import { OK_STATUS } from '../status/rpc-status.js';
import { decodeCheckRequest, encodeCheckRequest } from './check-request-codec.js';
import { encodeCheckResponse } from './check-response-encoder.js';
import { decodeCheckResponse } from './check-response-decoder.js';
import { GLOBAL_WORD_INDEX } from './global-dictionary.js';
import { GlobalDictionaryMismatchError } from './grpc-errors.js';
import { ProtoBag } from './proto-bag.js';
import { reference } from './testing/reference-codec.js';

const manifest = AttributeManifest.standard();
const NO_QUOTAS = new Map();

const requestBag = DictBag.of({
  'destination.service.name': 'reviews',
  'request.method': 'GET',
  'request.headers': StringMap.fromObject({ 'x-user': 'alice', ':method': 'GET' }),
  'request.size': 9007199254740993n,
  'response.code': 200,
  'request.time': Timestamp.fromParts(1_700_000_000, 123),
  'response.duration': Duration.ofMillis(15),
  'source.ip': IpAddress.parse('10.1.2.3'),
  'destination.ip': IpAddress.parse('2001:db8::1'),
  'connection.mtls': true,
  'custom.ratio': 0.25,
});

describe('CheckRequest codec', () => {
  test('the worked example: request.headers {x-foo: bar} is string_maps {15: {-1: -2}} with words [x-foo, bar]', () => {
    const bytes = encodeCheckRequest({ attributes: DictBag.of({ 'request.headers': StringMap.fromObject({ 'x-foo': 'bar' }) }), quotas: NO_QUOTAS, deduplicationId: '' }, manifest, 222);
    const decoded = reference.decodeCheckRequest(bytes);
    assert.deepEqual(decoded, { attributes: { words: ['x-foo', 'bar'], string_maps: { '15': { entries: { '-1': -2 } } } }, global_word_count: 222 });
    // The bytes protobufjs writes for the same message are the same bytes: keys are zig-zag.
    assert.deepEqual(bytes, reference.encodeCheckRequest(decoded));
    assert.ok(bytes.includes(Buffer.from('4a0a081e12060a04080110', 'hex')), 'string_maps entry: key 15 → 0x1e, entry {-1 → 0x01 : -2 → 0x03}');
  });

  test('round trip through the wire into a ProtoBag: every kind, exact int64, global words below the count only', () => {
    const quotas = new Map([
      ['requestcount', { amount: 3, bestEffort: true }],
      ['big', { amount: 2 ** 40, bestEffort: false }],
    ]);
    const bytes = encodeCheckRequest({ attributes: requestBag, quotas, deduplicationId: 'dedup-1' }, manifest, 111);
    const request = decodeCheckRequest(bytes);
    assert.equal(request.globalWordCount, 111);
    assert.equal(request.deduplicationId, 'dedup-1');
    assert.deepEqual([...request.quotas], [...quotas]);
    const bag = ProtoBag.create(request.attributes, manifest);
    for (const name of requestBag.names()) {
      const sent = requestBag.get(name)!;
      const received = bag.get(name);
      if (sent instanceof StringMap) assert.deepEqual((received as StringMap).toObject(), sent.toObject(), name);
      else if (sent instanceof IpAddress) assert.ok(sent.equals(received as IpAddress), name);
      else if (sent instanceof Timestamp || sent instanceof Duration) assert.ok(sent.equals(received as never), name);
      else assert.equal(received, sent, name);
    }
    const json = reference.decodeCheckRequest(bytes) as { attributes: { words: string[]; strings: Record<string, number>; doubles: Record<string, number>; bytes: Record<string, Buffer> } };
    // 'connection.mtls' (global word 177) is not below 111: a per-message word; 'request.method' (19) is global.
    assert.ok(json.attributes.words.includes('connection.mtls'));
    assert.ok(!json.attributes.words.includes('request.method'));
    assert.ok(json.attributes.strings[String(GLOBAL_WORD_INDEX.get('request.method'))] !== undefined);
    assert.equal(json.attributes.doubles[String(json.attributes.words.indexOf('custom.ratio') * -1 - 1)], 0.25, 'an undeclared fraction is a double');
    assert.equal(json.attributes.bytes[String(GLOBAL_WORD_INDEX.get('source.ip'))]!.length, 4, 'IPv4 travels as 4 bytes');
  });

  test('a bigger global dictionary than Mixer knows is refused before the attributes are read', () => {
    const bytes = reference.encodeCheckRequest({ attributes: { strings: { '999': 1 } }, global_word_count: 223 });
    assert.throws(() => decodeCheckRequest(bytes), (error: unknown) => error instanceof GlobalDictionaryMismatchError && /mixer knows 222 words, caller knows 223/.test(error.message));
  });

  test('repeated attributes fields merge, as protobuf merges messages', () => {
    const first = reference.encodeCheckRequest({ attributes: { words: ['a'], strings: { '2': -1 } } });
    const second = reference.encodeCheckRequest({ attributes: { words: ['b'], strings: { '3': -2 } } });
    const bag = ProtoBag.create(decodeCheckRequest(Buffer.concat([first, second])).attributes, manifest);
    assert.equal(bag.get('source.name'), 'a');
    assert.equal(bag.get('source.uid'), 'b');
  });
});

function outcome(overrides: Partial<CheckOutcome> = {}): CheckOutcome {
  const referenced = new ReferencedAttributes();
  referenced.recordAttribute('destination.service.name', true);
  referenced.recordAttribute('source.labels', false);
  referenced.recordAttribute('context.proxy_version', false);
  referenced.recordAttribute('my.attribute', true);
  referenced.recordKey('request.headers', 'x-user', true);
  referenced.recordKey('request.headers', 'source.ip', false);
  referenced.recordKey('request.headers', '', false);
  return { status: OK_STATUS, validDurationMs: 60_000, validUseCount: 10_000, referenced, routeDirective: undefined, quotas: new Map(), ...overrides };
}

describe('CheckResponse codec', () => {
  test('protobufjs reads what the encoder writes: precondition always there, durations, referenced words', () => {
    const bytes = encodeCheckResponse(outcome({ validDurationMs: 1500 }), 222);
    const json = reference.decodeCheckResponse(bytes) as {
      precondition: { status: object; valid_duration: { seconds: string; nanos: number }; valid_use_count: number; referenced_attributes: { words: string[]; attribute_matches: object[] } };
    };
    assert.deepEqual(json.precondition.status, {});
    assert.deepEqual(json.precondition.valid_duration, { seconds: '1', nanos: 500_000_000 });
    assert.equal(json.precondition.valid_use_count, 10_000);
    const words = json.precondition.referenced_attributes.words;
    assert.deepEqual(words, ['my.attribute', 'x-user', 'source.ip', '']);
    assert.deepEqual(json.precondition.referenced_attributes.attribute_matches, [
      { name: GLOBAL_WORD_INDEX.get('destination.service.name'), condition: ReferenceCondition.EXACT },
      { name: GLOBAL_WORD_INDEX.get('source.labels'), condition: ReferenceCondition.ABSENCE },
      { name: GLOBAL_WORD_INDEX.get('context.proxy_version'), condition: ReferenceCondition.ABSENCE },
      { name: -1, condition: ReferenceCondition.EXACT },
      { name: GLOBAL_WORD_INDEX.get('request.headers'), condition: ReferenceCondition.EXACT, map_key: -2 },
      // 'source.ip' is global word 0, which map_key cannot carry ("no key"): it goes into words.
      { name: GLOBAL_WORD_INDEX.get('request.headers'), condition: ReferenceCondition.ABSENCE, map_key: -3 },
      { name: GLOBAL_WORD_INDEX.get('request.headers'), condition: ReferenceCondition.ABSENCE, map_key: -4 },
    ]);
  });

  test("global indexes only below the caller's global_word_count; the client decodes against the full dictionary", () => {
    const bytes = encodeCheckResponse(outcome(), 111);
    const json = reference.decodeCheckResponse(bytes) as { precondition: { referenced_attributes: { words: string[]; attribute_matches: { name?: number; map_key?: number }[] } } };
    for (const match of json.precondition.referenced_attributes.attribute_matches) {
      assert.ok((match.name ?? 0) < 111, `name ${match.name}`);
      assert.ok((match.map_key ?? 0) < 111, `map key ${match.map_key}`);
    }
    assert.ok(json.precondition.referenced_attributes.words.includes('context.proxy_version'));
    const decoded = decodeCheckResponse(bytes);
    assert.equal(decoded.precondition?.referencedValid, true);
    const strings = decoded.precondition?.referenced.map((r) => `${r.condition === ReferenceCondition.ABSENCE ? '-' : ''}${r.name}${r.mapKey === undefined ? '' : `[${r.mapKey}]`}`);
    assert.deepEqual(strings?.sort(), outcome().referenced.toStrings());
  });

  test('denial with a direct response, header operations, quotas: round trip through both decoders', () => {
    const quotaReferenced = new ReferencedAttributes();
    quotaReferenced.recordAttribute('source.name', true);
    const bytes = encodeCheckResponse(
      outcome({
        status: { code: RpcCode.PERMISSION_DENIED, message: 'h.handler.ns:Not allowed', directResponse: { code: 302, body: 'moved', headers: { location: '/login' } } },
        validDurationMs: 5000,
        validUseCount: 1000,
        routeDirective: {
          requestHeaderOperations: [{ name: 'x-a', value: '1', operation: HeaderOperationKind.REPLACE }],
          responseHeaderOperations: [
            { name: 'location', value: '/login', operation: HeaderOperationKind.REPLACE },
            { name: 'x-gone', value: '', operation: HeaderOperationKind.REMOVE },
            { name: 'set-cookie', value: 'a=1', operation: HeaderOperationKind.APPEND },
          ],
          directResponseCode: 302,
          directResponseBody: 'moved',
        },
        quotas: new Map([['rq', { status: OK_STATUS, grantedAmount: 0, validDurationMs: 0, referenced: quotaReferenced }]]),
      }),
      222,
    );
    const json = reference.decodeCheckResponse(bytes) as {
      precondition: { status: { code: number; message: string; details: { type_url: string; value: Buffer }[] }; route_directive: object };
      quotas: Record<string, object>;
    };
    assert.equal(json.precondition.status.code, 7);
    assert.equal(json.precondition.status.details[0]!.type_url, 'type.googleapis.com/istio.policy.v1beta1.DirectHttpResponse');
    assert.deepEqual(json.precondition.route_directive, {
      request_header_operations: [{ name: 'x-a', value: '1' }],
      response_header_operations: [{ name: 'location', value: '/login' }, { name: 'x-gone', operation: 1 }, { name: 'set-cookie', value: 'a=1', operation: 2 }],
      direct_response_code: 302,
      direct_response_body: 'moved',
    });
    assert.deepEqual(json.quotas['rq'], { valid_duration: {}, referenced_attributes: { attribute_matches: [{ name: 2, condition: 2 }] }, status: {} });

    const decoded = decodeCheckResponse(bytes);
    assert.deepEqual(decoded.precondition?.status, { code: 7, message: 'h.handler.ns:Not allowed', directResponse: { code: 302, body: 'moved', headers: { location: '/login' } } });
    assert.equal(decoded.precondition?.validDurationMs, 5000);
    assert.equal(decoded.precondition?.validUseCount, 1000);
    assert.equal(decoded.precondition?.routeDirective?.responseHeaderOperations[2]?.operation, HeaderOperationKind.APPEND);
    assert.deepEqual(decoded.quotas.get('rq'), { status: OK_STATUS, grantedAmount: 0, validDurationMs: 0, referenced: [{ name: 'source.name', condition: ReferenceCondition.EXACT }], referencedValid: true });
  });

  test('the client marks references it cannot decode, and REGEX ones, as not cacheable; a missing precondition stays missing', () => {
    const badIndex = reference.encodeCheckResponse({ precondition: { status: {}, referenced_attributes: { words: ['a'], attribute_matches: [{ name: -2, condition: 2 }] } } });
    assert.equal(decodeCheckResponse(badIndex).precondition?.referencedValid, false);
    const beyond = reference.encodeCheckResponse({ precondition: { referenced_attributes: { attribute_matches: [{ name: 222, condition: 1 }] } } });
    assert.equal(decodeCheckResponse(beyond).precondition?.referencedValid, false);
    const regex = reference.encodeCheckResponse({ precondition: { referenced_attributes: { attribute_matches: [{ name: 15, condition: 3, regex: '^x-' }] } } });
    const decodedRegex = decodeCheckResponse(regex).precondition!;
    assert.equal(decodedRegex.referencedValid, false);
    assert.deepEqual(decodedRegex.referenced, [{ name: 'request.headers', condition: ReferenceCondition.REGEX }]);
    assert.equal(decodedRegex.validDurationMs, undefined, 'no valid_duration: undefined');
    assert.equal(decodeCheckResponse(reference.encodeCheckResponse({})).precondition, undefined);
  });
});
