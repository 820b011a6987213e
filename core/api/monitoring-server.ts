import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { httpServerOptions } from '../net/http-server-limits.js';
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../net/listener-limits.js';
import type { ConfigStatusSource } from './config-status.js';
import { debugConfigJson } from './debug-config.js';
import { addProbeRoutes } from './probe-routes.js';

export interface MonitoringServerDependencies {
  /** Mixer's own metrics. */
  readonly registry: Registry;
  /** Every live handler's own registry, merged into /metrics. */
  readonly handlerRegistries: () => readonly Registry[];
  readonly status: ConfigStatusSource;
  readonly logger: Logger;
  readonly limits?: ListenerLimits;
}

/**
 * The monitoring port: what only operators should see, so it has its own interface
 * (`--monitoring-host`, loopback by default) whatever the APIs listen on. `/metrics` in
 * Prometheus text format (Mixer's own registry plus every live handler's registry, merged),
 * `/debug/config` (the config serving requests, its errors, the last rejected change), and the
 * `/healthz` and `/readyz` probes.
 */
export function createMonitoringServer(dependencies: MonitoringServerDependencies): FastifyInstance {
  const { registry, handlerRegistries, logger } = dependencies;
  const limits = dependencies.limits ?? DEFAULT_LISTENER_LIMITS;
  const app = Fastify({ logger: false, keepAliveTimeout: limits.idleTimeoutMs, requestTimeout: limits.requestTimeoutMs, http: httpServerOptions(limits) });
  app.server.maxConnections = limits.maxConnections;
  app.setErrorHandler((error, request, reply) => {
    logger.error({ err: error, url: request.url }, 'monitoring request failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  app.get('/metrics', async (_request, reply) => {
    const registries = handlerRegistries();
    let text: string;
    if (registries.length === 0) {
      text = await registry.metrics();
    } else {
      const merged = AggregatorRegistry.aggregate(await Promise.all([registry, ...registries].map((each) => each.getMetricsAsJSON())));
      text = await merged.metrics();
    }
    return reply.header('content-type', registry.contentType).send(text);
  });
  app.get('/debug/config', () => debugConfigJson(dependencies.status.configStatus()));
  addProbeRoutes(app, dependencies.status);
  return app;
}
