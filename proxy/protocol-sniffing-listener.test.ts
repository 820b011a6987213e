import assert from 'node:assert/strict';
import { Agent, createServer, request } from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { silentLogger } from '../core/client/client-logger.js';
import { ListenerStats } from './listener-stats.js';
import { ProtocolSniffingListener } from './protocol-sniffing-listener.js';
import { DEFAULT_CONNECTION_LIMITS } from './proxy-config-loader.js';

// One port for HTTP/1.1 and h2c, against node's own clients and a raw socket.

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

function get(port: number, path: string, agent?: Agent, method = 'GET', body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = request({ host: '127.0.0.1', port, path, method, agent }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve(`${response.statusCode} ${text}`));
    });
    call.on('error', reject);
    call.end(body);
  });
}

function getHttp2(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request({ ':path': path });
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    stream.on('end', () => {
      session.close();
      resolve(text);
    });
    stream.end();
  });
}

describe('ProtocolSniffingListener', () => {
  let listener: ProtocolSniffingListener;
  let port: number;

  beforeEach(async () => {
    // Idle connections outlive any test unless close() closes them.
    const http1 = createServer({ keepAlive: true, keepAliveTimeout: 120_000 }, (incoming, response) => {
      let body = '';
      incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
      incoming.on('end', () => response.end(`http/1.1 ${incoming.method} ${incoming.url} ${body}`));
    });
    const http2 = createHttp2Server();
    http2.on('stream', (stream, headers) => {
      stream.respond({ ':status': 200 });
      stream.end(`h2 ${String(headers[':path'])}`);
    });
    listener = await ProtocolSniffingListener.start({ host: '127.0.0.1', port: 0 }, http1, http2, DEFAULT_CONNECTION_LIMITS, new ListenerStats('test', silentLogger));
    port = listener.address.port;
  });
  afterEach(() => listener.close());

  test('HTTP/1.1 requests (keep-alive, with a body) and HTTP/2 prior-knowledge sessions share the port', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal(await get(port, '/one', agent), '200 http/1.1 GET /one ');
      assert.equal(await get(port, '/two', agent, 'POST', 'payload'), '200 http/1.1 POST /two payload');
    } finally {
      agent.destroy();
    }
    assert.equal(await getHttp2(port, '/three'), 'h2 /three');
  });

  test('a preface that arrives in pieces is still HTTP/2; a request that merely starts with "P" is HTTP/1.1', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => socket.once('connect', resolve));
    const firstFrame = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    socket.write(PREFACE.subarray(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 30));
    socket.write(PREFACE.subarray(5));
    // An empty SETTINGS frame, as every HTTP/2 client sends after the preface.
    socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
    const frame = await firstFrame;
    assert.equal(frame[3], 4, 'the server answers with its SETTINGS frame');
    socket.destroy();
    assert.equal(await get(port, '/p', undefined, 'PUT', 'x'), '200 http/1.1 PUT /p x');
  });

  test('a connection that closes before its first byte, or sends garbage, does not disturb the others', async () => {
    const silent: Socket = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => silent.once('connect', resolve));
    silent.destroy();
    const garbage = connect({ host: '127.0.0.1', port });
    const answer = new Promise<string>((resolve) => {
      let text = '';
      garbage.on('data', (chunk: Buffer) => (text += chunk.toString()));
      garbage.on('close', () => resolve(text));
    });
    garbage.end('\x00\x01 not a protocol\r\n\r\n');
    assert.match(await answer, /^HTTP\/1\.1 400/);
    assert.equal(await get(port, '/after'), '200 http/1.1 GET /after ');
  });

  // The timeout only stops a hang: left to themselves, these connections would stay open for a minute or two.
  test('close() closes an idle keep-alive connection, an HTTP/2 session and a silent connection, and resolves', { timeout: 30_000 }, async () => {
    const agent = new Agent({ keepAlive: true });
    assert.equal(await get(port, '/idle', agent), '200 http/1.1 GET /idle ');
    const idle = connect({ host: '127.0.0.1', port });
    const idleClosed = new Promise((resolve) => idle.once('close', resolve));
    idle.on('error', () => undefined);
    const answered = new Promise((resolve) => idle.once('data', resolve));
    idle.write('GET /kept HTTP/1.1\r\nhost: x\r\n\r\n');
    await answered;
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    await new Promise((resolve) => session.once('connect', resolve));
    const silent = connect({ host: '127.0.0.1', port });
    const silentClosed = new Promise((resolve) => silent.once('close', resolve));
    silent.on('error', () => undefined);
    await new Promise((resolve) => silent.once('connect', resolve));
    await listener.close();
    await Promise.all([silentClosed, idleClosed]);
    await assert.rejects(get(port, '/refused'), /ECONNREFUSED/);
    agent.destroy();
    session.destroy();
  });
});
