import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AttributeBag } from '../attribute/bag.js';
import { DictBag } from '../attribute/dict-bag.js';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { StringMap } from '../attribute/string-map.js';
import type { AttributeValue } from '../attribute/value.js';
import { GLOBAL_WORD_INDEX } from './global-dictionary.js';
import { reportBags } from './report-bags.js';
import { decodeReportRequest, encodeReportRequests, ReportEncoding, ReportRequestBuilder, sameValue } from './report-request-codec.js';
import { reference } from './testing/reference-codec.js';

const manifest = AttributeManifest.standard();
const g = (word: string): number => GLOBAL_WORD_INDEX.get(word)!;

const entry = (path: string, code: number, extra: Record<string, unknown> = {}) =>
  DictBag.of({
    'context.protocol': 'http',
    'request.path': path,
    'response.code': code,
    'response.duration': Duration.ofMillis(15),
    'source.ip': IpAddress.parse('10.0.0.1'),
    'request.headers': StringMap.fromObject({ 'x-trace': 'same' }),
    ...(extra as Record<string, never>),
  });

function plain(bag: AttributeBag): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of bag.names().sort()) {
    const value = bag.get(name);
    out[name] = value instanceof StringMap ? JSON.stringify(value.toObject()) : String(value);
  }
  return out;
}

describe('ReportRequest codec', () => {
  test('INDEPENDENT: one request, entries share default_words and keep their own words empty', () => {
    const batch = [entry('/a/x', 200), entry('/b/y', 503)];
    const [bytes, ...more] = encodeReportRequests(batch, ReportEncoding.INDEPENDENT, manifest, 222);
    assert.equal(more.length, 0);
    const json = reference.decodeReportRequest(bytes!) as { attributes: { words?: string[] }[]; default_words: string[]; global_word_count: number; repeated_attributes_semantics: number };
    assert.equal(json.repeated_attributes_semantics, 1);
    assert.equal(json.global_word_count, 222);
    assert.deepEqual(json.default_words, ['/a/x', 'x-trace', 'same', '/b/y']);
    assert.ok(json.attributes.every((attributes) => attributes.words === undefined));
    const decoded = reportBags(decodeReportRequest(bytes!), manifest);
    assert.deepEqual(decoded.errors, []);
    assert.deepEqual(decoded.bags.map(plain), batch.map(plain));
  });

  test('DELTA: later entries carry only what changed; a disappearing attribute starts a new request', () => {
    const batch = [entry('/a', 200), entry('/a', 503), entry('/c', 503, { 'request.size': 9007199254740993n }), entry('/d', 200)];
    const requests = encodeReportRequests(batch, ReportEncoding.DELTA, manifest, 222);
    assert.equal(requests.length, 2, 'request.size disappears after the third entry');
    const first = reference.decodeReportRequest(requests[0]!) as { attributes: Record<string, Record<string, unknown>>[]; repeated_attributes_semantics?: number };
    assert.equal(first.repeated_attributes_semantics, undefined, 'DELTA is the default (0)');
    assert.deepEqual(Object.keys(first.attributes[1]!), ['int64s'], 'only response.code changed');
    assert.deepEqual(first.attributes[1]!['int64s'], { [String(g('response.code'))]: '503' });
    assert.deepEqual(Object.keys(first.attributes[2]!).sort(), ['int64s', 'strings']);
    const bags = requests.flatMap((bytes) => {
      const decoded = reportBags(decodeReportRequest(bytes), manifest);
      assert.deepEqual(decoded.errors, []);
      return decoded.bags;
    });
    assert.deepEqual(bags.map(plain), batch.map(plain));
    assert.equal(bags[2]!.get('request.size'), 9007199254740993n);
  });

  test('INDEPENDENT with a bad entry: the others still become bags, the bad one is named', () => {
    const bytes = reference.encodeReportRequest({
      repeated_attributes_semantics: 1,
      default_words: ['/ok'],
      attributes: [{ strings: { [g('request.path')]: -1 } }, { strings: { [g('request.path')]: -7 } }, { strings: { [g('request.size')]: -1 } }, { strings: { [g('request.path')]: g('GET') } }],
    });
    const decoded = reportBags(decodeReportRequest(bytes), manifest);
    assert.deepEqual(decoded.bags.map((bag) => bag.get('request.path')), ['/ok', 'GET']);
    assert.equal(decoded.errors.length, 2);
    assert.match(decoded.errors[0]!, /^attributes\[1\]: CompressedAttributes\.strings: value index -7 is not defined/);
    assert.match(decoded.errors[1]!, /^attributes\[2\]: attribute 'request\.size' is declared INT64/);
  });

  test('DELTA: a bad entry ends the batch (later entries change a state no longer known); a name in two maps is a duplicate', () => {
    const bytes = reference.encodeReportRequest({
      default_words: ['n'],
      attributes: [
        { strings: { [g('request.path')]: g('GET') }, int64s: { [g('response.code')]: 200 } },
        { int64s: { [g('response.code')]: 404 } },
        { strings: { '-1': g('GET') }, int64s: { '-1': 1 } },
        { int64s: { [g('response.code')]: 500 } },
      ],
    });
    const decoded = reportBags(decodeReportRequest(bytes), AttributeManifest.standard());
    assert.deepEqual(decoded.bags.map((bag) => [bag.get('request.path'), bag.get('response.code')]), [
      ['GET', 200],
      ['GET', 404],
    ]);
    assert.deepEqual(decoded.errors, ['attributes[2]: duplicate attribute n', 'attributes[3..3]: not applied (DELTA_ENCODING entries change the bag of the entry before them)']);
  });

  test('an unknown repeated_attributes_semantics value is an error for the whole batch', () => {
    const bytes = reference.encodeReportRequest({ repeated_attributes_semantics: 7, attributes: [{}] });
    assert.deepEqual(reportBags(decodeReportRequest(bytes), manifest).errors, ['repeated_attributes_semantics 7 is neither DELTA_ENCODING (0) nor INDEPENDENT_ENCODING (1)']);
  });

  test('sameValue compares by value for every kind', () => {
    assert.ok(sameValue(IpAddress.parse('10.0.0.1'), IpAddress.parse('10.0.0.1')));
    assert.ok(!sameValue(IpAddress.parse('10.0.0.1'), IpAddress.parse('10.0.0.2')));
    assert.ok(sameValue(StringMap.fromObject({ a: '1' }), StringMap.fromObject({ a: '1' }, 'other')));
    assert.ok(!sameValue(StringMap.fromObject({ a: '1' }), StringMap.fromObject({ a: '2' })));
    assert.ok(sameValue(Duration.ofMillis(1), Duration.ofMillis(1)));
    assert.ok(sameValue(Uint8Array.from([1]), Uint8Array.from([1])));
    assert.ok(!sameValue(1, 1n));
    assert.ok(!sameValue(undefined, 'a'));
  });
});

