import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import { allOf, type Predicate } from './conditions.js';
import type { ServiceRoleBindingSpec, ServiceRoleSpec } from './params.js';
import type { RequestFacts } from './request-facts.js';
import { constraintReader, propertyReader, roleValueMatcher } from './role-reader.js';
import type { EvaluationStats } from './rule-index.js';
import { StringPatterns } from './string-patterns.js';

// Istio's older RBAC model (rbac.istio.io/v1alpha1 ServiceRole + ServiceRoleBinding) as Mixer's
// rbac adapter (≤1.1) evaluated it: a request is allowed when, in the action's namespace, a role
// has a rule matching the service, path, method and constraints, and a binding of that role has
// a subject matching the caller. Anything else is `RBAC: permission denied.`

interface CompiledRole {
  readonly id: string;
  readonly subjects: Predicate[];
}

interface RoleRule {
  readonly role: CompiledRole;
  readonly matches: Predicate;
}

/** One namespace's role rules: those naming exact services filed by service, the rest scanned. */
interface NamespaceRoles {
  readonly byService: Map<string, RoleRule[]>;
  readonly scanned: RoleRule[];
}

export class ServiceRoleEngine {
  private constructor(private readonly namespaces: ReadonlyMap<string, NamespaceRoles>) {}

  /** Compiles roles and bindings, with Istio's ServiceRole / ServiceRoleBinding validation. */
  static compile(
    roles: readonly ServiceRoleSpec[],
    bindings: readonly ServiceRoleBindingSpec[],
  ): { engine: ServiceRoleEngine; problems: ConfigProblem[] } {
    const problems: ConfigProblem[] = [];
    const namespaces = new Map<string, NamespaceRoles>();
    const byId = new Map<string, CompiledRole>();
    roles.forEach((spec, index) => {
      const field = `params.roles[${index}]`;
      const id = `${spec.namespace}/${spec.name}`;
      if (byId.has(id)) {
        problems.push(problem(`${field}.name`, `duplicate ServiceRole: ${id}`));
        return;
      }
      const role: CompiledRole = { id, subjects: [] };
      byId.set(id, role);
      let scope = namespaces.get(spec.namespace);
      if (scope === undefined) namespaces.set(spec.namespace, (scope = { byService: new Map(), scanned: [] }));
      const rules = spec.rules ?? [];
      if (rules.length === 0) problems.push(problem(`${field}.rules`, 'at least 1 rule must be specified'));
      rules.forEach((rule, ruleIndex) => {
        const ruleField = `${field}.rules[${ruleIndex}]`;
        const services = rule.services ?? [];
        if (services.length === 0) problems.push(problem(`${ruleField}.services`, `at least 1 service must be specified for rule ${ruleIndex}`));
        const servicePatterns = StringPatterns.compile(services, { emptyIsValue: true });
        const predicates: Predicate[] = [(facts) => servicePatterns.matches(facts.service)];
        if ((rule.paths ?? []).length > 0) {
          const paths = StringPatterns.compile(rule.paths ?? [], { emptyIsValue: true });
          predicates.push((facts) => paths.matches(facts.rawPath));
        }
        if ((rule.methods ?? []).length > 0) {
          const methods = StringPatterns.compile(rule.methods ?? [], { emptyIsValue: true });
          predicates.push((facts) => methods.matches(facts.method));
        }
        (rule.constraints ?? []).forEach((constraint, constraintIndex) => {
          const constraintField = `${ruleField}.constraints[${constraintIndex}]`;
          if (constraint.key === '') problems.push(problem(`${constraintField}.key`, `key cannot be empty for constraint ${constraintIndex} in rule ${ruleIndex}`));
          if ((constraint.values ?? []).length === 0) {
            problems.push(problem(`${constraintField}.values`, `at least 1 value must be specified for constraint ${constraintIndex} in rule ${ruleIndex}`));
          }
          const read = constraintReader(constraint.key);
          const matches = roleValueMatcher(constraint.values ?? [], true);
          predicates.push((facts) => matches(read(facts)));
        });
        const roleRule: RoleRule = { role, matches: allOf(predicates) };
        if (services.length > 0 && servicePatterns.exactOnly) {
          for (const service of servicePatterns.exact) {
            const list = scope.byService.get(service);
            if (list === undefined) scope.byService.set(service, [roleRule]);
            else list.push(roleRule);
          }
        } else {
          scope.scanned.push(roleRule);
        }
      });
    });
    const bindingIds = new Set<string>();
    bindings.forEach((spec, index) => {
      const field = `params.bindings[${index}]`;
      const id = `${spec.namespace}/${spec.name}`;
      if (bindingIds.has(id)) problems.push(problem(`${field}.name`, `duplicate RoleBinding: ${id}`));
      bindingIds.add(id);
      const subjects = compileSubjects(spec, field, problems);
      const ref = spec.roleRef;
      if (ref === undefined) {
        problems.push(problem(`${field}.roleRef`, 'roleRef must be specified'));
        return;
      }
      if (ref.kind !== 'ServiceRole') {
        problems.push(problem(`${field}.roleRef.kind`, `roleBinding ${id} has role kind ${ref.kind}, expected ServiceRole`));
        return;
      }
      if (ref.name === '') {
        problems.push(problem(`${field}.roleRef.name`, 'name cannot be empty'));
        return;
      }
      const role = byId.get(`${spec.namespace}/${ref.name}`);
      if (role === undefined) {
        problems.push(problem(`${field}.roleRef.name`, `roleBinding ${id} is bound to a role that does not exist ${spec.namespace}/${ref.name}`));
        return;
      }
      role.subjects.push(...subjects);
    });
    return { engine: new ServiceRoleEngine(namespaces), problems };
  }

