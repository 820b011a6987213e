import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WireFormatError, WireReader, WireType } from './wire-reader.js';
import { WireWriter } from './wire-writer.js';

const hex = (buffer: Buffer): string => buffer.toString('hex');

describe('wire format', () => {
  test('sint32 is zig-zag: 0→0, -1→1, 1→2, -2→3, extremes', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [-2, '03'],
      [2147483647, 'feffffff0f'],
      [-2147483648, 'ffffffff0f'],
    ];
    for (const [value, bytes] of cases) {
      const writer = new WireWriter(4);
      writer.sint32(value);
      assert.equal(hex(writer.finish()), bytes, `sint32 ${value}`);
      assert.equal(WireReader.of(writer.finish()).sint32(), value);
    }
  });

  test('int64 round-trips exactly beyond 2^53, negatives take ten bytes', () => {
    const values = [0, 1, 127, 128, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 53) + 1, 9007199254740993n, -9007199254740993n, (1n << 63n) - 1n, -(1n << 63n)];
    for (const value of values) {
      const writer = new WireWriter(2);
      writer.int64(value);
      const read = WireReader.of(writer.finish()).int64();
      assert.equal(read, value, `int64 ${value}`);
      assert.equal(typeof read, typeof value, `representation of ${value}`);
    }
    const minusOne = new WireWriter();
    minusOne.int64(-1);
    assert.equal(hex(minusOne.finish()), 'ffffffffffffffffff01');
  });

  test('int32 negatives are sign-extended to ten bytes and read back', () => {
    const writer = new WireWriter();
    writer.int32(-7);
    assert.equal(writer.finish().length, 10);
    assert.equal(WireReader.of(writer.finish()).int32(), -7);
  });

  test('strings: short and long, ASCII and not; nested lengths of 128 bytes and more move into place', () => {
    for (const text of ['', 'a', 'é'.repeat(42), 'x'.repeat(43), '✓'.repeat(100), 'y'.repeat(20_000)]) {
      const writer = new WireWriter(8);
      writer.tag(1, WireType.LENGTH_DELIMITED);
      writer.string(text);
      const reader = WireReader.of(writer.finish());
      assert.equal(reader.tag(), (1 << 3) | 2);
      assert.equal(reader.string(), text);
      assert.ok(reader.atEnd);
    }
    const writer = new WireWriter(4);
    const mark = writer.begin(5);
    writer.raw(Buffer.alloc(300, 7));
    writer.end(mark);
    const bytes = writer.finish();
    assert.equal(hex(bytes.subarray(0, 3)), '2aac02', 'tag 5/2, then varint 300');
    assert.equal(bytes.length, 303);
  });

  test('doubles and bools', () => {
    const writer = new WireWriter(1);
    writer.double(-1.5e300);
    writer.bool(true);
    const reader = WireReader.of(writer.finish());
    assert.equal(reader.double(), -1.5e300);
    assert.equal(reader.bool(), true);
  });

  test('truncated input and bad wire types are errors, never out-of-bounds reads', () => {
    assert.throws(() => WireReader.of(Buffer.from([0x80])).uint32(), WireFormatError);
    assert.throws(() => WireReader.of(Buffer.from([0x0a, 0x05, 0x61])).string(), /truncated/);
    assert.throws(() => WireReader.of(Buffer.from([0x0a, 0x05, 0x61])).skip(WireType.LENGTH_DELIMITED), /truncated/);
    assert.throws(() => WireReader.of(Buffer.alloc(11, 0xff)).int64(), /longer than 10 bytes/);
    assert.throws(() => WireReader.of(Buffer.from([0x01])).double(), /truncated/);
    assert.throws(() => new WireReader(Buffer.from([0x0b])).skip(3), /unsupported wire type 3/);
    assert.throws(() => WireReader.of(Buffer.from([0x00])).tag(), /field number 0/);
    const reader = WireReader.of(Buffer.from([0x08, 0x01]));
    assert.throws(() => reader.expect(reader.tag(), WireType.LENGTH_DELIMITED, 'X.y'), /X\.y: wire type 0, expected 2/);
  });
});
