import type { Http2Server, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { ListenerStats } from './listener-stats.js';
import type { ConnectionLimits } from './proxy-config.js';

/**
 * The header and idle timeouts for HTTP/2 connections, which node does not time by itself: a
 * new session that has not opened a stream within headerTimeoutMs is destroyed (it sent no
 * request head: a silent or stalled client), and a session with no open stream for
 * idleTimeoutMs is closed (GOAWAY), as Envoy's idle_timeout counts streams, not frames, so
 * PINGs do not keep a connection open. One timer per session, re-armed only when its last
 * stream closes.
 */
export function limitHttp2Sessions(server: Http2Server, limits: ConnectionLimits, stats: ListenerStats): void {
  server.on('session', (session: ServerHttp2Session) => {
    let open = 0;
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    if (limits.headerTimeoutMs > 0) {
      timer = setTimeout(() => {
        stats.countHeaderTimeout();
        session.destroy();
      }, limits.headerTimeoutMs).unref();
    }
    const idle = (): void => {
      stats.countIdleTimeout();
      session.close();
    };
    session.on('stream', (stream: ServerHttp2Stream) => {
      open++;
      stop();
      stream.once('close', () => {
        if (--open === 0 && limits.idleTimeoutMs > 0 && !session.closed && !session.destroyed) timer = setTimeout(idle, limits.idleTimeoutMs).unref();
      });
    });
    session.once('close', stop);
  });
}
