import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import { TrackingBag } from '../attribute/tracking-bag.js';
import { AttributeDecodeError, decodeCompressedAttributes } from './compressed-attributes.js';
import { GLOBAL_WORD_INDEX } from './global-dictionary.js';
import { ProtoBag } from './proto-bag.js';
import { compressedAttributesBytes } from './testing/reference-codec.js';
import { WireFormatError } from './wire-reader.js';
import { WordList } from './word-list.js';

const manifest = AttributeManifest.standard();
const g = (word: string): number => {
  const index = GLOBAL_WORD_INDEX.get(word);
  if (index === undefined) throw new Error(`${word} is not a global word`);
  return index;
};

function bagOf(attributes: Record<string, unknown>, fallback?: WordList): ProtoBag {
  const bytes = compressedAttributesBytes(attributes);
  return ProtoBag.create(decodeCompressedAttributes(bytes, 0, bytes.length, fallback), manifest);
}

describe('ProtoBag over CompressedAttributes', () => {
  test('every value kind, with global and per-message words (−1 is words[0])', () => {
    const bag = bagOf({
      words: ['reviews', 'x-user', 'alice', 'my.custom'],
      strings: { [g('destination.service.name')]: -1, [g('request.method')]: g('GET'), '-4': -3 },
      int64s: { [g('request.size')]: '9007199254740993', [g('response.code')]: 200 },
      bools: { [g('connection.mtls')]: true },
      timestamps: { [g('request.time')]: { seconds: '1700000000', nanos: 5 } },
      durations: { [g('response.duration')]: { seconds: '1', nanos: 500_000_000 } },
      bytes: { [g('source.ip')]: Buffer.from([10, 1, 2, 3]), [g('destination.ip')]: Buffer.from('20010db8000000000000000000000001', 'hex') },
      string_maps: { [g('request.headers')]: { entries: { '-2': -3, [g(':method')]: g('GET') } } },
    });
    assert.equal(bag.get('destination.service.name'), 'reviews');
    assert.equal(bag.get('request.method'), 'GET');
    assert.equal(bag.get('my.custom'), 'alice', 'a per-message name');
    assert.equal(bag.get('request.size'), 9007199254740993n, 'int64 beyond 2^53 stays exact');
    assert.equal(bag.get('response.code'), 200);
    assert.equal(bag.get('connection.mtls'), true);
    assert.ok((bag.get('request.time') as Timestamp).equals(Timestamp.fromParts(1_700_000_000, 5)));
    assert.ok((bag.get('response.duration') as Duration).equals(Duration.ofMillis(1500)));
    const ip = bag.get('source.ip');
    assert.ok(ip instanceof IpAddress);
    assert.equal(ip.toString(), '10.1.2.3');
    assert.equal((bag.get('destination.ip') as IpAddress).toString(), '2001:db8::1');
    const headers = bag.get('request.headers');
    assert.ok(headers instanceof StringMap);
    assert.equal(headers.name, 'request.headers', 'labelled with its attribute name');
    assert.deepEqual(headers.toObject(), { ':method': 'GET', 'x-user': 'alice' });
    assert.equal(bag.get('request.headers'), headers, 'decoded once');
    assert.equal(bag.get('source.name'), undefined);
    assert.equal(bag.get('no.such.word'), undefined);
    assert.deepEqual(bag.names().sort(), [
      'connection.mtls',
      'destination.ip',
      'destination.service.name',
      'my.custom',
      'request.headers',
      'request.method',
      'request.size',
      'request.time',
      'response.code',
      'response.duration',
      'source.ip',
    ]);
  });

  test('a name in several maps resolves in Mixer order: strings, string_maps, int64s, doubles, bools, timestamps, durations, bytes', () => {
    const custom = AttributeManifest.empty();
    const decode = (attributes: Record<string, unknown>) => {
      const bytes = compressedAttributesBytes({ words: ['n'], ...attributes });
      return ProtoBag.create(decodeCompressedAttributes(bytes, 0, bytes.length), custom).get('n');
    };
    assert.equal(decode({ bytes: { '-1': Buffer.from([1]) }, strings: { '-1': -1 }, int64s: { '-1': 3 } }), 'n');
    assert.ok(decode({ bools: { '-1': true }, string_maps: { '-1': { entries: {} } }, int64s: { '-1': 3 } }) instanceof StringMap);
    assert.equal(decode({ bools: { '-1': true }, doubles: { '-1': 2.5 }, int64s: { '-1': 3 } }), 3);
    assert.equal(decode({ bools: { '-1': true }, doubles: { '-1': 2.5 } }), 2.5);
    assert.equal(decode({ bools: { '-1': false }, timestamps: { '-1': {} } }), false);
    assert.ok(decode({ durations: { '-1': {} }, timestamps: { '-1': {} } }) instanceof Timestamp);
    assert.ok(decode({ durations: { '-1': {} }, bytes: { '-1': Buffer.from([1]) } }) instanceof Duration);
    assert.deepEqual(decode({ bytes: { '-1': Buffer.from([1, 2]) } }), Uint8Array.from([1, 2]), 'undeclared bytes stay BYTES');
  });

  test('a name is looked up in the message words before the global dictionary (later duplicate words win)', () => {
    // "source.name" is also global word 2, but the message lists it: its message index wins.
    const bag = bagOf({ words: ['source.name', 'a', 'source.name'], strings: { '-3': -2, [g('source.name')]: g('http') } });
    assert.equal(bag.get('source.name'), 'a');
  });

  test("a Report entry with empty words uses the request's default words", () => {
    const defaults = WordList.of(['shared-value']);
    assert.equal(bagOf({ strings: { [g('source.name')]: -1 } }, defaults).get('source.name'), 'shared-value');
    assert.equal(bagOf({ words: ['own'], strings: { [g('source.name')]: -1 } }, defaults).get('source.name'), 'own');
  });

  test('reads through a TrackingBag record names, absences and map keys under the attribute name', () => {
    const tracking = new TrackingBag(bagOf({ words: ['x-user', 'bob'], string_maps: { [g('request.headers')]: { entries: { '-1': -2 } } } }));
    const headers = tracking.get('request.headers') as StringMap;
    assert.equal(tracking.lookupKey(headers, 'x-user'), 'bob');
    assert.equal(tracking.lookupKey(headers, 'x-missing'), undefined);
    assert.equal(tracking.get('source.name'), undefined);
    assert.deepEqual(tracking.referenced.toStrings(), ['-request.headers[x-missing]', '-source.name', 'request.headers', 'request.headers[x-user]']);
  });

  test('an index that names no word is an error naming the map and the index', () => {
    const bad = (attributes: Record<string, unknown>) => () => bagOf(attributes);
    assert.throws(bad({ words: ['a'], strings: { '-2': -1 } }), /CompressedAttributes\.strings: name index -2 is not defined in the available dictionaries \(222 global words, 1 message words\)/);
    assert.throws(bad({ strings: { [g('source.name')]: 222 } }), /strings: value index 222 is not defined/);
    assert.throws(bad({ int64s: { 500: 1 } }), /int64s: name index 500/);
    assert.throws(bad({ words: ['k'], string_maps: { [g('request.headers')]: { entries: { '-1': -9 } } } }), /string_maps: map value index -9/);
    assert.throws(bad({ string_maps: { [g('request.headers')]: { entries: { '-1': 1 } } } }), /string_maps: map key index -1/);
    assert.throws(bad({ strings: { [g('source.name')]: -1 } }), AttributeDecodeError);
  });

  test('a declared attribute in the map of another type is an error naming it', () => {
    assert.throws(() => bagOf({ strings: { [g('request.size')]: g('GET') } }), /attribute 'request.size' is declared INT64 and travels in int64s, but arrived in strings/);
    assert.throws(() => bagOf({ int64s: { [g('source.ip')]: 4 } }), /'source.ip' is declared IP_ADDRESS and travels in bytes, but arrived in int64s/);
    assert.throws(() => bagOf({ bytes: { [g('source.ip')]: Buffer.from([1, 2, 3]) } }), /IP_ADDRESS: expected 4 or 16 bytes, got 3/);
  });

  test('out-of-range timestamps and durations are rejected as Go rejects them', () => {
    assert.throws(() => bagOf({ timestamps: { [g('request.time')]: { seconds: '253402300800' } } }), /timestamp seconds 253402300800 is outside/);
    assert.throws(() => bagOf({ timestamps: { [g('request.time')]: { seconds: '1', nanos: -1 } } }), /timestamp nanos -1/);
    assert.throws(() => bagOf({ durations: { [g('response.duration')]: { seconds: '1', nanos: -5 } } }), /with the sign of seconds/);
    assert.throws(() => bagOf({ durations: { [g('response.duration')]: { seconds: '9300000000' } } }), /out of range/);
  });

  test('truncated bytes and wrong wire types are WireFormatErrors', () => {
    const bytes = compressedAttributesBytes({ words: ['abc'], strings: { [g('source.name')]: -1 } });
    const fieldBoundary = 5; // after the words field: a complete, shorter message
    for (let cut = 1; cut < bytes.length; cut++) {
      if (cut === fieldBoundary) continue;
      assert.throws(() => decodeCompressedAttributes(bytes, 0, cut), WireFormatError, `cut at ${cut}`);
    }
    // strings (field 2) sent as a varint.
    assert.throws(() => decodeCompressedAttributes(Buffer.from([0x10, 0x01]), 0, 2), /CompressedAttributes\.strings: wire type 0, expected 2/);
    // strings entry value (field 2) as length-delimited.
    assert.throws(() => decodeCompressedAttributes(Buffer.from([0x12, 0x04, 0x08, 0x02, 0x12, 0x00]), 0, 6), /strings value: wire type 2, expected 0/);
  });

  test('unknown fields are skipped; missing map keys and values are zero', () => {
    // field 15 varint, then strings entry with no value: name index 2 (source.name) → value index 0 (source.ip word).
    const bytes = Buffer.from([0x78, 0x05, 0x12, 0x02, 0x08, 0x04]);
    const bag = ProtoBag.create(decodeCompressedAttributes(bytes, 0, bytes.length), manifest);
    assert.equal(bag.get('source.name'), 'source.ip');
  });
});
