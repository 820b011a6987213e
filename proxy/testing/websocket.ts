import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { listen } from './mesh-fixture.js';

// A minimal WebSocket (RFC 6455) echo server and client for the proxy's tests: the handshake,
// and single unfragmented text frames under 126 bytes. Enough to see a tunnel work end to end.

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** A text frame; clients mask, servers do not. */
export function textFrame(text: string, mask: boolean): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new RangeError('test frames are at most 125 bytes');
  const key = mask ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0);
  const body = mask ? Buffer.from(payload.map((byte, index) => byte ^ key[index % 4]!)) : payload;
  return Buffer.concat([Buffer.from([0x81, (mask ? 0x80 : 0) | payload.length]), key, body]);
}

/** Decodes one complete frame at the start of `bytes`; undefined when more bytes are needed. */
export function readFrame(bytes: Buffer): { opcode: number; text: string; length: number } | undefined {
  if (bytes.length < 2) return undefined;
  const masked = (bytes[1]! & 0x80) !== 0;
  const size = bytes[1]! & 0x7f;
  const start = 2 + (masked ? 4 : 0);
  if (bytes.length < start + size) return undefined;
  const payload = Buffer.from(bytes.subarray(start, start + size));
  if (masked) for (let index = 0; index < payload.length; index++) payload[index] = payload[index]! ^ bytes[2 + (index % 4)]!;
  return { opcode: bytes[0]! & 0x0f, text: payload.toString(), length: start + size };
}

/** Echoes every text frame back; answers a close frame with a close frame. */
export async function startWebSocketEcho(): Promise<{ port: number; upgrades: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const upgrades: IncomingHttpHeaders[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' });
    response.end('upgrade required');
  });
  server.on('upgrade', (request, socket: Socket) => {
    upgrades.push(request.headers);
    sockets.add(socket);
    const key = String(request.headers['sec-websocket-key'] ?? '');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${acceptKey(key)}\r\n\r\n`);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let frame = readFrame(pending); frame !== undefined; frame = readFrame(pending)) {
        pending = pending.subarray(frame.length);
        if (frame.opcode === 0x8) {
          socket.end(Buffer.from([0x88, 0]));
          return;
        }
        socket.write(textFrame(frame.text, false));
      }
    });
    socket.on('error', () => socket.destroy());
  });
  const port = await listen(server);
  return {
    port,
    upgrades,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface WebSocketExchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The echoed texts (empty when the upgrade was refused). */
  readonly replies: string[];
  readonly body: string;
}

/** Opens a WebSocket through `port` (Host `host`), sends `messages`, collects the echoes, closes. */
export function webSocketExchange(port: number, host: string, messages: readonly string[], headers: Record<string, string> = {}): Promise<WebSocketExchange> {
  return new Promise((resolve, reject) => {
    const key = Buffer.from('0123456789abcdef').toString('base64');
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/chat',
      headers: { host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': key, ...headers },
    });
    request.on('upgrade', (response, socket: Socket, head: Buffer) => {
      if (response.headers['sec-websocket-accept'] !== acceptKey(key)) reject(new Error('bad sec-websocket-accept'));
      const replies: string[] = [];
      let pending = head;
      const drain = (): void => {
        for (let frame = readFrame(pending); frame !== undefined; frame = readFrame(pending)) {
          pending = pending.subarray(frame.length);
          if (frame.opcode === 0x1) replies.push(frame.text);
          if (replies.length === messages.length && frame.opcode === 0x1) socket.write(Buffer.from([0x88, 0x80, 0, 0, 0, 0]));
        }
      };
      socket.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        drain();
      });
      socket.on('close', () => resolve({ status: 101, headers: response.headers, replies, body: '' }));
      socket.on('error', reject);
      for (const message of messages) socket.write(textFrame(message, true));
      drain();
    });
    request.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, replies: [], body }));
    });
    request.on('error', reject);
    request.end();
  });
}
