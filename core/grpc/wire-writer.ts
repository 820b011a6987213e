import type { Int64 } from '../attribute/value.js';
import { WireType } from './wire-reader.js';

const TWO_32 = 4_294_967_296;

/** The bytes a uint32 takes as a varint. */
function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** Writes a uint32 as a varint at `pos` (room checked by the caller); returns the position after it. */
function putVarint(buf: Buffer, pos: number, value: number): number {
  let rest = value >>> 0;
  while (rest >= 0x80) {
    buf[pos++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  buf[pos++] = rest;
  return pos;
}

/**
 * Writes protobuf wire format into one growing buffer, in a single pass: a nested message is
 * opened with `begin` (one byte reserved for its length) and closed with `end`, which patches
 * the length in place, moving the content only in the rare case it is 128 bytes or longer.
 */
export class WireWriter {
  private buf: Buffer;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** The bytes written so far (a view, valid until the next write). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  tag(field: number, wireType: WireType): void {
    this.uint32((field << 3) | wireType);
  }

  uint32(value: number): void {
    this.ensure(5);
    this.pos = putVarint(this.buf, this.pos, value);
  }

  /** An int32 field: negative values take ten bytes (sign-extended to 64 bits), as protobuf requires. */
  int32(value: number): void {
    if (value >= 0) this.uint32(value);
    else this.int64(value);
  }

  sint32(value: number): void {
    this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** An int64 field from a number (a safe integer) or a bigint; negatives as two's complement. */
  int64(value: Int64): void {
    let low: number;
    let high: number;
    if (typeof value === 'number' && value >= 0 && value < TWO_32) {
      this.uint32(value);
      return;
    }
    if (typeof value === 'number') {
      const big = BigInt.asUintN(64, BigInt(value));
      low = Number(big & 0xffffffffn);
      high = Number(big >> 32n);
    } else {
      const big = BigInt.asUintN(64, value);
      low = Number(big & 0xffffffffn);
      high = Number(big >> 32n);
    }
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (high > 0 || low >= 0x80) {
      buf[pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[pos++] = low;
    this.pos = pos;
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  string(text: string): void {
    // Up to 42 UTF-16 units make at most 126 UTF-8 bytes: the length fits one byte, so the
    // text is encoded once, straight into place.
    if (text.length <= 42) {
      this.ensure(1 + text.length * 3);
      const written = this.buf.write(text, this.pos + 1, 'utf8');
      this.buf[this.pos] = written;
      this.pos += 1 + written;
      return;
    }
    const length = Buffer.byteLength(text, 'utf8');
    this.uint32(length);
    this.ensure(length);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  bytes(bytes: Uint8Array): void {
    this.uint32(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Writes `bytes` as they are (an already encoded message body). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /**
   * A length-delimited field `field` holding a message of two varint fields, 1 = `first` and
   * 2 = `second` (already unsigned: zigzag a sint32 first): a map entry of word indexes or small
   * numbers, the commonest entry in compressed attributes, written in one go. `field` is below 16
   * (a one-byte tag).
   */
  varintPairField(field: number, first: number, second: number): void {
    this.ensure(13);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = (field << 3) | WireType.LENGTH_DELIMITED;
    buf[pos++] = 2 + varintSize(first) + varintSize(second);
    buf[pos++] = 0x08;
    pos = putVarint(buf, pos, first);
    buf[pos++] = 0x10;
    this.pos = putVarint(buf, pos, second);
  }

  /** Opens a length-delimited field; returns the mark `end` needs. */
  begin(field: number): number {
    this.uint32((field << 3) | WireType.LENGTH_DELIMITED);
    this.ensure(1);
    this.pos += 1;
    return this.pos;
  }

  /** Closes the field opened at `mark`, writing its length. */
  end(mark: number): void {
    const length = this.pos - mark;
    if (length < 0x80) {
      this.buf[mark - 1] = length;
      return;
    }
    let size = 1;
    while (length >= 2 ** (7 * size)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(mark + size - 1, mark, this.pos);
    let rest = length;
    let pos = mark - 1;
    while (rest >= 0x80) {
      this.buf[pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buf[pos] = rest;
    this.pos += size - 1;
  }

  private ensure(count: number): void {
    if (this.pos + count <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + count) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
