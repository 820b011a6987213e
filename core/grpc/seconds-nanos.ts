import type { Int64 } from '../attribute/value.js';
import { WireFormatError, WireType, type WireReader } from './wire-reader.js';
import type { WireWriter } from './wire-writer.js';

// google.protobuf.Timestamp and google.protobuf.Duration share one message shape:
// seconds (field 1, int64) and nanos (field 2, int32).

/** A Timestamp or Duration as field `field`; zero parts are left out, as protobuf does. */
export function writeSecondsNanos(writer: WireWriter, field: number, seconds: number, nanos: number): void {
  const mark = writer.begin(field);
  if (seconds !== 0) {
    writer.tag(1, WireType.VARINT);
    writer.int64(seconds);
  }
  if (nanos !== 0) {
    writer.tag(2, WireType.VARINT);
    writer.int32(nanos);
  }
  writer.end(mark);
}

/**
 * Reads the Timestamp or Duration the reader is positioned on (its length prefix next). `where`
 * names it in the error for a part with the wrong wire type; unknown fields are skipped.
 */
export function readSecondsNanos(reader: WireReader, where: string): { seconds: Int64; nanos: number } {
  const outer = reader.enter();
  let seconds: Int64 = 0;
  let nanos = 0;
  while (!reader.atEnd) {
    const tag = reader.tag();
    if (tag >>> 3 === 1) {
      reader.expect(tag, WireType.VARINT, where, 'seconds');
      seconds = reader.int64();
    } else if (tag >>> 3 === 2) {
      reader.expect(tag, WireType.VARINT, where, 'nanos');
      nanos = reader.int32();
    } else {
      reader.skip(tag & 7);
    }
  }
  reader.leave(outer);
  return { seconds, nanos };
}

/** readSecondsNanos for values whose seconds must fit a JS number (validity windows, instance values). */
export function readSafeSecondsNanos(reader: WireReader, where: string): [seconds: number, nanos: number] {
  const { seconds, nanos } = readSecondsNanos(reader, where);
  if (typeof seconds === 'bigint') throw new WireFormatError(`${where}: seconds ${seconds} out of range`);
  return [seconds, nanos];
}
