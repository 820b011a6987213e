import type { ConfigProblem } from '../../adapters/sdk/config-problem.js';
import type { InstanceConfig, TemplateName } from '../../adapters/sdk/adapter-info.js';
import type { BuildContext } from './build-context.js';
import { deepFreezePlain } from './frozen-map.js';
import type { PendingHandler } from './handler-stage.js';
import { handlerSignature } from './handler-signature.js';
import type { PendingRule } from './rule-stage.js';
import type { HandlerEntry, InstanceEntry, RuleAction, RuleEntry } from './snapshot.js';
import type { Steps } from './time-slicer.js';

/**
 * The last step of a build (Istio's builder phase): each handler used by a valid action gets
 * the instances routed to it and its adapter's `validate` runs over the whole handler config.
 * A handler the adapter rejects is dropped, its problems reported, and so are the actions
 * that used it (and a rule left with nothing to do). Every kept handler gets its signature.
 */
export function* finalizeHandlers(
  pending: ReadonlyMap<string, PendingHandler>,
  rules: readonly PendingRule[],
  instances: ReadonlyMap<string, InstanceEntry>,
  context: BuildContext,
): Steps<{ handlers: Map<string, HandlerEntry>; rules: RuleEntry[] }> {
  const routed = new Map<string, Map<string, InstanceEntry>>();
  for (const rule of rules) {
    yield;
    for (const action of rule.actions) {
      const forHandler = routed.get(action.handler) ?? new Map<string, InstanceEntry>();
      for (const name of action.instances) {
        const instance = instances.get(name);
        if (instance !== undefined) forHandler.set(name, instance);
      }
      routed.set(action.handler, forHandler);
    }
  }

  const handlers = new Map<string, HandlerEntry>();
  const rejected = new Set<string>();
  for (const [name, handler] of pending) {
    yield;
    const used = routed.get(name);
    const configs: InstanceConfig[] = [...(used?.values() ?? [])].map((instance) =>
      Object.freeze({ name: instance.name, template: instance.template.name as TemplateName, types: instance.builder.types }),
    );
    const params = deepFreezePlain(handler.params);
    if (used !== undefined) {
      const problems = validate(handler, params, configs);
      if (problems.length > 0) {
        context.errors.reportProblems(handler.subject, problems.map((problem) => relocate(problem, handler.paramsField)), '', '');
        rejected.add(name);
        continue;
      }
    }
    handlers.set(
      name,
      Object.freeze({
        name,
        adapter: handler.adapter,
        params,
        instances: Object.freeze(configs),
        signature: handlerSignature(handler.adapter.name, params, configs),
        origin: handler.subject.origin,
      }),
    );
  }

  const entries: RuleEntry[] = [];
  for (const rule of rules) {
    yield;
    const actions: RuleAction[] = [];
    for (const action of rule.actions) {
      if (rejected.has(action.handler)) {
        context.errors.report(rule.subject, `spec.actions[${action.index}].handler`, `handler '${action.handler}' is not valid (its adapter rejected its config); the action is dropped`);
        continue;
      }
      actions.push(Object.freeze({ handler: action.handler, instances: action.instances, ...(action.name === undefined ? {} : { name: action.name }) }));
    }
    if (actions.length === 0 && rule.requestHeaderOperations.length === 0 && rule.responseHeaderOperations.length === 0) {
      context.errors.report(rule.subject, '', 'No valid actions found in rule');
      continue;
    }
    entries.push(
      Object.freeze({
        name: rule.subject.key,
        namespace: rule.subject.namespace,
        match: rule.match,
        matchText: rule.matchText,
        actions: Object.freeze(actions),
        requestHeaderOperations: rule.requestHeaderOperations,
        responseHeaderOperations: rule.responseHeaderOperations,
        origin: rule.subject.origin,
      }),
    );
  }
  return { handlers, rules: entries };
}

function validate(handler: PendingHandler, params: unknown, instances: readonly InstanceConfig[]): readonly ConfigProblem[] {
  if (handler.adapter.validate === undefined) return [];
  try {
    return handler.adapter.validate({ name: handler.subject.key, params, instances });
  } catch (error) {
    return [{ field: 'params', message: `adapter '${handler.adapter.name}' failed to validate the handler: ${error instanceof Error ? error.message : String(error)}` }];
  }
}

/** A validation problem's field (`params.quotas[0].name`) placed in the resource (`spec.params.quotas[0].name`, or `spec.quotas[0].name` for a legacy kind). */
function relocate(problem: ConfigProblem, paramsField: string): ConfigProblem {
  const field = problem.field;
  if (field === 'params') return { field: paramsField, message: problem.message };
  if (field.startsWith('params.') || field.startsWith('params[')) return { field: `${paramsField}${field.slice('params'.length)}`, message: problem.message };
  return problem;
}
