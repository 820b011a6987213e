import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AttributeManifest } from '../attribute/manifest.js';
import { httpServerOptions } from '../net/http-server-limits.js';
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../net/listener-limits.js';
import { DispatchError, type Dispatcher } from '../runtime/dispatcher.js';
import { ExplainTrace } from '../runtime/explain-trace.js';
import { BadRequestError } from './bad-request-error.js';
import { checkResponseJson } from './check-response.js';
import { writeCheckResponse } from './check-response-writer.js';
import { parseCheckRequest, parseReportRequest } from './check-request.js';
import { NOT_READY, type ConfigStatusSource } from './config-status.js';
import type { MixerMetrics } from './mixer-metrics.js';
import { addProbeRoutes } from './probe-routes.js';
import { CHECK_RESPONSE_SCHEMA, ERROR_RESPONSE_SCHEMA } from './response-schemas.js';

export interface HttpApiDependencies {
  readonly dispatcher: Dispatcher;
  /** The attribute manifest of the active config (requests are typed by it). */
  readonly manifest: () => AttributeManifest;
  readonly status: ConfigStatusSource;
  readonly metrics: MixerMetrics;
  readonly logger: Logger;
  /** False until a valid config is active: Check and Report answer 503 meanwhile. */
  readonly ready: () => boolean;
  /** Connection cap, idle, header and request timeouts. */
  readonly limits?: ListenerLimits;
}

/** No valid config is active: the caller's fail-open/fail-close policy decides. */
export class NotReadyError extends Error {}

/**
 * The HTTP/JSON API (fastify): `POST /v1/check`, `POST /v1/report`, `/healthz`, `/readyz`
 * (`/debug/config` is on the monitoring port, which stays on loopback). This is the one place
 * where Mixer's errors become HTTP statuses: a bad request is 400 with a message, a check that
 * could not be dispatched is 500 with its reason, anything unexpected is a logged 500 with a
 * generic body (no stack traces leave the server).
 */
/** The check response is already JSON text. */
const passText = (text: unknown): string => text as string;

export function createHttpApi(dependencies: HttpApiDependencies): FastifyInstance {
  const { dispatcher, metrics, logger } = dependencies;
  const limits = dependencies.limits ?? DEFAULT_LISTENER_LIMITS;
  // Prototype-poisoning scans are off: request JSON only ever becomes own properties read with
  // Object.hasOwn / for-in over own keys, or Map keys; it is never merged into other objects.
  const app = Fastify({
    logger: false,
    bodyLimit: 4 * 1024 * 1024,
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // fastify sets these two on its server itself, over what `http` says.
    keepAliveTimeout: limits.idleTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: httpServerOptions(limits),
  });
  app.server.maxConnections = limits.maxConnections;

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof BadRequestError) return reply.code(400).send({ error: error.message });
    if (error instanceof DispatchError) return reply.code(500).send({ error: error.message });
    if (error instanceof NotReadyError) return reply.code(503).send({ error: error.message });
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: error.message });
    }
    logger.error({ err: error }, 'unexpected error serving a request');
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url}` }));

  app.post<{ Querystring: { explain?: string } }>(
    '/v1/check',
    { schema: { response: { 200: CHECK_RESPONSE_SCHEMA, '4xx': ERROR_RESPONSE_SCHEMA, '5xx': ERROR_RESPONSE_SCHEMA } } },
    async (request, reply) => {
      const started = performance.now();
      if (!dependencies.ready()) throw new NotReadyError(NOT_READY);
      const parsed = parseCheckRequest(request.body, dependencies.manifest());
      const explain = request.query.explain === 'true' || request.query.explain === '1';
      const trace = explain ? new ExplainTrace() : undefined;
      const outcome = await dispatcher.check(parsed.bag, parsed.quotas, parsed.deduplicationId, trace);
      metrics.checkDone(outcome.status.code, (performance.now() - started) / 1000);
      if (trace === undefined) return reply.type('application/json').serializer(passText).send(writeCheckResponse(outcome));
      return { ...checkResponseJson(outcome), explanation: trace.toJSON() };
    },
  );

  app.post('/v1/report', { schema: { response: { '4xx': ERROR_RESPONSE_SCHEMA, '5xx': ERROR_RESPONSE_SCHEMA } } }, async (request) => {
    const started = performance.now();
    if (!dependencies.ready()) throw new NotReadyError(NOT_READY);
    const bags = parseReportRequest(request.body, dependencies.manifest());
    const outcome = await dispatcher.report(bags);
    metrics.reportDone(outcome.errors.length === 0, outcome.instances, (performance.now() - started) / 1000);
    return {};
  });

  addProbeRoutes(app, dependencies.status);

  return app;
}
