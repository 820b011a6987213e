import type { Server, ServerOptions } from 'node:http';
import type { ListenerLimits } from './listener-limits.js';

/** node:http checks header and request timeouts on a timer; it runs at least this often. */
const MAX_CHECK_INTERVAL_MS = 1000;
const MIN_CHECK_INTERVAL_MS = 10;

/**
 * node:http server options that keep `limits`: headers and whole-request timeouts (a connection
 * that has sent nothing yet is waiting for headers too), and the keep-alive idle timeout. node
 * checks the first two every `connectionsCheckingInterval` (30 s by default, which would let a
 * 10 s header timeout run to 40 s), so it is tied to the header timeout.
 */
export function httpServerOptions(limits: ListenerLimits): ServerOptions {
  return {
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    connectionsCheckingInterval: Math.max(MIN_CHECK_INTERVAL_MS, Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(limits.headerTimeoutMs / 4))),
  };
}


/**
 * Closes a node:http server through `close` (its own, or fastify's): connections with no
 * request in flight close at once, requests in flight get up to `graceMs`, then every connection
 * left is cut. node stops enforcing header and request timeouts once a server is closing, so
 * without the cut one connection still sending its headers would hold the close, and the
 * process, forever.
 */
export async function closeWithin(server: Server, close: () => Promise<void>, graceMs: number): Promise<void> {
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await close();
  } finally {
    clearTimeout(timer);
  }
}
