import type { FastifyInstance } from 'fastify';
import type { ConfigStatusSource } from './config-status.js';

/**
 * `/healthz` (liveness) and `/readyz` (200 once a valid config is active, else 503). Both the
 * HTTP/JSON API and the monitoring port serve them: probes from outside the host (a kubelet)
 * reach the API's interface, local tools the monitoring port's loopback one.
 */
export function addProbeRoutes(app: FastifyInstance, status: ConfigStatusSource): void {
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', (_request, reply) => {
    const active = status.configStatus().active;
    if (active === undefined) return reply.code(503).send({ status: 'no config loaded yet' });
    return reply.send({ status: 'ready', snapshot: active.id });
  });
}
