import type { Server } from 'node:net';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Connections per listener (labelled `listener`: grpc, http, monitoring, ...): how many are
 * open, and how many were closed on arrival because the listener was at its cap
 * (`maxConnections`; node reports each as 'drop').
 */
export class ListenerMetrics {
  private readonly servers = new Map<string, Server>();
  private readonly refused: Counter<'listener'>;

  constructor(registry: Registry) {
    const servers = this.servers;
    this.refused = new Counter({
      name: 'mixer_listener_connections_refused_total',
      help: 'Connections closed as they arrived because the listener already had its maximum open (--max-connections).',
      labelNames: ['listener'],
      registers: [registry],
    });
    new Gauge({
      name: 'mixer_listener_connections',
      help: 'Connections open on each listener.',
      labelNames: ['listener'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [listener, server] of servers) this.set({ listener }, await openConnections(server));
      },
    });
  }

  /** Counts `server`'s refused connections and reports its open ones under `listener`. */
  watch(listener: string, server: Server): void {
    this.servers.set(listener, server);
    this.refused.inc({ listener }, 0);
    server.on('drop', () => this.refused.inc({ listener }));
  }
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error === null ? count : 0)));
}
