import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkedBodyDecoder, ChunkedBodyError } from './chunked-body-decoder.js';

/** A body with a chunk extension (quoted, with a semicolon), upper- and lower-case hex sizes, an empty-ish line end and trailers. */
const BODY = Buffer.from('5;name=value\r\nhello\r\n1\r\n \r\nA;q="a;b"\r\n0123456789\r\nc\r\n, chunked!!!\r\n0;last\r\nX-Trailer: one\r\nX-Other: two\r\n\r\n', 'latin1');
const DECODED = 'hello 0123456789, chunked!!!';

/** Pushes `pieces` in order; returns the decoded data, and the end index each push returned. */
function decode(pieces: Buffer[], decoder = new ChunkedBodyDecoder()): { data: string; ends: number[]; decoder: ChunkedBodyDecoder } {
  const parts: Buffer[] = [];
  const ends = pieces.map((piece) => decoder.push(piece, (data) => parts.push(Buffer.from(data))));
  return { data: Buffer.concat(parts).toString('latin1'), ends, decoder };
}

test('a whole body in one buffer: data, end index, done', () => {
  const { data, ends, decoder } = decode([BODY]);
  assert.equal(data, DECODED);
  assert.deepEqual(ends, [BODY.length]);
  assert.equal(decoder.done, true);
});

test('onData gets slices of the input, not copies, and only chunk data', () => {
  const input = Buffer.from('3\r\nabc\r\n0\r\n\r\n');
  const seen: Buffer[] = [];
  new ChunkedBodyDecoder().push(input, (data) => seen.push(data));
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.toString(), 'abc');
  assert.equal(seen[0]!.buffer, input.buffer, 'a view of the same memory');
  assert.equal(seen[0]!.byteOffset, input.byteOffset + 3);
});

test('an empty body: just the last chunk, with and without trailers', () => {
  const bare = decode([Buffer.from('0\r\n\r\n')]);
  assert.equal(bare.data, '');
  assert.deepEqual(bare.ends, [5]);
  assert.equal(bare.decoder.done, true);
  const trailers = decode([Buffer.from('0\r\nExpires: never\r\n\r\n')]);
  assert.equal(trailers.data, '');
  assert.deepEqual(trailers.ends, [21]);
});

test('every split point in two pieces gives the same data and the end in the second piece', () => {
  for (let split = 0; split <= BODY.length; split++) {
    const { data, ends, decoder } = decode([BODY.subarray(0, split), BODY.subarray(split)]);
    assert.equal(data, DECODED, `split at ${split}`);
    if (split === BODY.length) assert.deepEqual(ends, [BODY.length, -1], `split at ${split}`);
    else assert.deepEqual(ends, [-1, BODY.length - split], `split at ${split}`);
    assert.equal(decoder.done, true, `split at ${split}`);
  }
});

test('every pair of split points (three pieces) gives the same data', () => {
  for (let first = 0; first <= BODY.length; first++) {
    for (let second = first; second <= BODY.length; second++) {
      const pieces = [BODY.subarray(0, first), BODY.subarray(first, second), BODY.subarray(second)];
      const { data, ends, decoder } = decode(pieces);
      const label = `splits at ${first}, ${second}`;
      assert.equal(data, DECODED, label);
      assert.equal(decoder.done, true, label);
      // Exactly one push sees the end, at the end of its piece; the others (before) say -1.
      const ending = ends.findIndex((end) => end >= 0);
      assert.equal(ends[ending], pieces[ending]!.length, label);
      assert.ok(ends.slice(0, ending).every((end) => end === -1), label);
    }
  }
});

test('one byte at a time', () => {
  const pieces = [...BODY].map((byte) => Buffer.from([byte]));
  const { data, ends, decoder } = decode(pieces);
  assert.equal(data, DECODED);
  assert.equal(decoder.done, true);
  assert.deepEqual(ends.slice(0, -1), new Array<number>(BODY.length - 1).fill(-1));
  assert.equal(ends.at(-1), 1);
});

