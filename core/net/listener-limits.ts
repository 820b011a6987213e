/**
 * What every listener Mixer opens keeps to, so that connections nobody uses cannot pile up:
 * the gRPC and HTTP/JSON APIs, the monitoring port, `mixer adapter serve`, and the listeners
 * adapters open (the prometheus adapter's /metrics).
 */
export interface ListenerLimits {
  /** Connections open at once on one listener; a connection beyond it is closed as it arrives. */
  readonly maxConnections: number;
  /**
   * A connection with no request in flight for this long is closed: an HTTP keep-alive
   * connection between requests, a gRPC (HTTP/2) connection with no call open, including one
   * that never sent anything.
   */
  readonly idleTimeoutMs: number;
  /** How long an HTTP request's headers may take to arrive, from the connection or the request's first byte (slowloris). */
  readonly headerTimeoutMs: number;
  /** How long a whole HTTP request (headers and body) may take to arrive; not less than headerTimeoutMs. */
  readonly requestTimeoutMs: number;
}

/**
 * The defaults, chosen for Mixer's callers: sidecars and services on the same network that keep
 * a connection open and send within milliseconds.
 * - 4096 connections per listener: one per sidecar or service instance talking to this Mixer,
 *   with room. An idle gRPC (HTTP/2) connection costs the server about 16 KiB, an idle HTTP/1.1
 *   one about 2.5 KiB (measured with 2,000 of each), so the cap holds idle connections to about
 *   64 MiB per listener, and the file descriptors they take to 4096 per listener.
 * - 60 s idle: a caller with traffic never idles that long; one without reconnects in a round
 *   trip when it has something to say, and an abandoned connection is gone within a minute.
 * - 10 s for headers, 30 s for a whole request: a request of at most a few megabytes on a local
 *   network takes milliseconds; these only ever close connections that trickle bytes on purpose
 *   or whose peer is gone.
 */
export const DEFAULT_LISTENER_LIMITS: ListenerLimits = Object.freeze({
  maxConnections: 4096,
  idleTimeoutMs: 60_000,
  headerTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
});
