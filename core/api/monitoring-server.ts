import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * The monitoring port: `/metrics` in Prometheus text format (Mixer's own registry plus every
 * live handler's registry, merged), `/healthz`.
 */
export function createMonitoringServer(registry: Registry, handlerRegistries: () => readonly Registry[], logger: Logger): FastifyInstance {
  const app = Fastify({ logger: false });
  app.setErrorHandler((error, _request, reply) => {
    logger.error({ err: error }, 'metrics scrape failed');
    return reply.code(500).send({ error: 'metrics unavailable' });
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
  app.get('/healthz', () => ({ status: 'ok' }));
  return app;
}
