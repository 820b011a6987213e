import type { Server } from 'node:net';
import type { ClientLogger } from '../core/client/client-logger.js';

/** How often a repeated event is logged at warn: its 1st, 101st, 201st... occurrence, with the count. */
const LOG_EVERY = 100;

/**
 * What one listener refused or closed, counted for operators (the sidecar has no metrics
 * endpoint; these go to its log and to tests). Connections over the cap and heads that did not
 * arrive in time are what an attack or a broken client looks like: the first of every hundred
 * is logged at warn with the running count. Idle closes are ordinary and only counted.
 */
export class ListenerStats {
  /** Connections closed at once because the listener already had maxConnections open. */
  overCapacity = 0;
  /** Connections closed because a request head did not arrive within headerTimeoutMs (node's 300 s whole-request limit included). */
  headerTimeouts = 0;
  /** Connections closed after idleTimeoutMs with no request, or tcpIdleTimeoutMs with no bytes. */
  idleTimeouts = 0;
  /** Route directive header operations skipped because their name or value is outside the HTTP grammar. */
  refusedHeaderOperations = 0;

  constructor(
    readonly listener: string,
    private readonly logger: ClientLogger,
  ) {}

  countOverCapacity(maxConnections: number): void {
    if (this.overCapacity++ % LOG_EVERY === 0) this.logger.warn({ listener: this.listener, maxConnections, overCapacity: this.overCapacity }, 'listener full: closed a new connection');
  }

  countHeaderTimeout(): void {
    if (this.headerTimeouts++ % LOG_EVERY === 0) this.logger.warn({ listener: this.listener, headerTimeouts: this.headerTimeouts }, 'closed a connection whose request did not arrive in time');
  }

  countIdleTimeout(): void {
    this.idleTimeouts++;
  }

  countRefusedHeaderOperations(count: number): void {
    if (count === 0) return;
    const before = this.refusedHeaderOperations;
    this.refusedHeaderOperations += count;
    if (Math.floor(before / LOG_EVERY) !== Math.floor(this.refusedHeaderOperations / LOG_EVERY) || before === 0) {
      this.logger.warn({ listener: this.listener, refusedHeaderOperations: this.refusedHeaderOperations }, 'skipped route directive header operations outside the HTTP grammar');
    }
  }
}

/**
 * Caps a listening server's open connections: node closes a connection accepted beyond
 * `maxConnections` at once ('drop'), before any byte is read, and it is counted.
 */
export function capConnections(server: Server, maxConnections: number, stats: ListenerStats): void {
  server.maxConnections = maxConnections;
  server.on('drop', () => stats.countOverCapacity(maxConnections));
}

/** How many connections a listening server has open. */
export function openConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error === null ? resolve(count) : reject(error))));
}
