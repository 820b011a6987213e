// The bench's config: 20 rules of the shapes real meshes use, over one request that matches a
// few of them (no check cache anywhere).

function doc(kind: string, name: string, spec: string): string {
  return `apiVersion: config.istio.io/v1alpha2\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: istio-system\nspec:\n${spec
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\n---\n`;
}

export function twentyRuleConfig(): string {
  const parts: string[] = [
    doc('handler', 'deny', 'compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: denied'),
    doc('instance', 'nothing', 'compiledTemplate: checknothing'),
    doc('handler', 'callers', 'compiledAdapter: listchecker\nparams:\n  overrides: ["productpage", "reviews", "ratings"]\n  entryType: STRINGS'),
    doc('instance', 'callerapp', 'compiledTemplate: listentry\nparams:\n  value: source.labels["app"] | "unknown"'),
    doc('handler', 'paths', 'compiledAdapter: listchecker\nparams:\n  overrides: ["^/admin/", "\\\\.php$"]\n  entryType: REGEX\n  blacklist: true'),
    doc('instance', 'requestpath', 'compiledTemplate: listentry\nparams:\n  value: request.path | "/"'),
  ];
  // 16 deny rules for other services: their matches are evaluated and fail.
  for (let index = 0; index < 16; index++) {
    parts.push(
      doc(
        'rule',
        `deny${index}`,
        `match: destination.service.host == "service-${index}.default.svc.cluster.local" && source.labels["version"] == "v${index % 3}"\nactions:\n- handler: deny\n  instances: [ nothing ]`,
      ),
    );
  }
  // 3 rules that apply to the bench request.
  parts.push(doc('rule', 'whitelist', 'match: destination.labels["app"] == "details"\nactions:\n- handler: callers\n  instances: [ callerapp ]'));
  parts.push(doc('rule', 'blockedpaths', 'match: request.path.startsWith("/")\nactions:\n- handler: paths\n  instances: [ requestpath ]'));
  parts.push(
    doc(
      'rule',
      'headers',
      'match: (request.headers["x-user"] | "") != ""\nrequestHeaderOperations:\n- name: x-user-verified\n  values: [ \'request.headers["x-user"]\' ]',
    ),
  );
  // And one more that is skipped by its match.
  parts.push(doc('rule', 'denyblocked', 'match: (request.headers["x-blocked"] | "no") == "yes"\nactions:\n- handler: deny\n  instances: [ nothing ]'));
  return parts.join('');
}

/** The attributes a sidecar sends with a Check: about fifteen of them. */
export const BENCH_REQUEST = {
  attributes: {
    'source.uid': 'kubernetes://productpage-v1-6b746f74dc-9stvs.default',
    'source.namespace': 'default',
    'source.labels': { app: 'productpage', version: 'v1' },
    'source.principal': 'cluster.local/ns/default/sa/bookinfo-productpage',
    'destination.service.host': 'details.default.svc.cluster.local',
    'destination.namespace': 'default',
    'destination.labels': { app: 'details', version: 'v1' },
    'request.path': '/details/0',
    'request.method': 'GET',
    'request.host': 'details:9080',
    'request.scheme': 'http',
    'request.headers': { ':authority': 'details:9080', ':path': '/details/0', ':method': 'GET', 'user-agent': 'curl/8.5', 'x-user': 'jason', 'x-request-id': 'b1c7f5e6-1234' },
    'request.time': '2026-11-25T10:00:00Z',
    'context.protocol': 'http',
    'context.reporter.kind': 'inbound',
    'connection.mtls': true,
  },
} as const;