test('bytes after the end: the index returned is just past the body, and they are not data', () => {
  const after = Buffer.from('HTTP/1.1 200 OK\r\n');
  for (let split = 0; split <= BODY.length; split++) {
    const whole = Buffer.concat([BODY, after]);
    const { data, ends } = decode([whole.subarray(0, split), whole.subarray(split)]);
    assert.equal(data, DECODED, `split at ${split}`);
    if (split >= BODY.length) assert.equal(ends[0], BODY.length, `split at ${split}`);
    else assert.deepEqual(ends, [-1, BODY.length - split], `split at ${split}`);
  }
  const decoder = new ChunkedBodyDecoder();
  assert.equal(decoder.push(Buffer.from('0\r\n\r\nXYZ'), () => assert.fail('no data')), 5);
  assert.equal(decoder.push(Buffer.from('more'), () => assert.fail('no data after the end')), 0, 'a finished decoder takes nothing more');
});

test('a large chunk spread over many pushes', () => {
  const payload = Buffer.alloc(300_000, 'z');
  const body = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length; at += 65_536) pieces.push(body.subarray(at, at + 65_536));
  const decoder = new ChunkedBodyDecoder();
  let decoded = 0;
  const ends = pieces.map((piece) => decoder.push(piece, (data) => (decoded += data.length)));
  assert.equal(decoded, payload.length);
  assert.equal(ends.at(-1), pieces.at(-1)!.length);
  assert.ok(ends.slice(0, -1).every((end) => end === -1));
});

test('bad chunk sizes are ChunkedBodyErrors', () => {
  for (const size of ['z', '', '-1', '0x5', '1 2', '+5', '1234567890abc', 'g;ext']) {
    assert.throws(() => new ChunkedBodyDecoder().push(Buffer.from(`${size}\r\nhello\r\n0\r\n\r\n`), () => {}), { name: 'ChunkedBodyError', message: /invalid chunk size/ }, JSON.stringify(size));
  }
  // A bad size after good chunks, and one arriving in pieces.
  assert.throws(() => new ChunkedBodyDecoder().push(Buffer.from('1\r\na\r\nq\r\n'), () => {}), ChunkedBodyError);
  const decoder = new ChunkedBodyDecoder();
  assert.equal(decoder.push(Buffer.from('1\r\na\r\n4'), () => {}), -1);
  assert.throws(() => decoder.push(Buffer.from('x\r\n'), () => {}), ChunkedBodyError);
});

test('chunk data not followed by CRLF is rejected, whole or split', () => {
  for (const input of ['3\r\nabcd\r\n0\r\n\r\n', '3\r\nabc\n0\r\n\r\n', '3\r\nabc\rX0\r\n\r\n', '3\r\nabc0\r\n\r\n']) {
    assert.throws(() => new ChunkedBodyDecoder().push(Buffer.from(input), () => {}), { name: 'ChunkedBodyError', message: /not followed by CRLF/ }, JSON.stringify(input));
  }
  const decoder = new ChunkedBodyDecoder();
  assert.equal(decoder.push(Buffer.from('3\r\nabc\r'), () => {}), -1);
  assert.throws(() => decoder.push(Buffer.from('x'), () => {}), { name: 'ChunkedBodyError', message: /not followed by CRLF/ });
});

test('a chunk-size line or trailer line over 4096 bytes is rejected, even when it arrives in pieces', () => {
  const longExtension = `5;${'e'.repeat(5000)}\r\nhello\r\n0\r\n\r\n`;
  assert.throws(() => new ChunkedBodyDecoder().push(Buffer.from(longExtension), () => {}), { name: 'ChunkedBodyError', message: /too long/ });
  const decoder = new ChunkedBodyDecoder();
  assert.equal(decoder.push(Buffer.from('5;'), () => {}), -1);
  for (let i = 0; i < 40; i++) assert.equal(decoder.push(Buffer.from('x'.repeat(100)), () => {}), -1);
  assert.throws(() => decoder.push(Buffer.from('x'.repeat(100)), () => {}), ChunkedBodyError);
  const longTrailer = `0\r\nX-Trailer: ${'t'.repeat(5000)}\r\n\r\n`;
  assert.throws(() => new ChunkedBodyDecoder().push(Buffer.from(longTrailer), () => {}), { name: 'ChunkedBodyError', message: /too long/ });
  // A line just under the limit is fine.
  const fine = decode([Buffer.from(`3;${'e'.repeat(4000)}\r\nabc\r\n0\r\n\r\n`)]);
  assert.equal(fine.data, 'abc');
  assert.equal(fine.decoder.done, true);
});

test('an unfinished body is not done', () => {
  const { ends, decoder } = decode([Buffer.from('5\r\nhello\r\n0\r\nX-T: 1\r\n')]);
  assert.deepEqual(ends, [-1]);
  assert.equal(decoder.done, false);
});
