import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AttributeManifest } from '../attribute/manifest.js';
import { formatConfigError } from '../config/config-error.js';
import { DispatchError, type Dispatcher } from '../runtime/dispatcher.js';
import { ExplainTrace } from '../runtime/explain-trace.js';
import { BadRequestError } from './bad-request-error.js';
import { checkResponseJson } from './check-response.js';
import { writeCheckResponse } from './check-response-writer.js';
import { parseCheckRequest, parseReportRequest } from './check-request.js';
import type { ConfigStatusSource } from './config-status.js';
import type { MixerMetrics } from './mixer-metrics.js';
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
}

/** No valid config is active: the caller's fail-open/fail-close policy decides. */
export class NotReadyError extends Error {}

/**
 * The HTTP/JSON API (fastify): `POST /v1/check`, `POST /v1/report`, `/healthz`, `/readyz`,
 * `/debug/config`. This is the one place where Mixer's errors become HTTP statuses: a bad
 * request is 400 with a message, a check that could not be dispatched is 500 with its reason,
 * anything unexpected is a logged 500 with a generic body (no stack traces leave the server).
 */
/** The check response is already JSON text. */
const passText = (text: unknown): string => text as string;

const NOT_READY = 'no valid config is loaded yet; see /debug/config for its errors';

export function createHttpApi(dependencies: HttpApiDependencies): FastifyInstance {
  const { dispatcher, metrics, logger } = dependencies;
  // Prototype-poisoning scans are off: request JSON only ever becomes own properties read with
  // Object.hasOwn / for-in over own keys, or Map keys; it is never merged into other objects.
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024, onProtoPoisoning: 'ignore', onConstructorPoisoning: 'ignore' });

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

  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/readyz', (_request, reply) => {
    const active = dependencies.status.configStatus().active;
    if (active === undefined) return reply.code(503).send({ status: 'no config loaded yet' });
    return reply.send({ status: 'ready', snapshot: active.id });
  });

  app.get('/debug/config', () => {
    const status = dependencies.status.configStatus();
    const active = status.active;
    return {
      active:
        active === undefined
          ? null
          : {
              id: active.id,
              createdAt: active.createdAt.toISOString(),
              defaultNamespace: active.defaultNamespace,
              resources: active.resourceCounts,
              handlers: [...active.handlers.values()].map((handler) => ({
                name: handler.name,
                adapter: handler.adapter.name,
                instances: handler.instances.map((instance) => instance.name),
              })),
              instances: [...active.instances.values()].map((instance) => ({ name: instance.name, template: instance.template.name })),
              rules: active.rules.map((rule) => ({
                name: rule.name,
                namespace: rule.namespace,
                match: rule.matchText,
                actions: rule.actions.map((action) => ({ handler: action.handler, instances: [...action.instances] })),
              })),
              errors: active.errors.map(formatConfigError),
              handlerFailures: status.handlerFailures.map((failure) => `${failure.name} (${failure.adapterName}): ${failure.message}`),
            },
      lastRejected:
        status.lastRejected === undefined
          ? null
          : { at: status.lastRejected.at.toISOString(), errors: status.lastRejected.errors.map(formatConfigError) },
    };
  });

  return app;
}
