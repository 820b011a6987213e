import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WireFormatError, WireReader, WireType } from './wire-reader.js';
import { WireWriter } from './wire-writer.js';
import { readSafeSecondsNanos, readSecondsNanos, writeSecondsNanos } from './seconds-nanos.js';

/** Positions a reader on field 1 of `bytes` (its tag read), as the callers are. */
function readerOnField(bytes: Buffer): WireReader {
  const reader = new WireReader(bytes);
  reader.tag();
  return reader;
}

describe('Timestamp/Duration seconds and nanos', () => {
  it('round-trips, leaving zero parts out', () => {
    for (const [seconds, nanos] of [[0, 0], [1, 0], [0, 5], [-3, -500_000_000], [253402300799, 999_999_999]] as const) {
      const writer = new WireWriter();
      writeSecondsNanos(writer, 1, seconds, nanos);
      const bytes = writer.finish();
      assert.deepEqual(readSecondsNanos(readerOnField(bytes), 'x'), { seconds, nanos });
      assert.deepEqual(readSafeSecondsNanos(readerOnField(bytes), 'x'), [seconds, nanos]);
    }
    const empty = new WireWriter();
    writeSecondsNanos(empty, 1, 0, 0);
    assert.deepEqual([...empty.finish()], [(1 << 3) | WireType.LENGTH_DELIMITED, 0]);
  });

  it('names the message when a part has the wrong wire type, and refuses seconds beyond a JS number for the safe reader', () => {
    // field 1 holding {seconds: <an empty length-delimited part>}
    const wrong = Buffer.from([(1 << 3) | WireType.LENGTH_DELIMITED, 2, (1 << 3) | WireType.LENGTH_DELIMITED, 0]);
    assert.throws(() => readSecondsNanos(readerOnField(wrong), 'CheckResult.valid_duration'), (error: unknown) => error instanceof WireFormatError && error.message.startsWith('CheckResult.valid_duration seconds: wire type 2'));
    const huge = new WireWriter();
    const mark = huge.begin(1);
    huge.tag(1, WireType.VARINT);
    huge.int64(2n ** 60n);
    huge.end(mark);
    assert.throws(() => readSafeSecondsNanos(readerOnField(huge.finish()), 'TimestampValue.value'), (error: unknown) => error instanceof WireFormatError && /TimestampValue\.value: seconds \d+ out of range/.test(error.message));
  });
});
