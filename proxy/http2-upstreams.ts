import { connect, type ClientHttp2Session } from 'node:http2';
import type { HostPort } from './proxy-config.js';

/**
 * One HTTP/2 cleartext (h2c) session per upstream, shared by every stream to it and reopened
 * when it closes or fails (gRPC multiplexes calls on one connection, as Envoy's pool does).
 */
export class Http2Upstreams {
  private readonly sessions = new Map<string, ClientHttp2Session>();

  session(target: HostPort): ClientHttp2Session {
    const key = `${target.host}:${target.port}`;
    const existing = this.sessions.get(key);
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const session = connect(`http://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`);
    // Failures surface on the streams; the session itself only has to go.
    session.on('error', () => session.destroy());
    session.once('close', () => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
    });
    this.sessions.set(key, session);
    return session;
  }

  close(): void {
    for (const session of this.sessions.values()) session.destroy();
    this.sessions.clear();
  }
}
