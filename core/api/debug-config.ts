import { formatConfigError } from '../config/config-error.js';
import type { ConfigStatus } from './config-status.js';

/**
 * `GET /debug/config` (monitoring port): the active snapshot (resources, handlers, instances,
 * rules, the errors it was built with, handlers that failed to build) and the last rejected
 * change with its errors.
 */
export function debugConfigJson(status: ConfigStatus): Record<string, unknown> {
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
      status.lastRejected === undefined ? null : { at: status.lastRejected.at.toISOString(), errors: status.lastRejected.errors.map(formatConfigError) },
  };
}
