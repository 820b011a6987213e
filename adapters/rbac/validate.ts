import { ValueType, valueTypeName } from '../../core/attribute/value-type.js';
import type { InstanceTypes } from '../../templates/template.js';
import type { HandlerConfig, InstanceConfig } from '../sdk/adapter-info.js';
import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import type { RbacParams } from './params.js';
import { compilePolicies, type FactUse } from './policy-compiler.js';
import { CONVENTION, type ConventionFact, type ConventionProperty } from './request-facts.js';
import { ServiceRoleEngine } from './role-engine.js';

/**
 * Everything wrong with an rbac handler config: Istio's AuthorizationPolicy, ServiceRole and
 * ServiceRoleBinding validation, the params Istio's rbac had that this one does not, and routed
 * authorization instances that do not follow the convention (a property of the wrong type, or
 * a fact some policy tests that the instance does not carry).
 */
export function validateRbac(config: HandlerConfig<RbacParams>): ConfigProblem[] {
  const params = config.params;
  const problems: ConfigProblem[] = [];
  if (params.configStoreUrl !== undefined) {
    problems.push(problem('params.configStoreUrl', 'not supported: list ServiceRole and ServiceRoleBinding specs in params.roles and params.bindings'));
  }
  for (const name of ['validDuration', 'cacheDuration'] as const) {
    const duration = params[name];
    if (duration !== undefined && duration.nanos < 0n) problems.push(problem(`params.${name}`, `must be >= 0, it is ${duration.toString()}`));
  }
  const compiled = compilePolicies(params.policies, params.rootNamespace);
  problems.push(...compiled.problems);
  if (params.roles !== undefined || params.bindings !== undefined) {
    problems.push(...ServiceRoleEngine.compile(params.roles ?? [], params.bindings ?? []).problems);
  }
  for (const instance of config.instances) {
    if (instance.template === 'authorization') problems.push(...checkInstance(instance, compiled.needs));
  }
  return problems;
}

/** Checks an instance's inferred property types against the convention (request-facts.ts). */
function checkInstance(instance: InstanceConfig, needs: ReadonlyMap<ConventionFact, FactUse>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const subject = nested(instance.types, 'subject');
  const action = nested(instance.types, 'action');
  // Types come from Mixer's instance compiler; a bare InstanceConfig (tests) has none to check.
  if (subject === undefined || action === undefined) return problems;
  const properties = { subject: nested(subject, 'properties') ?? {}, action: nested(action, 'properties') ?? {} };
  for (const [fact, property] of Object.entries(CONVENTION) as [ConventionFact, ConventionProperty][]) {
    const found = property.keys.find((key) => properties[property.message][key] !== undefined);
    const where = `${property.message}.properties.${found ?? property.keys[0]!}`;
    if (found === undefined) {
      const use = needs.get(fact);
      if (use !== undefined) {
        problems.push(problem(use.field, `instance '${instance.name}' does not set ${where}, which policy ${use.policy} tests: set it, or the policy cannot see that fact`));
      }
      continue;
    }
    const type = properties[property.message][found];
    if (typeof type === 'number' && type !== ValueType.VALUE_TYPE_UNSPECIFIED && !property.types.includes(type)) {
      problems.push(
        problem('params', `instance '${instance.name}' sets ${where} to a ${valueTypeName(type)}; rbac reads it as ${property.types.map(valueTypeName).join(' or ')}`),
      );
    }
  }
  return problems;
}

function nested(types: InstanceTypes, key: string): InstanceTypes | undefined {
  const value = types[key];
  return typeof value === 'object' ? value : undefined;
}