  /** Whether a role in the action's namespace grants the request to the caller. */
  allows(facts: RequestFacts, stats: EvaluationStats): boolean {
    const namespace = facts.workloadNamespace;
    const service = facts.service;
    // Mixer required all four: "Missing namespace" (service, path, method) denied the request.
    if (namespace === undefined || service === undefined || facts.rawPath === undefined || facts.method === undefined) return false;
    const scope = this.namespaces.get(namespace);
    if (scope === undefined) return false;
    let checked: Set<CompiledRole> | undefined;
    const grants = (rules: readonly RoleRule[] | undefined): boolean => {
      for (const rule of rules ?? []) {
        if (checked?.has(rule.role) === true) continue;
        stats.rulesEvaluated++;
        if (!rule.matches(facts)) continue;
        (checked ??= new Set()).add(rule.role);
        for (const subject of rule.role.subjects) if (subject(facts)) return true;
      }
      return false;
    };
    return grants(scope.scanned) || grants(scope.byService.get(service));
  }
}

/**
 * A binding's subjects: each must set a user, a group or properties, and matches when all it
 * sets match (user exact or `*`, against subject.user with or without `spiffe://`; group exact
 * or `*`, against any of the comma-separated subject.groups; properties exact).
 */
function compileSubjects(spec: ServiceRoleBindingSpec, field: string, problems: ConfigProblem[]): Predicate[] {
  const subjects = spec.subjects ?? [];
  if (subjects.length === 0) problems.push(problem(`${field}.subjects`, 'at least 1 subject must be specified'));
  return subjects.flatMap((subject, index) => {
    const predicates: Predicate[] = [];
    const user = subject.user ?? '';
    const group = subject.group ?? '';
    const properties = Object.entries(subject.properties ?? {});
    if (user === '' && group === '' && properties.length === 0) {
      problems.push(problem(`${field}.subjects[${index}]`, `empty subjects are not allowed. Found an empty subject at index ${index}`));
      return [];
    }
    if (user !== '' && user !== '*') predicates.push((facts) => facts.user === user || facts.principal === user);
    if (group !== '' && group !== '*') predicates.push((facts) => (facts.groups ?? '').split(',').some((entry) => entry.trim() === group));
    for (const [key, value] of properties) {
      const read = propertyReader(key);
      const matches = roleValueMatcher([value], false);
      predicates.push((facts) => matches(read(facts)));
    }
    return [allOf(predicates)];
  });
}
