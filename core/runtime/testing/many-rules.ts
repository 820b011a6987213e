import { configResource, type ConfigResource } from '../../config/config-resource.js';

// A generated config of many rules, in the shapes large meshes generate (one policy per service,
// per tenant header, per app label, per port), for tests and benches of big configs.

/** How many listchecker handlers the rules spread over. */
const HANDLERS = 100;

/** The i-th rule's match: the shapes cycle every 10 rules. */
export function manyRulesMatch(index: number): string {
  switch (index % 10) {
    case 6:
    case 7:
      return `(request.headers["x-tenant"] | "") == "tenant-${index}"`;
    case 8:
      return `destination.labels["app"] == "app-${index}" || destination.labels["app"] == "app-${index}-canary"`;
    case 9:
      return `destination.port == ${index} && context.protocol == "tcp"`;
    default:
      return `destination.service.host == "svc-${index}.default.svc.cluster.local" && source.labels["version"] == "v1"`;
  }
}

/**
 * `count` rules in `istio-system` (they apply to every request), each with its own listentry
 * instance (all with the same params) sent to one of 100 listcheckers that allow `productpage`,
 * plus two rules every config has: one denies `/admin` paths, one copies `x-user` into a
 * request header.
 */
export function manyRuleResources(count: number): ConfigResource[] {
  const resources: ConfigResource[] = [
    configResource({ kind: 'handler', name: 'deny', spec: { compiledAdapter: 'denier', params: { status: { code: 7, message: 'denied' } } } }),
    configResource({ kind: 'instance', name: 'nothing', spec: { compiledTemplate: 'checknothing' } }),
    configResource({ kind: 'rule', name: 'adminpaths', spec: { match: 'request.path.startsWith("/admin")', actions: [{ handler: 'deny', instances: ['nothing'] }] } }),
    configResource({
      kind: 'rule',
      name: 'users',
      spec: { match: '(request.headers["x-user"] | "") != ""', requestHeaderOperations: [{ name: 'x-user-verified', values: ['request.headers["x-user"]'] }] },
    }),
  ];
  for (let handler = 0; handler < Math.min(HANDLERS, count); handler++) {
    resources.push(
      configResource({ kind: 'handler', name: `callers${handler}`, spec: { compiledAdapter: 'listchecker', params: { overrides: ['productpage', 'reviews'], entryType: 'STRINGS' } } }),
    );
  }
  for (let index = 0; index < count; index++) {
    resources.push(configResource({ kind: 'instance', name: `caller${index}`, spec: { compiledTemplate: 'listentry', params: { value: 'source.labels["app"] | "unknown"' } } }));
    resources.push(
      configResource({
        kind: 'rule',
        name: `policy${index}`,
        spec: { match: manyRulesMatch(index), actions: [{ handler: `callers${index % HANDLERS}`, instances: [`caller${index}`] }] },
      }),
    );
  }
  return resources;
}

/** A request from productpage to `svc-<service>` of tenant 6: `policy<service>` and `policy6` match it. */
export function manyRulesRequest(service = 5): Readonly<Record<string, unknown>> {
  return {
    'source.namespace': 'default',
    'source.labels': { app: 'productpage', version: 'v1' },
    'destination.service.host': `svc-${service}.default.svc.cluster.local`,
    'destination.namespace': 'default',
    'destination.labels': { app: `app-${service}`, version: 'v1' },
    'destination.port': 9080,
    'request.path': '/details/0',
    'request.headers': { ':method': 'GET', 'x-user': 'jason', 'x-tenant': 'tenant-6' },
    'context.protocol': 'http',
    'context.reporter.kind': 'inbound',
  };
}