/** A bag over a Map whose `entries()` is the Map itself, as the sidecar's attribute lists are. */
function mapBag(entries: Map<string, AttributeValue>): AttributeBag {
  return { get: (name) => entries.get(name), lookupKey: (map, key) => map.get(key), names: () => [...entries.keys()], entries: () => entries };
}

describe('ReportRequestBuilder (entries encoded in runs as they arrive)', () => {
  test('a batch longer than a run, of Map-backed and other bags, encodes and decodes as the whole batch at once', () => {
    const batch = Array.from({ length: 101 }, (_, index) => {
      const bag = entry(`/p/${index % 7}`, 200 + (index % 3), index % 5 === 0 ? { 'request.useragent': `agent-${index}` } : {});
      return index % 2 === 0 ? mapBag(new Map(bag.names().map((name) => [name, bag.get(name)!]))) : bag;
    });
    const builder = new ReportRequestBuilder(ReportEncoding.INDEPENDENT, manifest, 222, 64);
    for (const bag of batch) builder.add(bag);
    assert.equal(builder.size, 101);
    const built = builder.finish();
    assert.deepEqual(built, encodeReportRequests(batch, ReportEncoding.INDEPENDENT, manifest, 222)[0]);
    const decoded = reportBags(decodeReportRequest(built), manifest);
    assert.deepEqual(decoded.errors, []);
    assert.deepEqual(decoded.bags.map((bag) => plain(bag)), batch.map((bag) => plain(bag)));
    // Walking the Map gives the very bytes that reading the bag name by name gives.
    const odd = batch[1]!;
    const asMap = mapBag(new Map(odd.names().map((name) => [name, odd.get(name)!])));
    assert.deepEqual(encodeReportRequests([asMap], ReportEncoding.INDEPENDENT, manifest, 222)[0], encodeReportRequests([odd], ReportEncoding.INDEPENDENT, manifest, 222)[0]);
  });

  test('the same bytes as encoding the whole batch at once, decoding to the same bags', () => {
    const batch = [entry('/a/x', 200), entry('/b/y', 503, { 'request.useragent': 'curl' }), entry('/a/x', 404)];
    const builder = new ReportRequestBuilder(ReportEncoding.INDEPENDENT, manifest, 222, 16);
    for (const bag of batch) builder.add(bag);
    assert.equal(builder.size, 3);
    const [whole] = encodeReportRequests(batch, ReportEncoding.INDEPENDENT, manifest, 222);
    const built = builder.finish();
    assert.deepEqual(built, whole);
    const decoded = reportBags(decodeReportRequest(built), manifest);
    assert.deepEqual(decoded.bags.map((bag) => plain(bag)), batch.map((bag) => plain(bag)));
  });

  test('finish gives the same request again (a retry resends it); adding after finish is refused', () => {
    const builder = new ReportRequestBuilder(ReportEncoding.INDEPENDENT, manifest, 222);
    builder.add(entry('/a', 200));
    const first = builder.finish();
    assert.equal(builder.finish(), first);
    assert.throws(() => builder.add(entry('/b', 200)), /after finish/);
  });
});
