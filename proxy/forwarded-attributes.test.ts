import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from '../core/attribute/duration.js';
import { IpAddress } from '../core/attribute/ip-address.js';
import { StringMap } from '../core/attribute/string-map.js';
import { Timestamp } from '../core/attribute/timestamp.js';
import type { AttributeValue } from '../core/attribute/value.js';
import { WireWriter } from '../core/grpc/wire-writer.js';
import { WireType } from '../core/grpc/wire-reader.js';
import { ForwardedAttributesError, decodeForwardedAttributes, encodeForwardedAttributes, forwardedAttributesHeader, parseForwardedAttributesHeader } from './forwarded-attributes.js';

test('every value type survives the istio.mixer.v1.Attributes round trip', () => {
  const input: [string, AttributeValue][] = [
    ['source.uid', 'kubernetes://reviews-v2.default'],
    ['source.labels', StringMap.fromObject({ app: 'reviews', version: 'v2' })],
    ['destination.port', 9080],
    ['big', 2n ** 62n],
    ['ratio', 0.25],
    ['connection.mtls', true],
    ['source.ip', IpAddress.parse('10.1.2.3')],
    ['request.time', Timestamp.fromParts(1_700_000_000, 5)],
    ['response.duration', Duration.ofMillis(1500)],
    ['blob', Uint8Array.from([1, 2, 3])],
  ];
  const decoded = parseForwardedAttributesHeader(forwardedAttributesHeader(input));
  assert.deepEqual([...decoded.keys()], input.map(([name]) => name));
  assert.equal(decoded.get('source.uid'), 'kubernetes://reviews-v2.default');
  const labels = decoded.get('source.labels') as StringMap;
  assert.deepEqual(Object.fromEntries(labels.entries), { app: 'reviews', version: 'v2' });
  assert.equal(labels.name, 'source.labels');
  assert.equal(decoded.get('destination.port'), 9080);
  assert.equal(decoded.get('big'), 2n ** 62n);
  assert.equal(decoded.get('ratio'), 0.25);
  assert.equal(decoded.get('connection.mtls'), true);
  assert.ok((decoded.get('source.ip') as IpAddress).equals(IpAddress.parse('10.1.2.3')));
  assert.equal((decoded.get('request.time') as Timestamp).seconds, 1_700_000_000);
  assert.equal((decoded.get('request.time') as Timestamp).nanos, 5);
  assert.equal((decoded.get('response.duration') as Duration).nanos, 1_500_000_000n);
  assert.deepEqual(decoded.get('blob'), Uint8Array.from([1, 2, 3]));
});

test('the encoding is the protobuf map layout: entry field 1 with key 1 and value 2 (string_value = 2)', () => {
  const bytes = encodeForwardedAttributes([['a', 'b']]);
  // 0a 08 | 0a 01 'a' | 12 03 | 12 01 'b'
  assert.deepEqual([...bytes], [0x0a, 0x08, 0x0a, 0x01, 0x61, 0x12, 0x03, 0x12, 0x01, 0x62]);
});

test('unknown fields are skipped, as protobuf requires', () => {
  const writer = new WireWriter();
  writer.tag(7, WireType.VARINT);
  writer.uint32(42);
  const known = encodeForwardedAttributes([['source.uid', 'x']]);
  const bytes = Buffer.concat([writer.finish(), known]);
  assert.equal(decodeForwardedAttributes(bytes).get('source.uid'), 'x');
});

test('malformed input is a ForwardedAttributesError, never a crash', () => {
  assert.throws(() => parseForwardedAttributesHeader('not base64 !!'), ForwardedAttributesError);
  const truncated = encodeForwardedAttributes([['source.uid', 'kubernetes://x']]).subarray(0, 6);
  assert.throws(() => decodeForwardedAttributes(truncated), ForwardedAttributesError);
  assert.throws(() => decodeForwardedAttributes(Buffer.from([0x0a, 0x02, 0x12, 0x00])), ForwardedAttributesError, 'an attribute without a name');
});
