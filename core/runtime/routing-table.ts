import type { InstanceBuilder } from '../../templates/instance-builder.js';
import { TemplateVariety, type TemplateDefinition } from '../../templates/template.js';
import type { CompiledExpression } from '../expr/expression.js';
import type { HeaderOperationTemplate, RuleEntry, Snapshot } from '../config/snapshot.js';
import type { Steps } from '../config/time-slicer.js';
import type { BuiltHandler, HandlerTable } from './handler-table.js';

/** The instances one rule sends to one destination, behind the rule's compiled match. */
export interface InstanceGroup {
  readonly ruleName: string;
  /** Undefined when the rule has no match: it always applies. */
  readonly condition: CompiledExpression | undefined;
  readonly conditionText: string;
  readonly builders: readonly InstanceBuilder[];
}

/** One handler × template pair and the rule groups routed to it. */
export interface Destination {
  readonly handlerName: string;
  readonly adapterName: string;
  readonly template: TemplateDefinition;
  /** The handler's method for this template, bound to the handler. */
  readonly invoke: (...args: unknown[]) => unknown;
  readonly groups: readonly InstanceGroup[];
}

/** A rule's header operations, applied to a Check that ends OK when the rule matches. */
export interface HeaderRule {
  readonly ruleName: string;
  readonly condition: CompiledExpression | undefined;
  readonly requestOperations: readonly HeaderOperationTemplate[];
  readonly responseOperations: readonly HeaderOperationTemplate[];
}

/** A quota instance reachable under a quota name, with the group (condition) it belongs to. */
export interface QuotaRoute {
  readonly destination: Destination;
  readonly group: InstanceGroup;
  readonly builder: InstanceBuilder;
}

/** Everything that applies to requests of one namespace. */
export interface NamespaceRoutes {
  readonly check: readonly Destination[];
  readonly report: readonly Destination[];
  /** Quota routes by lower-cased quota (instance short) name. */
  readonly quota: ReadonlyMap<string, readonly QuotaRoute[]>;
  readonly headerRules: readonly HeaderRule[];
}

interface MutableRoutes {
  check: Map<string, { destination: Destination; groups: InstanceGroup[] }>;
  report: Map<string, { destination: Destination; groups: InstanceGroup[] }>;
  quota: Map<string, { destination: Destination; groups: InstanceGroup[] }>;
  headerRules: HeaderRule[];
}

const EMPTY_ROUTES: NamespaceRoutes = Object.freeze({ check: [], report: [], quota: new Map(), headerRules: [] });

/**
 * Routes by variety and namespace, built once per snapshot (Istio's routing table): rules of
 * the default config namespace apply to every request and come first; a namespace's own rules
 * apply only to requests of that namespace. The request path only looks routes up.
 */
export class RoutingTable {
  private constructor(
    readonly snapshotId: number,
    private readonly defaultNamespace: string,
    private readonly defaults: NamespaceRoutes,
    private readonly byNamespace: ReadonlyMap<string, NamespaceRoutes>,
  ) {}

  static empty(defaultNamespace = 'istio-system'): RoutingTable {
    return new RoutingTable(0, defaultNamespace, EMPTY_ROUTES, new Map());
  }

  /** Builds the table of `snapshot` over `handlers`, yielding after each rule (see TimeSlicer). */
  static *build(snapshot: Snapshot, handlers: HandlerTable): Steps<RoutingTable> {
    const namespaces = new Map<string, MutableRoutes>();
    const routesOf = (namespace: string): MutableRoutes => {
      let routes = namespaces.get(namespace);
      if (routes === undefined) {
        routes = { check: new Map(), report: new Map(), quota: new Map(), headerRules: [] };
        namespaces.set(namespace, routes);
      }
      return routes;
    };
    for (const rule of snapshot.rules) {
      yield;
      const routes = routesOf(rule.namespace);
      addRule(rule, routes, snapshot, handlers);
    }
    const finish = (routes: MutableRoutes | undefined): NamespaceRoutes => {
      if (routes === undefined) return EMPTY_ROUTES;
      return {
        check: [...routes.check.values()].map(freezeDestination),
        report: [...routes.report.values()].map(freezeDestination),
        quota: quotaIndex([...routes.quota.values()].map(freezeDestination)),
        headerRules: routes.headerRules,
      };
    };
    const defaults = finish(namespaces.get(snapshot.defaultNamespace));
    const byNamespace = new Map<string, NamespaceRoutes>();
    for (const [namespace, routes] of namespaces) {
      if (namespace === snapshot.defaultNamespace) continue;
      const own = finish(routes);
      byNamespace.set(namespace, {
        check: [...defaults.check, ...own.check],
        report: [...defaults.report, ...own.report],
        quota: mergeQuota(defaults.quota, own.quota),
        headerRules: [...defaults.headerRules, ...own.headerRules],
      });
    }
    return new RoutingTable(snapshot.id, snapshot.defaultNamespace, defaults, byNamespace);
  }

