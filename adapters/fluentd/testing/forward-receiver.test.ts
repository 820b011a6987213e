import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decode, encode, ExtData } from '@msgpack/msgpack';
import { ForwardReceiver } from './forward-receiver.js';

// The receiver is test support for the fluentd adapter; these tests feed it hand-built frames
// of every forward-protocol mode over a real socket, so the adapter tests can trust it.

function eventTime(seconds: number, nanos: number): ExtData {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, seconds);
  view.setUint32(4, nanos);
  return new ExtData(0, bytes);
}

describe('ForwardReceiver', () => {
  let receiver: ForwardReceiver;
  let socket: Socket;
  before(async () => {
    receiver = await ForwardReceiver.start();
    socket = connect(receiver.port, '127.0.0.1');
    await once(socket, 'connect');
  });
  after(async () => {
    socket.destroy();
    await receiver.stop();
  });

  it('decodes Message, Forward, PackedForward and CompressedPackedForward frames', async () => {
    const packed = Buffer.concat([encode([1_600_000_001, { n: 3 }]), encode([eventTime(1_600_000_002, 5), { n: 4 }])]);
    socket.write(encode(['a.message', 1_600_000_000, { n: 1 }]));
    socket.write(encode(['a.forward', [[eventTime(1_600_000_000, 250), { n: 2 }]]]));
    socket.write(encode(['a.packed', packed, { size: 2 }]));
    socket.write(encode(['a.gzip', gzipSync(packed), { size: 2, compressed: 'gzip' }]));
    const events = await receiver.waitForEvents(6);
    assert.deepEqual(
      events.map((event) => [event.mode, event.tag, event.time.seconds, event.time.nanos, event.time.eventTime, event.record['n']]),
      [
        ['Message', 'a.message', 1_600_000_000, 0, false, 1],
        ['Forward', 'a.forward', 1_600_000_000, 250, true, 2],
        ['PackedForward', 'a.packed', 1_600_000_001, 0, false, 3],
        ['PackedForward', 'a.packed', 1_600_000_002, 5, true, 4],
        ['CompressedPackedForward', 'a.gzip', 1_600_000_001, 0, false, 3],
        ['CompressedPackedForward', 'a.gzip', 1_600_000_002, 5, true, 4],
      ],
    );
    assert.deepEqual(receiver.malformed, []);
  });

  it('answers {ack: chunk} for a frame that carries a chunk id', async () => {
    socket.write(encode(['acked', 1, { n: 1 }, { chunk: 'Y2h1bmsx' }]));
    const [data] = (await once(socket, 'data')) as [Buffer];
    assert.deepEqual(decode(data), { ack: 'Y2h1bmsx' });
    assert.equal(receiver.frames.at(-1)?.chunk, 'Y2h1bmsx');
  });

  it('records frames that break the protocol instead of failing', async () => {
    socket.write(encode({ not: 'an array' }));
    socket.write(encode(['tag', 'not a time', { n: 1 }]));
    socket.write(encode(['after', 7, { n: 9 }]));
    const events = await receiver.waitForEvents(8);
    assert.equal(events.at(-1)?.tag, 'after');
    assert.equal(receiver.malformed.length, 2);
  });
});
