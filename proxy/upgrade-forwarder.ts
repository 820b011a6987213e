import { STATUS_CODES, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { hasInvalidFieldValueChar, isFieldName } from './http-field-syntax.js';
import { ProxyErrorCode, type ForwardedRequest, type ForwardOutcome } from './http-forwarder.js';
import type { HostPort } from './proxy-config.js';

/**
 * A response head as raw HTTP/1.1 text, to be written as latin1 (for answering on a socket
 * taken over by an upgrade). Its fields come from node's parser or have passed
 * applyHeaderOperations; one outside the grammar all the same is left out rather than thrown
 * about, since this runs inside socket events.
 */
export function rawResponseHead(statusCode: number, headers: OutgoingHttpHeaders | IncomingHttpHeaders): string {
  let head = `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Unknown'}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !isFieldName(name)) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = String(item);
      if (!hasInvalidFieldValueChar(text)) head += `${name}: ${text}\r\n`;
    }
  }
  return `${head}\r\n`;
}

/**
 * Passes an HTTP upgrade (WebSocket) to the upstream on its own connection. When the upstream
 * switches protocols, the two sockets are joined and bytes counted both ways until both close,
 * or until `idle.timeoutMs` (0: no limit) passes with no byte either way; any other answer is
 * relayed as is. Resolves once the exchange is over.
 */
export function forwardUpgrade(
  downstream: Duplex,
  head: Buffer,
  target: HostPort,
  outgoing: ForwardedRequest,
  onResponseHead: (headers: IncomingHttpHeaders) => void,
  idle: { readonly timeoutMs: number; readonly onIdle: () => void },
): Promise<ForwardOutcome> {
  return new Promise((resolve) => {
    let received = head.length;
    let sent = 0;
    let statusCode = 0;
    let responseHeaders: IncomingHttpHeaders = {};
    let headBytes = 0;
    let settled = false;
    const finish = (proxyErrorCode: ProxyErrorCode | ''): void => {
      if (settled) return;
      settled = true;
      resolve({ statusCode, responseHeaders, requestBodyBytes: received, responseBodyBytes: sent, responseHeadBytes: headBytes, proxyErrorCode });
    };
    const upstream = httpRequest({ agent: false, host: target.host, port: target.port, method: outgoing.method, path: outgoing.path, headers: outgoing.headers, setHost: false });
    const relayHead = (reply: IncomingMessage): void => {
      statusCode = reply.statusCode ?? 502;
      const headers = { ...reply.headers };
      onResponseHead(headers);
      responseHeaders = headers;
      const text = rawResponseHead(statusCode, headers);
      headBytes = text.length;
      downstream.write(text, 'latin1');
    };
    upstream.on('upgrade', (reply: IncomingMessage, socket: Socket, upstreamHead: Buffer) => {
      relayHead(reply);
      sent += upstreamHead.length;
      if (upstreamHead.length > 0) downstream.write(upstreamHead);
      if (head.length > 0) socket.write(head);
      downstream.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      socket.on('data', (chunk: Buffer) => {
        sent += chunk.length;
      });
      let closed = 0;
      const closeOne = (): void => {
        if (++closed === 2) finish('');
      };
      if (idle.timeoutMs > 0) {
        // The upstream socket sees both directions: what it reads and what the client sends through it.
        socket.setTimeout(idle.timeoutMs);
        socket.once('timeout', () => {
          idle.onIdle();
          socket.destroy();
        });
      }
      socket.on('error', () => downstream.destroy());
      downstream.on('error', () => socket.destroy());
      socket.once('close', () => {
        downstream.destroy();
        closeOne();
      });
      downstream.once('close', () => {
        socket.destroy();
        closeOne();
      });
      downstream.pipe(socket);
      socket.pipe(downstream);
    });
    upstream.on('response', (reply: IncomingMessage) => {
      // The upstream declined the upgrade: relay its answer and close.
      relayHead(reply);
      reply.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        downstream.write(chunk);
      });
      reply.on('end', () => {
        downstream.end();
        finish('');
      });
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      if (statusCode !== 0) {
        downstream.destroy();
        finish(ProxyErrorCode.UPSTREAM_RESET);
        return;
      }
      statusCode = 503;
      const body = 'upstream connect error or disconnect/reset before headers';
      responseHeaders = { 'content-type': 'text/plain', 'content-length': String(body.length), connection: 'close' };
      downstream.end(rawResponseHead(503, responseHeaders) + body, 'latin1');
      finish(error.code === 'ECONNREFUSED' ? ProxyErrorCode.UPSTREAM_CONNECT_FAILURE : ProxyErrorCode.UPSTREAM_RESET);
    });
    downstream.once('close', () => {
      if (statusCode === 0) {
        upstream.destroy();
        finish(ProxyErrorCode.DOWNSTREAM_TERMINATED);
      }
    });
    upstream.end();
  });
}