  /** The routes for a request whose namespace is `namespace` (see requestNamespace). */
  routesFor(namespace: string): NamespaceRoutes {
    if (namespace === this.defaultNamespace) return this.defaults;
    return this.byNamespace.get(namespace) ?? this.defaults;
  }

  /** Every namespace with rules of its own. */
  namespaces(): string[] {
    return [this.defaultNamespace, ...this.byNamespace.keys()];
  }
}

function addRule(rule: RuleEntry, routes: MutableRoutes, snapshot: Snapshot, handlers: HandlerTable): void {
  if (rule.requestHeaderOperations.length > 0 || rule.responseHeaderOperations.length > 0) {
    routes.headerRules.push({
      ruleName: rule.name,
      condition: rule.match,
      requestOperations: rule.requestHeaderOperations,
      responseOperations: rule.responseHeaderOperations,
    });
  }
  for (const action of rule.actions) {
    const built = handlers.get(action.handler);
    if (built === undefined) continue; // The handler failed to build: logged when it failed.
    const byTemplate = new Map<string, InstanceBuilder[]>();
    for (const instanceName of action.instances) {
      const instance = snapshot.instances.get(instanceName);
      if (instance === undefined) continue;
      const list = byTemplate.get(instance.template.name) ?? [];
      list.push(instance.builder);
      byTemplate.set(instance.template.name, list);
    }
    for (const builders of byTemplate.values()) {
      const template = builders[0]!.template;
      const table = tableFor(template.variety, routes);
      if (table === undefined) continue;
      const key = `${built.name}\u0000${template.name}`;
      let entry = table.get(key);
      if (entry === undefined) {
        entry = { destination: makeDestination(built, template), groups: [] };
        table.set(key, entry);
      }
      entry.groups.push({ ruleName: rule.name, condition: rule.match, conditionText: rule.matchText, builders });
    }
  }
}

function tableFor(variety: TemplateVariety, routes: MutableRoutes): MutableRoutes['check'] | undefined {
  switch (variety) {
    case TemplateVariety.CHECK:
      return routes.check;
    case TemplateVariety.REPORT:
      return routes.report;
    case TemplateVariety.QUOTA:
      return routes.quota;
    default:
      return undefined;
  }
}

function makeDestination(built: BuiltHandler, template: TemplateDefinition): Destination {
  const method = (built.handler as unknown as Record<string, unknown>)[template.handlerMethod];
  if (typeof method !== 'function') {
    throw new TypeError(`handler '${built.name}' (adapter '${built.adapterName}') has no ${template.handlerMethod}() for template '${template.name}'`);
  }
  return {
    handlerName: built.name,
    adapterName: built.adapterName,
    template,
    invoke: (method as (...args: unknown[]) => unknown).bind(built.handler),
    groups: [],
  };
}

function freezeDestination(entry: { destination: Destination; groups: InstanceGroup[] }): Destination {
  return Object.freeze({ ...entry.destination, groups: Object.freeze([...entry.groups]) });
}

/** Quota instances by the short name (before the first dot) of their FQN, lower-cased. */
function quotaIndex(destinations: readonly Destination[]): ReadonlyMap<string, readonly QuotaRoute[]> {
  const index = new Map<string, QuotaRoute[]>();
  for (const destination of destinations) {
    for (const group of destination.groups) {
      for (const builder of group.builders) {
        const shortName = builder.instanceName.split('.')[0]!.toLowerCase();
        const list = index.get(shortName) ?? [];
        list.push({ destination, group, builder });
        index.set(shortName, list);
      }
    }
  }
  return index;
}

function mergeQuota(
  first: ReadonlyMap<string, readonly QuotaRoute[]>,
  second: ReadonlyMap<string, readonly QuotaRoute[]>,
): ReadonlyMap<string, readonly QuotaRoute[]> {
  const merged = new Map<string, readonly QuotaRoute[]>(first);
  for (const [name, routes] of second) merged.set(name, [...(merged.get(name) ?? []), ...routes]);
  return merged;
}
