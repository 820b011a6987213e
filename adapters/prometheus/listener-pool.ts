import type { Logger } from 'pino';
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../../core/net/listener-limits.js';
import { SharedListener, type ListenAddress, type MetricsLease } from './shared-listener.js';

function keyOf(address: ListenAddress): string {
  return `${address.host}|${address.port}`;
}

/**
 * The /metrics listeners of one prometheus adapter instance, one per address, shared by every
 * handler that serves there and reference-counted by their leases.
 *
 * Why shared: Mixer builds a changed handler before it closes the one it replaces, so two
 * handlers want the same port at once (and two different prometheus handlers may serve on the
 * same port, as on Istio's :42422). The new handler leases the listener the old one holds and
 * publishes its registry there; the old one's release then leaves the listener up. The
 * listener closes with its last lease, and an address being closed is waited for before it is
 * listened on again. Port 0 always gets a new listener (then known by its real port).
 */
export class MetricsListenerPool {
  private readonly listeners = new Map<string, SharedListener>();
  private readonly closing = new Map<string, Promise<void>>();

  /**
   * Leases the listener for `address`, starting it if needed (keeping `limits`); rejects with
   * MetricsListenError.
   */
  async acquire(address: ListenAddress, owner: string, logger: Logger, limits: ListenerLimits = DEFAULT_LISTENER_LIMITS): Promise<MetricsLease> {
    const key = keyOf(address);
    if (address.port !== 0) {
      for (let pending = this.closing.get(key); pending !== undefined; pending = this.closing.get(key)) await pending;
    }
    let listener = address.port === 0 ? undefined : this.listeners.get(key);
    if (listener === undefined) {
      listener = new SharedListener(address, limits, (closed, done) => this.closed(closed, done));
      if (address.port !== 0) this.listeners.set(key, listener);
    }
    const lease = listener.lease(owner, logger);
    try {
      await listener.ready;
    } catch (error) {
      if (this.listeners.get(key) === listener) this.listeners.delete(key);
      throw error;
    }
    if (address.port === 0) this.listeners.set(keyOf({ host: address.host, port: listener.port }), listener);
    return lease;
  }

  /** Listeners currently open (for tests). */
  get size(): number {
    return this.listeners.size;
  }

  private closed(listener: SharedListener, done: Promise<void>): void {
    for (const [key, known] of this.listeners) {
      if (known !== listener) continue;
      this.listeners.delete(key);
      this.closing.set(key, done);
      void done.finally(() => {
        if (this.closing.get(key) === done) this.closing.delete(key);
      });
    }
  }
}
