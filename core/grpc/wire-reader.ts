import { MixerError } from '../errors/mixer-error.js';
import { normalizeInt64, type Int64 } from '../attribute/value.js';

/** Bytes that are not a well-formed protobuf message (truncated, bad varint, bad wire type). */
export class WireFormatError extends MixerError {
  constructor(message: string) {
    super('MIXER_ERR_WIRE_FORMAT', message);
  }
}

/** Protobuf wire types (the low three bits of a field key). */
export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LENGTH_DELIMITED: 2,
  START_GROUP: 3,
  END_GROUP: 4,
  FIXED32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const TWO_32 = 4_294_967_296;

/**
 * A cursor over protobuf wire-format bytes in `[start, end)` of a buffer. Reads never go past
 * `end`: running out of bytes is a WireFormatError ("truncated"), never an out-of-bounds read.
 * Strings are decoded as UTF-8 on request only, so callers can keep byte ranges and decode late.
 */
export class WireReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    public end = buf.length,
  ) {
    this.pos = start;
  }

  /** A reader over a Uint8Array without copying it. */
  static of(bytes: Uint8Array): WireReader {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new WireReader(buffer);
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** A field key: field number (> 0) and wire type. */
  tag(): number {
    const tag = this.uint32();
    if (tag >>> 3 === 0) throw new WireFormatError(`invalid field number 0 at byte ${this.pos}`);
    return tag;
  }

  /** A varint's low 32 bits, unsigned (longer varints, such as negative int32 values, are consumed whole). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.end) {
      const first = buf[pos]!;
      if (first < 0x80) {
        this.pos = pos + 1;
        return first;
      }
    }
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) throw this.truncated();
      const byte = buf[pos++]!;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    // Bits above 32 are dropped, as protobuf does for 32-bit fields.
    for (let index = 0; index < 5; index++) {
      if (pos >= this.end) throw this.truncated();
      if (buf[pos++]! < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw new WireFormatError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  int32(): number {
    return this.uint32() | 0;
  }

  sint32(): number {
    const value = this.uint32();
    return (value >>> 1) ^ -(value & 1);
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** An int64 varint: a number when it is a safe integer, else an exact bigint. */
  int64(): Int64 {
    const buf = this.buf;
    let pos = this.pos;
    let low = 0;
    let high = 0;
    let byte = 0;
    let index = 0;
    for (; index < 10; index++) {
      if (pos >= this.end) throw this.truncated();
      byte = buf[pos++]!;
      const bits = byte & 0x7f;
      if (index < 4) low |= bits << (7 * index);
      else if (index === 4) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else high |= bits << (7 * index - 32);
      if (byte < 0x80) break;
    }
    if (index === 10) throw new WireFormatError(`varint longer than 10 bytes at byte ${this.pos}`);
    this.pos = pos;
    const unsignedLow = low >>> 0;
    const unsignedHigh = high >>> 0;
    if (unsignedHigh < 0x200000) return unsignedHigh * TWO_32 + unsignedLow;
    return normalizeInt64(BigInt.asIntN(64, (BigInt(unsignedHigh) << 32n) | BigInt(unsignedLow)));
  }

  double(): number {
    if (this.pos + 8 > this.end) throw this.truncated();
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** The length prefix of a length-delimited field; returns the end of its content. */
  delimitedEnd(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.end) throw this.truncated();
    return end;
  }

  string(): string {
    const end = this.delimitedEnd();
    const text = utf8Text(this.buf, this.pos, end);
    this.pos = end;
    return text;
  }

  /** A bytes field as a view into the buffer (not a copy). */
  bytes(): Buffer {
    const end = this.delimitedEnd();
    const bytes = this.buf.subarray(this.pos, end);
    this.pos = end;
    return bytes;
  }

  /**
   * Enters a length-delimited field (a nested message): reads are limited to its content until
   * `leave` is called with the returned outer end.
   */
  enter(): number {
    const outer = this.end;
    this.end = this.delimitedEnd();
    return outer;
  }

  /** Leaves the nested message entered last (its content must have been read to the end). */
  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  /** Skips the value of a field of `wireType` (unknown fields are skipped, as protobuf requires). */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.int64();
        return;
      case WireType.FIXED64:
        this.advance(8);
        return;
      case WireType.LENGTH_DELIMITED:
        this.pos = this.delimitedEnd();
        return;
      case WireType.FIXED32:
        this.advance(4);
        return;
      default:
        throw new WireFormatError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  /** Checks that a known field arrived with the wire type its declaration implies. */
  expect(tag: number, wireType: WireType, field: string, part = ''): void {
    if ((tag & 7) !== wireType) {
      const what = part === '' ? field : `${field} ${part}`;
      throw new WireFormatError(`${what}: wire type ${tag & 7}, expected ${wireType} (${WIRE_TYPE_NAMES[wireType]})`);
    }
  }

  private advance(count: number): void {
    if (this.pos + count > this.end) throw this.truncated();
    this.pos += count;
  }

  private truncated(): WireFormatError {
    return new WireFormatError('truncated message: a field runs past the end of the data');
  }
}

const WIRE_TYPE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start group', 'end group', 'fixed32'] as const;

/**
 * UTF-8 text of `buf[start, end)`. Short ASCII text (most words: header names, label values) is
 * built in JavaScript, which beats the native decoder's call overhead below about a dozen bytes.
 */
export function utf8Text(buf: Buffer, start: number, end: number): string {
  if (end - start > 12) return buf.toString('utf8', start, end);
  let text = '';
  for (let index = start; index < end; index++) {
    const byte = buf[index]!;
    if (byte >= 0x80) return buf.toString('utf8', start, end);
    text += String.fromCharCode(byte);
  }
  return text;
}
