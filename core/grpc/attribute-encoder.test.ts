import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import type { AttributeBag } from '../attribute/bag.js';
import { DictBag } from '../attribute/dict-bag.js';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import type { AttributeValue } from '../attribute/value.js';
import { decodeCheckRequest, encodeCheckRequest } from './check-request-codec.js';
import { GLOBAL_WORD_COUNT } from './global-dictionary.js';
import { ProtoBag } from './proto-bag.js';
import { reportBags } from './report-bags.js';
import { decodeReportRequest, encodeReportRequests, ReportEncoding, sameValue } from './report-request-codec.js';
import { reference } from './testing/reference-codec.js';
import { WireReader } from './wire-reader.js';

const manifest = AttributeManifest.standard();

/** Every value type, in an order that is not the maps' field order, with both kinds of StringMap. */
function mixedBag(path: string, nanos: bigint): AttributeBag {
  const values: [string, AttributeValue][] = [
    ['request.headers', StringMap.adopt({ ':path': path, 'x-request-id': `id-${path}`, host: 'upstream' }, 'request.headers')],
    ['response.code', 200],
    ['request.path', path],
    ['connection.mtls', false],
    ['response.duration', Duration.ofNanos(nanos)],
    ['request.time', Timestamp.fromParts(1_700_000_000, 123_456_789)],
    ['source.ip', IpAddress.parse('10.0.0.1')],
    ['destination.ip', IpAddress.parse('2001:db8::1')],
    ['request.size', 9007199254740993n],
    ['custom.ratio', 0.25],
    ['destination.labels', new StringMap(new Map([['app', 'upstream'], ['version', 'v1']]), 'destination.labels')],
    ['context.protocol', 'http'],
    ['custom.bytes', Uint8Array.from([1, 2, 3])],
  ];
  return new DictBag(values);
}

/** Durations on both sides of the encoder's exact-double shortcut (11.5 days), negative ones and zero-nanos ones. */
const DURATIONS = [0n, 1n, 15_000_000n, 2_000_000_000n, -1_500_000_001n, 999_999_999_999_999n, 1_000_000_000_000_000n, -1_000_000_000_000_001n, 9_223_372_036_854_775_807n];

/** The field numbers of a message's top-level fields, in wire order (of field `nested`'s content when given). */
function fieldOrder(bytes: Buffer, nested?: number): number[] {
  const reader = new WireReader(bytes);
  const fields: number[] = [];
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (nested !== undefined && tag >>> 3 === nested) {
      const end = reader.delimitedEnd();
      return fieldOrder(bytes.subarray(reader.pos, end));
    }
    fields.push(tag >>> 3);
    reader.skip(tag & 7);
  }
  return fields;
}

/** Words first (a Check), then each map's entries together, maps in field order, as Mixer's and Envoy's encoders write them. */
function assertGrouped(order: readonly number[], fields: readonly number[]): void {
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
  assert.deepEqual([...new Set(order)], fields);
}

function assertSameBag(decoded: AttributeBag, sent: AttributeBag): void {
  assert.deepEqual(decoded.names().sort(), sent.names().sort());
  for (const name of sent.names()) {
    const [got, want] = [decoded.get(name), sent.get(name)!];
    // IPv4 travels as 4 bytes and comes back in that form: the same address, other bytes.
    const same = want instanceof IpAddress ? got instanceof IpAddress && got.equals(want) : sameValue(got, want);
    assert.ok(same, `${name}: ${inspect(got)} vs ${inspect(want)}`);
  }
}

describe('writeCompressedAttributes', () => {
  test('Check: every value type decodes to what was sent, grouped by map in field order', () => {
    for (const nanos of DURATIONS) {
      const sent = mixedBag('/a', nanos);
      const bytes = encodeCheckRequest({ attributes: sent, quotas: new Map(), deduplicationId: '' }, manifest, GLOBAL_WORD_COUNT);
      assertSameBag(ProtoBag.create(decodeCheckRequest(bytes).attributes, manifest), sent);
      assertGrouped(fieldOrder(bytes, 1), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const json = reference.decodeCheckRequest(bytes) as { attributes: { durations?: Record<string, { seconds?: string; nanos?: number }> } };
      const duration = Object.values(json.attributes.durations ?? {})[0];
      const expected = Duration.ofNanos(nanos);
      assert.equal(Number(duration?.seconds ?? 0), expected.seconds, `seconds of ${nanos}`);
      assert.equal(duration?.nanos ?? 0, expected.subsecondNanos, `nanos of ${nanos}`);
    }
  });

  test('Report: a batch of mixed bags, including a record-backed StringMap, decodes to the same bags; words are shared once', () => {
    const batch = DURATIONS.map((nanos, index) => mixedBag(`/p${index % 3}`, nanos));
    const [bytes, ...more] = encodeReportRequests(batch, ReportEncoding.INDEPENDENT, manifest, GLOBAL_WORD_COUNT);
    assert.equal(more.length, 0);
    const decoded = reportBags(decodeReportRequest(bytes!), manifest);
    assert.deepEqual(decoded.errors, []);
    batch.forEach((sent, index) => assertSameBag(decoded.bags[index]!, sent));
    const json = reference.decodeReportRequest(bytes!) as { default_words: string[] };
    assert.equal(new Set(json.default_words).size, json.default_words.length, 'each word once per batch');
    for (const word of ['/p0', '/p1', '/p2', 'id-/p0', 'id-/p2', 'custom.ratio']) assert.ok(json.default_words.includes(word), word);
    const reader = new WireReader(bytes!);
    while (!reader.atEnd) {
      const tag = reader.tag();
      if (tag >>> 3 !== 1) {
        reader.skip(tag & 7);
        continue;
      }
      const end = reader.delimitedEnd();
      assertGrouped(fieldOrder(bytes!.subarray(reader.pos, end)), [2, 3, 4, 5, 6, 7, 8, 9]);
      reader.pos = end;
    }
  });
});

describe('StringMap.forEachEntry', () => {
  test('visits the entries in the order `entries` has them, for record- and Map-backed maps', () => {
    for (const map of [StringMap.adopt({ b: '1', a: '2', c: '3' }, 'm'), new StringMap(new Map([['b', '1'], ['a', '2'], ['c', '3']]), 'm')]) {
      const seen: string[] = [];
      map.forEachEntry((key, value, into) => into.push(`${key}=${value}`), seen);
      assert.deepEqual(seen, [...map.entries].map(([key, value]) => `${key}=${value}`));
    }
  });
});
