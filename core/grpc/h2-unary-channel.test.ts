import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { getEventListeners, once } from 'node:events';
import { constants, createServer, type Http2Server, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { TransportError } from '../client/transport.js';
import { RpcCode } from '../status/rpc-code.js';
import { H2UnaryChannel } from './h2-unary-channel.js';
import { mixerServiceDefinition } from './mixer-service.js';
import { loadMixerProtos } from './proto-files.js';

// The lean gRPC unary channel against servers on 127.0.0.1: a raw node:http2 server whose
// answers are written by hand (framing, trailers, resets, GOAWAY), and grpc-js's Server with
// the Mixer service for interop.

type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;

interface RawServer {
  readonly port: number;
  readonly authority: string;
  /** Every session the server accepted, in order. */
  readonly sessions: ServerHttp2Session[];
  /** Request headers of every stream the server saw, in order. */
  readonly requests: IncomingHttpHeaders[];
  handle: StreamHandler;
  /** Destroys the sessions and stops listening. */
  close(): Promise<void>;
}

async function startRawServer(handle: StreamHandler, port = 0): Promise<RawServer> {
  const server: Http2Server = createServer();
  const sessions: ServerHttp2Session[] = [];
  const requests: IncomingHttpHeaders[] = [];
  const raw: RawServer = {
    port: 0,
    authority: '',
    sessions,
    requests,
    handle,
    close: async () => {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('session', (session: ServerHttp2Session) => {
    sessions.push(session);
    session.on('error', () => undefined);
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    requests.push(headers);
    stream.on('error', () => undefined);
    raw.handle(stream, headers);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  return Object.assign(raw, { port: bound, authority: `127.0.0.1:${bound}` });
}

/** A gRPC length-prefixed message. */
function framed(message: Uint8Array, flag = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

async function requestBody(stream: ServerHttp2Stream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const GRPC_HEADERS: OutgoingHttpHeaders = { ':status': 200, 'content-type': 'application/grpc' };

/** Answers with response headers, the given DATA chunks (each written after the previous one is flushed), then trailers. */
async function answer(stream: ServerHttp2Stream, chunks: readonly Buffer[], trailers: OutgoingHttpHeaders = { 'grpc-status': '0' }): Promise<void> {
  stream.respond(GRPC_HEADERS, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers(trailers));
  for (const chunk of chunks) {
    await new Promise<void>((resolve, reject) => stream.write(chunk, (error) => (error ? reject(error) : resolve())));
    await new Promise((resolve) => setImmediate(resolve));
  }
  stream.end();
}

/** Reads the request, then answers `response` framed, with grpc-status 0. */
const echoing =
  (respond: (request: Buffer) => Buffer): StreamHandler =>
  (stream) => {
    void requestBody(stream).then((body) => answer(stream, [framed(respond(body.subarray(5)))]));
  };

/** Asserts a TransportError with this code, and a message matching `message` when given. */
async function rejectsWith(call: Promise<unknown>, code: RpcCode, message?: RegExp | string): Promise<TransportError> {
  let caught: unknown;
  await assert.rejects(call, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof TransportError, `a TransportError, got ${String(caught)}`);
  assert.equal(RpcCode[caught.rpcCode], RpcCode[code], `code (message: ${caught.message})`);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else if (message !== undefined) assert.match(caught.message, message);
  return caught;
}

/** `promise`, or a failure naming `what` if it has not settled after a generous safety delay (never a timing assertion). */
async function within<T>(promise: Promise<T>, what: string, safetyMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const safety = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${safetyMs} ms`)), safetyMs);
  });
  try {
    return await Promise.race([promise, safety]);
  } finally {
    clearTimeout(timer);
  }
}

/** A port nothing listens on (bound once, then released). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One HTTP/2 frame: 3-byte length, type, flags, stream id, payload. */
function h2Frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

const FRAME_DATA = 0x0;
const FRAME_HEADERS = 0x1;
const FRAME_RST_STREAM = 0x3;
const FRAME_SETTINGS = 0x4;
const FRAME_PING = 0x6;
const FLAG_ACK = 0x1;
const FLAG_END_HEADERS = 0x4;
/**
 * HPACK: static table entry 8, `:status: 200`; then `content-type: application/grpc`, a literal
 * without indexing whose name is static entry 31 (4-bit prefix: 15, then 16).
 */
const STATUS_200 = Buffer.concat([Buffer.from([0x88, 0x0f, 0x10, 16]), Buffer.from('application/grpc')]);

/**
 * An HTTP/2 server written frame by frame, for what node:http2's server cannot send: its
 * Http2Stream.close(code) after the response headers ends the stream before the RST_STREAM,
 * so the client never sees the code. `onRequest` gets each request's stream id.
 */
async function startFrameServer(
  onRequest: (socket: Socket, streamId: number) => void,
  onPingAck: (socket: Socket) => void = () => undefined,
): Promise<{ authority: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createNetServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.write(h2Frame(FRAME_SETTINGS, 0, 0));
    let buffered = Buffer.alloc(0);
    let prefaceRead = false;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!prefaceRead) {
        if (buffered.length < 24) return;
        buffered = buffered.subarray(24);
        prefaceRead = true;
      }
      while (buffered.length >= 9 && buffered.length >= 9 + buffered.readUIntBE(0, 3)) {
        const [type, flags] = [buffered[3], buffered[4]!];
        const streamId = buffered.readUInt32BE(5) & 0x7fffffff;
        buffered = buffered.subarray(9 + buffered.readUIntBE(0, 3));
        if (type === FRAME_SETTINGS && (flags & FLAG_ACK) === 0) socket.write(h2Frame(FRAME_SETTINGS, FLAG_ACK, 0));
        if (type === FRAME_HEADERS) onRequest(socket, streamId);
        if (type === FRAME_PING && (flags & FLAG_ACK) !== 0) onPingAck(socket);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    authority: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function rstStream(streamId: number, code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code);
  return h2Frame(FRAME_RST_STREAM, 0, streamId, payload);
}

describe('H2UnaryChannel: a successful call', () => {
  let server: RawServer;
  let channel: H2UnaryChannel;
  before(async () => {
    server = await startRawServer(() => undefined);
    channel = new H2UnaryChannel(server.authority);
  });
  after(async () => {
    channel.close();
    await server.close();
  });

  test('sends one framed message with the gRPC headers and returns the response message unprefixed', async () => {
    let body: Buffer | undefined;
    server.handle = (stream) => {
      void requestBody(stream).then((received) => {
        body = received;
        return answer(stream, [framed(Buffer.from('pong'))]);
      });
    };
    const response = await channel.call('/istio.mixer.v1.Mixer/Check', Buffer.from([1, 2, 3, 0xff]), 2500);
    assert.ok(Buffer.isBuffer(response));
    assert.equal(response.toString(), 'pong');
    assert.deepEqual([...body!], [0, 0, 0, 0, 4, 1, 2, 3, 0xff], 'flag 0, 4-byte big-endian length, the bytes');
    const headers = server.requests.at(-1)!;
    assert.equal(headers[':method'], 'POST');
    assert.equal(headers[':path'], '/istio.mixer.v1.Mixer/Check');
    assert.equal(headers[':scheme'], 'http');
    assert.equal(headers[':authority'], server.authority);
    assert.equal(headers['content-type'], 'application/grpc');
    assert.equal(headers.te, 'trailers');
    assert.equal(headers['grpc-timeout'], '2500m');
  });

  test('grpc-timeout is whole milliseconds, rounded up, at most 8 digits', async () => {
    server.handle = echoing(() => Buffer.alloc(0));
    await channel.call('/s/m', Buffer.alloc(0), 1234.2);
    assert.equal(server.requests.at(-1)!['grpc-timeout'], '1235m');
    await channel.call('/s/m', Buffer.alloc(0), 1e12);
    assert.equal(server.requests.at(-1)!['grpc-timeout'], '99999999m');
  });

  test('a large request and response travel in many DATA frames', async () => {
    const request = Buffer.alloc(300_000, 7);
    const response = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    let body: Buffer | undefined;
    server.handle = (stream) => {
      void requestBody(stream).then((received) => {
        body = received;
        return answer(stream, [framed(response)]);
      });
    };
    const received = await channel.call('/s/m', request, 5000);
    assert.equal(body?.length, 5 + request.length);
    assert.equal(body.readUInt32BE(1), request.length);
    assert.ok(received.equals(response), 'the whole response, in order');
  });

  test('a response split across DATA chunks, even inside the 5-byte prefix', async () => {
    const whole = framed(Buffer.from('split across chunks'));
    server.handle = (stream) => {
      void requestBody(stream).then(() => answer(stream, [whole.subarray(0, 2), whole.subarray(2, 4), whole.subarray(4, 9), whole.subarray(9)]));
    };
    assert.equal((await channel.call('/s/m', Buffer.from('x'), 5000)).toString(), 'split across chunks');
  });

  test('an empty message each way: a 5-byte frame out, an empty Buffer back', async () => {
    let body: Buffer | undefined;
    server.handle = (stream) => {
      void requestBody(stream).then((received) => {
        body = received;
        return answer(stream, [framed(Buffer.alloc(0))]);
      });
    };
    const response = await channel.call('/s/m', new Uint8Array(0), 5000);
    assert.deepEqual([...body!], [0, 0, 0, 0, 0]);
    assert.ok(Buffer.isBuffer(response));
    assert.equal(response.length, 0);
  });
});

describe('H2UnaryChannel: failures become TransportErrors with the gRPC code', () => {
  let server: RawServer;
  let channel: H2UnaryChannel;
  before(async () => {
    server = await startRawServer(() => undefined);
    channel = new H2UnaryChannel(server.authority);
  });
  after(async () => {
    channel.close();
    await server.close();
  });

  const replying =
    (reply: (stream: ServerHttp2Stream) => unknown): StreamHandler =>
    (stream) => {
      void requestBody(stream).then(() => reply(stream));
    };

  test('a non-zero grpc-status in the trailers, with its percent-encoded UTF-8 grpc-message decoded', async () => {
    server.handle = replying((stream) => answer(stream, [], { 'grpc-status': '8', 'grpc-message': encodeURIComponent('slow down: 100% – ünïcödé ☃') }));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.RESOURCE_EXHAUSTED, 'RESOURCE_EXHAUSTED: slow down: 100% – ünïcödé ☃');
  });

  test('a status after a message still fails the call', async () => {
    server.handle = replying((stream) => answer(stream, [framed(Buffer.from('ignored'))], { 'grpc-status': '7', 'grpc-message': 'no' }));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.PERMISSION_DENIED, 'PERMISSION_DENIED: no');
  });

  test('a grpc-message that is not valid percent-encoding is kept as sent', async () => {
    server.handle = replying((stream) => answer(stream, [], { 'grpc-status': '3', 'grpc-message': 'bad %zz escape' }));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.INVALID_ARGUMENT, 'INVALID_ARGUMENT: bad %zz escape');
  });

  test('a trailers-only response: the status in the response headers', async () => {
    server.handle = replying((stream) => stream.respond({ ...GRPC_HEADERS, 'grpc-status': '5', 'grpc-message': 'no%20such%20thing' }, { endStream: true }));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.NOT_FOUND, 'NOT_FOUND: no such thing');
  });

  test('a status number outside google.rpc.Code is UNKNOWN', async () => {
    server.handle = replying((stream) => answer(stream, [], { 'grpc-status': '42', 'grpc-message': 'what' }));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNKNOWN, 'UNKNOWN: what');
    server.handle = replying((stream) => answer(stream, [], { 'grpc-status': 'nope' }));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNKNOWN, /^UNKNOWN: /);
  });

  test('an HTTP error status without grpc-status is mapped (503 UNAVAILABLE, 404 UNIMPLEMENTED, 401 UNAUTHENTICATED, 500 UNKNOWN)', async () => {
    const cases: [number, RpcCode][] = [
      [503, RpcCode.UNAVAILABLE],
      [404, RpcCode.UNIMPLEMENTED],
      [401, RpcCode.UNAUTHENTICATED],
      [500, RpcCode.UNKNOWN],
    ];
    for (const [httpStatus, code] of cases) {
      server.handle = replying((stream) => stream.respond({ ':status': httpStatus, 'content-type': 'text/plain' }, { endStream: true }));
      await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), code, new RegExp(`^${RpcCode[code]}: HTTP status ${httpStatus}`));
    }
  });

  test('a 200 whose content-type is not application/grpc is INTERNAL, even with grpc-status 0', async () => {
    server.handle = replying((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'text/html' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(framed(Buffer.from('<html>')));
    });
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.INTERNAL, 'INTERNAL: the server answered with content-type "text/html", not application/grpc');
  });

  test('a response message over the size limit is RESOURCE_EXHAUSTED; one at the limit is read', async () => {
    const limited = new H2UnaryChannel(server.authority, 1024);
    try {
      server.handle = echoing(() => Buffer.alloc(1025, 7));
      await rejectsWith(limited.call('/s/m', Buffer.alloc(0), 5000), RpcCode.RESOURCE_EXHAUSTED, 'RESOURCE_EXHAUSTED: the response is larger than the limit of 1024 bytes');
      server.handle = echoing(() => Buffer.alloc(1024, 7));
      assert.deepEqual(await limited.call('/s/m', Buffer.alloc(0), 5000), Buffer.alloc(1024, 7));
    } finally {
      limited.close();
    }
  });

  test('two response messages to a unary call are UNIMPLEMENTED (a cardinality violation)', async () => {
    server.handle = replying((stream) => answer(stream, [framed(Buffer.from('one')), framed(Buffer.from('two'))]));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNIMPLEMENTED, 'UNIMPLEMENTED: more than one response message for a unary call');
  });

  test('OK without a response message is INTERNAL', async () => {
    server.handle = replying((stream) => answer(stream, []));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.INTERNAL, /^INTERNAL: .*without a response message/);
    server.handle = replying((stream) => answer(stream, [Buffer.from([0, 0, 0])]));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.INTERNAL, /^INTERNAL: /);
  });

  test('a response that ends with neither grpc-status nor an HTTP error is INTERNAL', async () => {
    server.handle = replying((stream) => {
      stream.respond(GRPC_HEADERS);
      stream.end(framed(Buffer.from('no trailers')));
    });
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.INTERNAL, /^INTERNAL: .*without grpc-status/);
  });

  test('a message with the compressed flag is INTERNAL (no compression was offered)', async () => {
    server.handle = replying((stream) => answer(stream, [framed(Buffer.from('zipped'), 1)]));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.INTERNAL, /^INTERNAL: .*compressed/);
  });

  test('a message shorter than its length prefix is INTERNAL', async () => {
    const cut = framed(Buffer.from('0123456789')).subarray(0, 8);
    server.handle = replying((stream) => answer(stream, [cut]));
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.INTERNAL, /^INTERNAL: .*cut short/);
  });

  test('a stream the server refuses (RST_STREAM REFUSED_STREAM) before answering is UNAVAILABLE', async () => {
    server.handle = (stream) => stream.close(constants.NGHTTP2_REFUSED_STREAM);
    const error = await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNAVAILABLE, /^UNAVAILABLE: /);
    assert.equal(error.unsent, true, 'REFUSED_STREAM: the server did not process it');
  });

  test('a stream the server resets with INTERNAL_ERROR before answering is UNAVAILABLE', async () => {
    server.handle = (stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    const error = await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNAVAILABLE, /^UNAVAILABLE: /);
    assert.equal(error.unsent, false, 'the server may have processed it');
  });

  test('a stream the server resets with CANCEL before answering is CANCELLED', async () => {
    server.handle = (stream) => stream.close(constants.NGHTTP2_CANCEL);
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.CANCELLED, /^CANCELLED: /);
  });

  test('a stream reset after the response headers: REFUSED_STREAM is UNAVAILABLE, CANCEL is CANCELLED, others INTERNAL', async () => {
    const cases: [number, RpcCode][] = [
      [constants.NGHTTP2_REFUSED_STREAM, RpcCode.UNAVAILABLE],
      [constants.NGHTTP2_CANCEL, RpcCode.CANCELLED],
      [constants.NGHTTP2_INTERNAL_ERROR, RpcCode.INTERNAL],
    ];
    for (const [rstCode, code] of cases) {
      const frames = await startFrameServer((socket, streamId) => {
        socket.write(h2Frame(FRAME_HEADERS, FLAG_END_HEADERS, streamId, STATUS_200));
        socket.write(h2Frame(FRAME_DATA, 0, streamId, framed(Buffer.from('cut')).subarray(0, 6)));
        socket.write(rstStream(streamId, rstCode));
      });
      const framesChannel = new H2UnaryChannel(frames.authority);
      try {
        await rejectsWith(framesChannel.call('/s/m', Buffer.alloc(0), 5000), code, new RegExp(`^${RpcCode[code]}: `));
      } finally {
        framesChannel.close();
        await frames.close();
      }
    }
  });

  test('the frame-by-frame server answers a well-formed call (the fixture is sound)', async () => {
    const frames = await startFrameServer((socket, streamId) => {
      socket.write(h2Frame(FRAME_HEADERS, FLAG_END_HEADERS, streamId, STATUS_200));
      socket.write(h2Frame(FRAME_DATA, 0, streamId, framed(Buffer.from('by hand'))));
      // HPACK literal without indexing, new names: grpc-status 0; END_STREAM | END_HEADERS.
      const trailer = Buffer.concat([Buffer.from([0x00, 11]), Buffer.from('grpc-status'), Buffer.from([1]), Buffer.from('0')]);
      socket.write(h2Frame(FRAME_HEADERS, FLAG_END_HEADERS | 0x1, streamId, trailer));
    });
    const framesChannel = new H2UnaryChannel(frames.authority);
    try {
      assert.equal((await framesChannel.call('/s/m', Buffer.alloc(0), 5000)).toString(), 'by hand');
    } finally {
      framesChannel.close();
      await frames.close();
    }
  });

  test('a connection lost before the response (the server destroys its session) is UNAVAILABLE, not CANCELLED', async () => {
    server.handle = (stream) => stream.session?.destroy();
    const error = await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNAVAILABLE, /^UNAVAILABLE: /);
    assert.equal(error.unsent, false, 'the request was sent');
  });

  test('a connection lost after the response headers is UNAVAILABLE, not INTERNAL', async () => {
    server.handle = replying((stream) => {
      stream.respond(GRPC_HEADERS);
      stream.write(framed(Buffer.from('half a message')).subarray(0, 8), () => stream.session?.destroy());
    });
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNAVAILABLE, /^UNAVAILABLE: /);
    server.handle = echoing((request) => request);
    assert.equal((await channel.call('/s/m', Buffer.from('reconnected'), 5000)).toString(), 'reconnected');
  });

  test('a connection that dies after the response headers (FIN or RST, as when Mixer is killed) is UNAVAILABLE, not INTERNAL', async () => {
    for (const [how, die] of [
      ['FIN', (socket: Socket) => socket.end()],
      ['RST', (socket: Socket) => socket.resetAndDestroy()],
    ] as const) {
      // The client acknowledges the PING after it has read the frames before it: then the connection dies.
      const frames = await startFrameServer((socket, streamId) => {
        socket.write(h2Frame(FRAME_HEADERS, FLAG_END_HEADERS, streamId, STATUS_200));
        socket.write(h2Frame(FRAME_DATA, 0, streamId, framed(Buffer.from('cut')).subarray(0, 6)));
        socket.write(h2Frame(FRAME_PING, 0, 0, Buffer.alloc(8)));
      }, die);
      const framesChannel = new H2UnaryChannel(frames.authority);
      try {
        const error = await rejectsWith(framesChannel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNAVAILABLE, /^UNAVAILABLE: /);
        assert.equal(error.unsent, false, `${how}: the request was sent, so Mixer may have it`);
      } finally {
        framesChannel.close();
        await frames.close();
      }
    }
  });

  test('a TCP connection closed under a call (FIN, no HTTP/2 answer) is UNAVAILABLE', async () => {
    const sockets: Socket[] = [];
    const tcp = createNetServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end());
    });
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    const tcpChannel = new H2UnaryChannel(`127.0.0.1:${(tcp.address() as AddressInfo).port}`);
    try {
      await rejectsWith(tcpChannel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNAVAILABLE, /^UNAVAILABLE: /);
    } finally {
      tcpChannel.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  });

  test('a server that never answers: DEADLINE_EXCEEDED, and the stream is cancelled on the server', async () => {
    server.handle = echoing((request) => request);
    await channel.call('/s/m', Buffer.from('warm-up'), 5000);
    const sessionsBefore = server.sessions.length;
    let serverStreamClosed: Promise<number> | undefined;
    server.handle = (stream) => {
      serverStreamClosed = once(stream, 'close').then(() => stream.rstCode ?? -1);
    };
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 30), RpcCode.DEADLINE_EXCEEDED, /^DEADLINE_EXCEEDED: /);
    assert.ok(serverStreamClosed !== undefined, 'the request reached the server');
    assert.equal(await within(serverStreamClosed, 'the server stream closing'), constants.NGHTTP2_CANCEL);
    // The session survives a cancelled stream.
    server.handle = echoing((request) => request);
    assert.equal((await channel.call('/s/m', Buffer.from('after'), 5000)).toString(), 'after');
    assert.equal(server.sessions.length, sessionsBefore, 'the same session');
  });

  test('a deadline of zero or less fails with DEADLINE_EXCEEDED', async () => {
    server.handle = () => undefined;
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 0), RpcCode.DEADLINE_EXCEEDED);
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), -5), RpcCode.DEADLINE_EXCEEDED);
  });

  test('a signal shared by many calls keeps no listener once they settle (answer, status, deadline)', async () => {
    const controller = new AbortController();
    server.handle = (stream, headers) => {
      if (headers[':path'] === '/s/ok') echoing((request) => request)(stream, headers);
      else if (headers[':path'] === '/s/status') void requestBody(stream).then(() => answer(stream, [], { 'grpc-status': '14' }));
      // '/s/never': no answer, the deadline
    };
    const paths = ['/s/ok', '/s/status', '/s/never'];
    const calls = Array.from({ length: 12 }, (_, i) => {
      const path = paths[i % 3]!;
      return channel.call(path, Buffer.from('x'), path === '/s/never' ? 20 : 5000, controller.signal);
    });
    const outcomes = await Promise.allSettled(calls);
    assert.deepEqual(
      outcomes.map((outcome) => (outcome.status === 'fulfilled' ? 'OK' : outcome.reason instanceof TransportError ? RpcCode[outcome.reason.rpcCode] : 'other')),
      Array.from({ length: 4 }, () => ['OK', 'UNAVAILABLE', 'DEADLINE_EXCEEDED']).flat(),
    );
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  test('an AbortSignal aborted mid-call: CANCELLED, and the stream is cancelled on the server', async () => {
    const controller = new AbortController();
    let serverStreamClosed: Promise<number> | undefined;
    server.handle = (stream) => {
      serverStreamClosed = once(stream, 'close').then(() => stream.rstCode ?? -1);
      controller.abort();
    };
    await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000, controller.signal), RpcCode.CANCELLED, /^CANCELLED: /);
    assert.ok(serverStreamClosed !== undefined, 'the request reached the server');
    assert.equal(await within(serverStreamClosed, 'the server stream closing'), constants.NGHTTP2_CANCEL);
  });

  test('a signal aborted after the call settled changes nothing', async () => {
    const controller = new AbortController();
    server.handle = echoing((request) => request);
    assert.equal((await channel.call('/s/m', Buffer.from('done'), 5000, controller.signal)).toString(), 'done');
    controller.abort();
    assert.equal((await channel.call('/s/m', Buffer.from('next'), 5000)).toString(), 'next');
  });

  test('a signal aborted before the call: CANCELLED, and no request reaches the server', async () => {
    const isolated = await startRawServer(echoing((request) => request));
    const fresh = new H2UnaryChannel(isolated.authority);
    try {
      const controller = new AbortController();
      controller.abort();
      await rejectsWith(fresh.call('/s/aborted', Buffer.alloc(0), 5000, controller.signal), RpcCode.CANCELLED);
      assert.equal((await fresh.call('/s/later', Buffer.from('x'), 5000)).toString(), 'x');
      assert.deepEqual(
        isolated.requests.map((headers) => headers[':path']),
        ['/s/later'],
        'only the later call reached the server',
      );
    } finally {
      fresh.close();
      await isolated.close();
    }
  });

  test('nothing listening: UNAVAILABLE naming ECONNREFUSED', async () => {
    const nowhere = new H2UnaryChannel(`127.0.0.1:${await freePort()}`);
    try {
      const error = await rejectsWith(nowhere.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNAVAILABLE, /^UNAVAILABLE: .*ECONNREFUSED/);
      assert.equal(error.unsent, true, 'no connection: nothing was sent');
      // A failed connection is not reused: the next call tries again (and fails the same way).
      await rejectsWith(nowhere.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNAVAILABLE, /ECONNREFUSED/);
    } finally {
      nowhere.close();
    }
  });

  test('a closed channel refuses calls with CANCELLED, and a call in flight at close() still completes', async () => {
    const isolated = await startRawServer(() => undefined);
    const closing = new H2UnaryChannel(isolated.authority);
    try {
      let release: () => void = () => undefined;
      const arrived = new Promise<void>((resolve) => {
        isolated.handle = (stream) => {
          release = () => void answer(stream, [framed(Buffer.from('late'))]);
          resolve();
        };
      });
      const inFlight = closing.call('/s/m', Buffer.alloc(0), 5000);
      await arrived;
      closing.close();
      await rejectsWith(closing.call('/s/m', Buffer.alloc(0), 5000), RpcCode.CANCELLED, /closed/);
      release();
      assert.equal((await inFlight).toString(), 'late');
      assert.equal(isolated.requests.length, 1, 'the call after close() sent nothing');
    } finally {
      closing.close();
      await isolated.close();
    }
  });
});

describe('H2UnaryChannel: connections', () => {
  test('close() ends the connection: the server sees its session close', async () => {
    const isolated = await startRawServer(echoing((request) => request));
    const closing = new H2UnaryChannel(isolated.authority);
    try {
      assert.equal((await closing.call('/s/m', Buffer.from('x'), 5000)).toString(), 'x');
      const session = isolated.sessions[0]!;
      const sessionClosed = once(session, 'close');
      closing.close();
      await within(sessionClosed, 'the server session closing');
      assert.ok(session.destroyed);
    } finally {
      closing.close();
      await isolated.close();
    }
  });
  test('calls in flight together share one HTTP/2 session', async () => {
    const count = 8;
    const pending: (() => void)[] = [];
    const server = await startRawServer((stream) => {
      void requestBody(stream).then((body) => {
        const release = (): void => void answer(stream, [framed(Buffer.from(`re:${body.subarray(5).toString()}`))]);
        if (pending.length === count) return release();
        pending.push(release);
        // Answer only once every call is in flight, in reverse order.
        if (pending.length === count) for (const each of [...pending].reverse()) each();
      });
    });
    const channel = new H2UnaryChannel(server.authority);
    try {
      const responses = await Promise.all(Array.from({ length: count }, (_, i) => channel.call('/s/m', Buffer.from(`call ${i}`), 5000)));
      assert.deepEqual(
        responses.map((response) => response.toString()),
        Array.from({ length: count }, (_, i) => `re:call ${i}`),
      );
      assert.equal((await channel.call('/s/m', Buffer.from('later'), 5000)).toString(), 're:later');
      assert.equal(server.sessions.length, 1, 'the calls in flight and a later one');
    } finally {
      channel.close();
      await server.close();
    }
  });

  test('the server goes away and comes back on the same port: a new session carries the next calls', async () => {
    const first = await startRawServer(echoing((request) => request));
    const port = first.port;
    const channel = new H2UnaryChannel(first.authority);
    try {
      assert.equal((await channel.call('/s/m', Buffer.from('one'), 5000)).toString(), 'one');
      await first.close();
      // Down: the lost session or the refused connection, but never a hang.
      await rejectsWith(channel.call('/s/m', Buffer.alloc(0), 5000), RpcCode.UNAVAILABLE);
      const second = await startRawServer(echoing((request) => request), port);
      try {
        assert.equal((await channel.call('/s/m', Buffer.from('two'), 5000)).toString(), 'two');
        assert.equal(second.sessions.length, 1);
      } finally {
        await second.close();
      }
    } finally {
      channel.close();
    }
  });

  test('a server restarted behind an idle channel: the next call, or the one after its failure, succeeds', async () => {
    const first = await startRawServer(echoing((request) => request));
    const port = first.port;
    const channel = new H2UnaryChannel(first.authority);
    try {
      assert.equal((await channel.call('/s/m', Buffer.from('one'), 5000)).toString(), 'one');
      await first.close();
      const second = await startRawServer(echoing((request) => request), port);
      try {
        let response: Buffer;
        try {
          response = await channel.call('/s/m', Buffer.from('two'), 5000);
        } catch (error) {
          assert.ok(error instanceof TransportError && error.rpcCode === RpcCode.UNAVAILABLE, `UNAVAILABLE at most once, got ${String(error)}`);
          response = await channel.call('/s/m', Buffer.from('two'), 5000);
        }
        assert.equal(response.toString(), 'two');
        assert.equal(second.sessions.length, 1);
        assert.equal((await channel.call('/s/m', Buffer.from('three'), 5000)).toString(), 'three');
        assert.equal(second.sessions.length, 1, 'the new session is kept');
      } finally {
        await second.close();
      }
    } finally {
      channel.close();
    }
  });

  test('a GOAWAY from the server: the call it lets finish completes, later calls open a new session', async () => {
    const server = await startRawServer((stream) => {
      void requestBody(stream).then((body) => {
        if (server.sessions.length === 1) stream.session?.goaway(constants.NGHTTP2_NO_ERROR, stream.id);
        return answer(stream, [framed(body.subarray(5))]);
      });
    });
    const channel = new H2UnaryChannel(server.authority);
    try {
      assert.equal((await channel.call('/s/m', Buffer.from('before'), 5000)).toString(), 'before');
      assert.equal((await channel.call('/s/m', Buffer.from('after'), 5000)).toString(), 'after');
      assert.equal((await channel.call('/s/m', Buffer.from('again'), 5000)).toString(), 'again');
      assert.equal(server.sessions.length, 2, 'one new session after the GOAWAY, then kept');
    } finally {
      channel.close();
      await server.close();
    }
  });

  test('a GOAWAY that refuses the call in flight: UNAVAILABLE, and the next call succeeds on a new session', async () => {
    const server = await startRawServer((stream) => {
      // The first session's second stream: GOAWAY naming the first as the last one processed.
      if (server.sessions.length === 1 && (stream.id ?? 0) > 1) {
        stream.session?.goaway(constants.NGHTTP2_NO_ERROR, 1);
        return;
      }
      echoing((request) => request)(stream, {});
    });
    const channel = new H2UnaryChannel(server.authority);
    try {
      assert.equal((await channel.call('/s/m', Buffer.from('first'), 5000)).toString(), 'first');
      const error = await rejectsWith(channel.call('/s/m', Buffer.from('refused'), 5000), RpcCode.UNAVAILABLE, /^UNAVAILABLE: /);
      assert.equal(error.unsent, true, 'a stream above the GOAWAY’s last stream id was not processed');
      assert.equal((await channel.call('/s/m', Buffer.from('next'), 5000)).toString(), 'next');
      assert.equal(server.sessions.length, 2);
    } finally {
      channel.close();
      await server.close();
    }
  });

  test('an idle channel does not keep the process alive; a call in flight does', async () => {
    const server = await startRawServer((stream) => {
      // Answer a little later, so the child's only work is the call in flight.
      void requestBody(stream).then((body) => setTimeout(() => void answer(stream, [framed(Buffer.from(`hello ${body.subarray(5).toString()}`))]), 100));
    });
    try {
      const moduleUrl = new URL('./h2-unary-channel.js', import.meta.url).href;
      // No close(): the process must exit once the call is over, with the session still open
      // (and the deadline timer cleared: 10 minutes is far beyond the safety timeout).
      // A top-level await of a call the event loop forgets would exit with code 13 instead.
      const script = [
        `import { H2UnaryChannel } from ${JSON.stringify(moduleUrl)};`,
        `const channel = new H2UnaryChannel(process.env.H2_TARGET);`,
        `const response = await channel.call('/s/m', Buffer.from('child'), 600000);`,
        `process.stdout.write(response.toString());`,
      ].join('\n');
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, H2_TARGET: server.authority },
        cwd: fileURLToPath(new URL('.', import.meta.url)),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
      let safety: NodeJS.Timeout | undefined;
      const hung = new Promise<'hung'>((resolve) => {
        safety = setTimeout(() => resolve('hung'), 15_000);
      });
      const outcome = await Promise.race([exited, hung]);
      clearTimeout(safety);
      if (outcome === 'hung') {
        child.kill('SIGKILL');
        await exited;
        assert.fail(`the child did not exit on its own (stdout: ${stdout}, stderr: ${stderr})`);
      }
      assert.deepEqual(outcome, [0, null], `exit code (stderr: ${stderr})`);
      assert.equal(stdout, 'hello child');
      assert.equal(server.sessions.length, 1);
    } finally {
      await server.close();
    }
  });
});

describe('H2UnaryChannel against grpc-js Server (the Mixer service, raw-bytes methods)', () => {
  type Call = ServerUnaryCall<Buffer, Buffer>;
  type Answer = (call: Call, callback: sendUnaryData<Buffer>) => void;

  const service = mixerServiceDefinition(loadMixerProtos());
  const server = new Server();
  let checkAnswer: Answer = (_call, callback) => callback(null, Buffer.alloc(0));
  let channel: H2UnaryChannel;

  before(async () => {
    server.addService(service, {
      Check: (call: Call, callback: sendUnaryData<Buffer>) => checkAnswer(call, callback),
      Report: (_call: Call, callback: sendUnaryData<Buffer>) => callback(null, Buffer.alloc(0)),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
    );
    channel = new H2UnaryChannel(`127.0.0.1:${port}`);
  });
  after(() => {
    channel.close();
    server.forceShutdown();
  });

  test('OK: the request bytes reach the handler and the response bytes come back', async () => {
    let received: Buffer | undefined;
    let deadline: number | undefined;
    checkAnswer = (call, callback) => {
      received = call.request;
      const value = call.getDeadline();
      deadline = value instanceof Date ? value.getTime() : value;
      callback(null, Buffer.from([...call.request].reverse()));
    };
    const response = await channel.call(service.Check.path, Buffer.from([1, 2, 3, 4, 5]), 5000);
    assert.deepEqual([...response], [5, 4, 3, 2, 1]);
    assert.deepEqual([...received!], [1, 2, 3, 4, 5]);
    assert.ok(deadline !== undefined && Number.isFinite(deadline), 'grpc-js read a deadline from grpc-timeout');
    assert.deepEqual([...(await channel.call(service.Report.path, Buffer.from('r'), 5000))], [], 'Report: an empty message');
  });

  test('many calls at once, each with its own answer', async () => {
    checkAnswer = (call, callback) => setImmediate(() => callback(null, Buffer.concat([Buffer.from('re:'), call.request])));
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => channel.call(service.Check.path, Buffer.from(String(i)), 5000)));
    assert.deepEqual(
      responses.map((response) => response.toString()),
      Array.from({ length: 50 }, (_, i) => `re:${i}`),
    );
  });

  test('a grpc-js error status arrives with its code and details', async () => {
    checkAnswer = (_call, callback) => callback({ code: RpcCode.RESOURCE_EXHAUSTED as number, details: 'slow down – 100% ☃' });
    await rejectsWith(channel.call(service.Check.path, Buffer.alloc(0), 5000), RpcCode.RESOURCE_EXHAUSTED, 'RESOURCE_EXHAUSTED: slow down – 100% ☃');
    checkAnswer = (_call, callback) => callback({ code: RpcCode.FAILED_PRECONDITION as number, details: 'not yet' });
    await rejectsWith(channel.call(service.Check.path, Buffer.alloc(0), 5000), RpcCode.FAILED_PRECONDITION, 'FAILED_PRECONDITION: not yet');
  });

  test('an unknown method is UNIMPLEMENTED', async () => {
    await rejectsWith(channel.call('/istio.mixer.v1.Mixer/Nope', Buffer.alloc(0), 5000), RpcCode.UNIMPLEMENTED, /^UNIMPLEMENTED: /);
  });

  test('a handler that never answers: DEADLINE_EXCEEDED, and grpc-js sees the call cancelled', async () => {
    let cancelled: Promise<unknown> | undefined;
    checkAnswer = (call) => {
      cancelled = once(call, 'cancelled');
    };
    await rejectsWith(channel.call(service.Check.path, Buffer.alloc(0), 50), RpcCode.DEADLINE_EXCEEDED);
    assert.ok(cancelled !== undefined, 'the call reached the handler');
    await within(cancelled, 'grpc-js seeing the cancellation');
    checkAnswer = (call, callback) => callback(null, call.request);
    assert.equal((await channel.call(service.Check.path, Buffer.from('still fine'), 5000)).toString(), 'still fine');
  });
});
