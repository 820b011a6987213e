import type { InstanceBuilder } from '../../templates/instance-builder.js';
import { TemplateVariety, type TemplateDefinition } from '../../templates/template.js';
import type { CompiledExpression } from '../expr/expression.js';
import type { HeaderOperationTemplate, RuleEntry, Snapshot } from '../config/snapshot.js';
import type { Steps } from '../config/time-slicer.js';
import type { BuiltHandler, HandlerTable } from './handler-table.js';
import { MatchIndex, type Matchable } from './match-index.js';

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

/** One rule's group at one destination: what a Check or Report walks. */
export interface Route extends Matchable {
  readonly destination: Destination;
  readonly group: InstanceGroup;
}

/** A rule's header operations, applied to a Check that ends OK when the rule matches. */
export interface HeaderRule extends Matchable {
  readonly ruleName: string;
  readonly requestOperations: readonly HeaderOperationTemplate[];
  readonly responseOperations: readonly HeaderOperationTemplate[];
}

/** A quota instance reachable under a quota name, with the group (condition) it belongs to. */
export interface QuotaRoute extends Matchable {
  readonly destination: Destination;
  readonly group: InstanceGroup;
  readonly builder: InstanceBuilder;
}

/** Everything that applies to requests of one namespace, indexed by the rules' conditions (see MatchIndex). */
export interface NamespaceRoutes {
  /** Check destinations' groups, destination by destination: the order answers are combined in. */
  readonly check: MatchIndex<Route>;
  readonly report: MatchIndex<Route>;
  readonly headerRules: MatchIndex<HeaderRule>;
  /** Whether any quota route applies. */
  readonly hasQuota: boolean;
  /** The routes of a quota by its lower-cased short (instance) name. */
  readonly quota: (name: string) => MatchIndex<QuotaRoute> | undefined;
}

type DestinationTable = Map<string, { destination: Destination; groups: InstanceGroup[] }>;

interface MutableRoutes {
  check: DestinationTable;
  report: DestinationTable;
  quota: DestinationTable;
  headerRules: HeaderRule[];
}

const EMPTY_ROUTES: NamespaceRoutes = Object.freeze({
  check: MatchIndex.empty<Route>(),
  report: MatchIndex.empty<Route>(),
  headerRules: MatchIndex.empty<HeaderRule>(),
  hasQuota: false,
  quota: () => undefined,
});

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

  /** Builds the table of `snapshot` over `handlers`, yielding after each rule and route (see TimeSlicer). */
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
    const defaultRoutes = namespaces.get(snapshot.defaultNamespace);
    const defaults = defaultRoutes === undefined ? EMPTY_ROUTES : yield* indexRoutes(defaultRoutes, undefined);
    const byNamespace = new Map<string, NamespaceRoutes>();
    for (const [namespace, routes] of namespaces) {
      if (namespace === snapshot.defaultNamespace) continue;
      byNamespace.set(namespace, yield* indexRoutes(routes, defaults));
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

/** A namespace's routes, indexed, after the default namespace's (`defaults`) when it has its own. */
function* indexRoutes(routes: MutableRoutes, defaults: NamespaceRoutes | undefined): Steps<NamespaceRoutes> {
  const check = yield* MatchIndex.build(destinationRoutes(routes.check));
  const report = yield* MatchIndex.build(destinationRoutes(routes.report));
  const headerRules = yield* MatchIndex.build(routes.headerRules);
  const quotas = new Map<string, MatchIndex<QuotaRoute>>();
  for (const [name, list] of quotaRoutes(routes.quota)) {
    const own = yield* MatchIndex.build(list);
    const inherited = defaults?.quota(name);
    quotas.set(name, inherited === undefined ? own : inherited.concat(own));
  }
  const fallback = defaults ?? EMPTY_ROUTES;
  return Object.freeze({
    check: fallback.check.concat(check),
    report: fallback.report.concat(report),
    headerRules: fallback.headerRules.concat(headerRules),
    hasQuota: quotas.size > 0 || fallback.hasQuota,
    quota: quotas.size === 0 ? fallback.quota : (name: string) => quotas.get(name) ?? fallback.quota(name),
  });
}

/** Each destination's groups, destination by destination. */
function destinationRoutes(table: DestinationTable): Route[] {
  const routes: Route[] = [];
  for (const entry of table.values()) {
    const destination = freezeDestination(entry);
    for (const group of destination.groups) routes.push(Object.freeze({ destination, group, condition: group.condition }));
  }
  return routes;
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

function tableFor(variety: TemplateVariety, routes: MutableRoutes): DestinationTable | undefined {
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
function quotaRoutes(table: DestinationTable): Map<string, QuotaRoute[]> {
  const index = new Map<string, QuotaRoute[]>();
  for (const entry of table.values()) {
    const destination = freezeDestination(entry);
    for (const group of destination.groups) {
      for (const builder of group.builders) {
        const shortName = builder.instanceName.split('.')[0]!.toLowerCase();
        const list = index.get(shortName) ?? [];
        list.push(Object.freeze({ destination, group, builder, condition: group.condition }));
        index.set(shortName, list);
      }
    }
  }
  return index;
}
