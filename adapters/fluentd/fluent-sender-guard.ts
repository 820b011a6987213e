import type { Socket } from 'node:net';
import type fluentLogger from 'fluent-logger';

/** The FluentSender fields this module touches (fluent-logger 3.4.1, pinned; the typings omit them). */
interface SenderInternals {
  _socket: Socket | null;
  requireAckResponse: boolean | undefined;
  _disconnect(): void;
  on(event: 'error' | 'connect', listener: (detail?: unknown) => void): void;
}

export type Sender = fluentLogger.FluentSender<Record<string, unknown>>;

/** msgpack for `{ack: ""}`: a reply no chunk id matches. */
const NON_MATCHING_ACK = Buffer.from([0x81, 0xa3, 0x61, 0x63, 0x6b, 0xa0]);

function internals(sender: Sender): SenderInternals {
  return sender as unknown as SenderInternals;
}

/** Listens to a sender's `error` and `connect` events (delegated to its emitter; missing from the typings). */
export function onSenderEvent(sender: Sender, event: 'error' | 'connect', listener: (detail?: unknown) => void): void {
  internals(sender).on(event, listener);
}

/** The socket of a sender's current connection (read it on `connect`), or undefined. */
export function currentSocket(sender: Sender): Socket | undefined {
  return internals(sender)._socket ?? undefined;
}

/**
 * Makes a sender safe to give up on. fluent-logger 3.4.1 has no public way to drop a
 * connection, and some of its paths misbehave when a connection dies mid-write:
 * - with acks on, a write callback dereferences the socket it has already cleared (an uncaught
 *   TypeError);
 * - an ack wait keeps a timer of `ackResponseTimeout` that nothing can cancel, which would keep
 *   the process alive that long;
 * - without a socket `close` handler, its write loop can spin on `process.nextTick` over a
 *   socket the peer has ended.
 * `abandon` turns acks off for writes still in flight (their callbacks then take the plain
 * path), answers a pending ack wait on `socket` with an ack no chunk matches (which clears its
 * timer and fails its entries, already given up on), then disconnects, which clears the socket
 * the write loop checks.
 */
export function abandon(sender: Sender, socket: Socket | undefined): void {
  const inner = internals(sender);
  inner.requireAckResponse = false;
  if (socket !== undefined && socket.listenerCount('data') > 0) {
    try {
      socket.emit('data', NON_MATCHING_ACK);
    } catch {
      // The ack handler failed on the reply; its timer was cleared before that.
    }
  }
  inner._disconnect();
}
