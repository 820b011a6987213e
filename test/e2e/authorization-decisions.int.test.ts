import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { requestBagFromJson } from '../../core/attribute/convert.js';
import { AttributeManifest } from '../../core/attribute/manifest.js';
import { GrpcMixerTransport } from '../../core/grpc/grpc-mixer-transport.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import { resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// Authorization end to end: a real Mixer in-process, the `authorization` template built from
// request attributes by the instance below, the rbac adapter deciding from AuthorizationPolicies
// (and, for the `legacy` namespace, from ServiceRoles), asked over the HTTP API and over gRPC.

/**
 * The authorization instance: Istio's sample `requestcontext` (subject.user from the peer
 * identity, namespace / service / method / path from the request, app and version labels as
 * properties), plus the properties rbac's policies read (see adapters/rbac/README.md).
 */
const INSTANCE = resource(
  'instance',
  'requestcontext',
  `compiledTemplate: authorization
params:
  subject:
    user: source.principal | source.user | ""
    groups: request.auth.claims["groups"] | ""
    properties:
      app: source.labels["app"] | ""
      version: source.labels["version"] | ""
      namespace: source.namespace | ""
      ip: source.ip | ip("0.0.0.0")
      request_principal: request.auth.principal | ""
      claims: request.auth.claims | emptyStringMap()
      headers: request.headers | emptyStringMap()
  action:
    namespace: destination.namespace | ""
    service: destination.service.host | ""
    method: request.method | ""
    path: request.path | ""
    properties:
      app: destination.labels["app"] | ""
      version: destination.labels["version"] | ""
      labels: destination.labels | emptyStringMap()
      port: destination.port | 0
      host: request.host | ""`,
);

/** AuthorizationPolicies: a mesh-wide DENY, namespace DENYs, ALLOWs scoped by selectors. */
const POLICIES = resource(
  'handler',
  'rbac',
  `compiledAdapter: rbac
params:
  validDuration: 30s
  validUseCount: 500
  policies:
  - name: deny-blocklisted-ips
    namespace: istio-system
    action: DENY
    rules:
    - from:
      - source:
          ipBlocks: ["203.0.113.0/24", "2001:db8:bad::/48"]
  - name: deny-admin-from-outside
    namespace: bookstore
    action: DENY
    rules:
    - from:
      - source:
          notNamespaces: ["bookstore"]
      to:
      - operation:
          paths: ["/admin/*"]
  - name: deny-debug-header
    namespace: bookstore
    action: DENY
    rules:
    - when:
      - key: request.headers[X-Debug]
        values: ["*"]
  - name: reviews-readers
    namespace: bookstore
    selector:
      matchLabels:
        app: reviews
    action: ALLOW
    rules:
    - from:
      - source:
          principals: ["cluster.local/ns/bookstore/sa/productpage"]
      to:
      - operation:
          methods: ["GET", "HEAD"]
          paths: ["/reviews/*"]
    - from:
      - source:
          requestPrincipals: ["https://accounts.example.com/*"]
      to:
      - operation:
          methods: ["POST"]
          paths: ["/reviews/*"]
      when:
      - key: request.auth.claims[groups]
        values: ["reviewers", "admins"]
  - name: reviews-admins
    namespace: bookstore
    selector:
      matchLabels:
        app: reviews
    action: ALLOW
    rules:
    - to:
      - operation:
          ports: ["9080"]
      when:
      - key: request.auth.claims[role]
        values: ["admin"]
  - name: ratings-internal
    namespace: bookstore
    selector:
      matchLabels:
        app: ratings
    action: ALLOW
    rules:
    - from:
      - source:
          namespaces: ["bookstore"]
          notPrincipals: ["cluster.local/ns/bookstore/sa/untrusted"]
      - source:
          ipBlocks: ["10.10.0.0/16"]
          notIpBlocks: ["10.10.99.0/24"]
      to:
      - operation:
          hosts: ["ratings.bookstore.svc.cluster.local", "*.ratings.example.com"]
          notMethods: ["DELETE"]
  - name: payments-callers
    namespace: payments
    action: ALLOW
    rules:
    - from:
      - source:
          requestPrincipals: ["*"]
      to:
      - operation:
          ports: ["8443"]
      when:
      - key: source.principal
        values: ["cluster.local/ns/shop/sa/checkout"]
      - key: request.auth.claims[aud]
        notValues: ["test"]
    - when:
      - key: destination.port
        values: ["9090"]
      - key: source.namespace
        values: ["monitoring"]
  - name: allow-nothing
    namespace: vault
    action: ALLOW`,
);

/** Mixer's older model, for the `legacy` namespace: a ServiceRole and its binding. */
const ROLES = resource(
  'handler',
  'legacyrbac',
  `compiledAdapter: rbac
params:
  roles:
  - name: product-viewer
    namespace: legacy
    rules:
    - services: ["products.legacy.svc.cluster.local"]
      methods: ["GET"]
      paths: ["/products*"]
      constraints:
      - key: version
        values: ["v1", "v2"]
  bindings:
  - name: viewers
    namespace: legacy
    subjects:
    - user: cluster.local/ns/legacy/sa/frontend
    - properties:
        namespace: ops
    roleRef:
      kind: ServiceRole
      name: product-viewer`,
);

const RULES = [
  resource('rule', 'authorization', 'match: (destination.namespace | "") != "legacy"\nactions:\n- handler: rbac\n  instances: [ requestcontext ]'),
  resource('rule', 'legacyauthorization', 'match: (destination.namespace | "") == "legacy"\nactions:\n- handler: legacyrbac\n  instances: [ requestcontext ]'),
].join('');

const RBAC = 'rbac.handler.istio-system:';
const LEGACY = 'legacyrbac.handler.istio-system:';

type Attributes = Record<string, unknown>;

/** A caller with an mTLS identity in `namespace`. */
function peer(namespace: string, serviceAccount: string, extra: Attributes = {}): Attributes {
  return { 'source.principal': `cluster.local/ns/${namespace}/sa/${serviceAccount}`, 'source.namespace': namespace, ...extra };
}

/** A request to the `app` workload of `namespace`. */
function call(namespace: string, app: string, method: string, path: string, extra: Attributes = {}): Attributes {
  return {
    'destination.namespace': namespace,
    'destination.labels': { app, version: 'v1' },
    'destination.service.host': `${app}.${namespace}.svc.cluster.local`,
    'destination.port': 9080,
    'request.method': method,
    'request.path': path,
    'request.host': `${app}.${namespace}.svc.cluster.local`,
    ...extra,
  };
}

/** A request carrying a validated JWT. */
function jwt(principal: string, claims: Record<string, string>): Attributes {
  return { 'request.auth.principal': principal, 'request.auth.claims': claims };
}

interface Case {
  readonly name: string;
  readonly attributes: Attributes;
  /** The Check status code (0 OK, 7 PERMISSION_DENIED). */
  readonly code: RpcCode.OK | RpcCode.PERMISSION_DENIED;
  /** The whole message of a denial. */
  readonly message?: string;
}

const REVIEWS_NOT_ALLOWED = `${RBAC}RBAC: access denied: no ALLOW policy matched (considered bookstore/reviews-readers, bookstore/reviews-admins)`;
const RATINGS_NOT_ALLOWED = `${RBAC}RBAC: access denied: no ALLOW policy matched (considered bookstore/ratings-internal)`;
const PAYMENTS_NOT_ALLOWED = `${RBAC}RBAC: access denied: no ALLOW policy matched (considered payments/payments-callers)`;
const LEGACY_DENIED = `${LEGACY}RBAC: permission denied.`;
const productpage = peer('bookstore', 'productpage');
const alice = jwt('https://accounts.example.com/alice', { groups: 'reviewers', sub: 'alice' });

const CASES: readonly Case[] = [
  // principals, methods, paths (reviews-readers, first rule)
  { name: 'productpage GETs a review', attributes: { ...productpage, ...call('bookstore', 'reviews', 'GET', '/reviews/1') }, code: RpcCode.OK },
  { name: 'productpage HEADs a review', attributes: { ...productpage, ...call('bookstore', 'reviews', 'HEAD', '/reviews/1') }, code: RpcCode.OK },
  { name: 'a spiffe:// principal is the same identity', attributes: { ...productpage, 'source.principal': 'spiffe://cluster.local/ns/bookstore/sa/productpage', ...call('bookstore', 'reviews', 'GET', '/reviews/2') }, code: RpcCode.OK },
  { name: 'the query string is not part of the path', attributes: { ...productpage, ...call('bookstore', 'reviews', 'GET', '/reviews/1?page=/admin') }, code: RpcCode.OK },
  { name: 'productpage may not DELETE', attributes: { ...productpage, ...call('bookstore', 'reviews', 'DELETE', '/reviews/1') }, code: RpcCode.PERMISSION_DENIED, message: REVIEWS_NOT_ALLOWED },
  { name: 'productpage may not GET another path', attributes: { ...productpage, ...call('bookstore', 'reviews', 'GET', '/ratings/1') }, code: RpcCode.PERMISSION_DENIED, message: REVIEWS_NOT_ALLOWED },
  { name: 'another service account may not GET', attributes: { ...peer('bookstore', 'details'), ...call('bookstore', 'reviews', 'GET', '/reviews/1') }, code: RpcCode.PERMISSION_DENIED, message: REVIEWS_NOT_ALLOWED },
  { name: 'no identity at all is not allowed', attributes: call('bookstore', 'reviews', 'GET', '/reviews/1'), code: RpcCode.PERMISSION_DENIED, message: REVIEWS_NOT_ALLOWED },
  // request principals and claims (reviews-readers, second rule; reviews-admins)
  { name: 'a reviewer with a JWT POSTs a review', attributes: { ...alice, ...call('bookstore', 'reviews', 'POST', '/reviews/1') }, code: RpcCode.OK },
  { name: 'a JWT in the wrong group may not POST', attributes: { ...jwt('https://accounts.example.com/bob', { groups: 'guests' }), ...call('bookstore', 'reviews', 'POST', '/reviews/1') }, code: RpcCode.PERMISSION_DENIED, message: REVIEWS_NOT_ALLOWED },
  { name: 'a JWT from another issuer may not POST', attributes: { ...jwt('https://evil.example.org/alice', { groups: 'reviewers' }), ...call('bookstore', 'reviews', 'POST', '/reviews/1') }, code: RpcCode.PERMISSION_DENIED, message: REVIEWS_NOT_ALLOWED },
  { name: 'an admin claim allows anything on port 9080', attributes: { ...jwt('https://accounts.example.com/root', { role: 'admin' }), ...call('bookstore', 'reviews', 'DELETE', '/reviews/1') }, code: RpcCode.OK },
  { name: 'an admin claim on another port is not allowed', attributes: { ...jwt('https://accounts.example.com/root', { role: 'admin' }), ...call('bookstore', 'reviews', 'DELETE', '/reviews/1', { 'destination.port': 9443 }) }, code: RpcCode.PERMISSION_DENIED, message: REVIEWS_NOT_ALLOWED },
  // DENY before ALLOW
  { name: 'a mesh-wide DENY on source IPs beats an ALLOW', attributes: { ...productpage, 'source.ip': '203.0.113.7', ...call('bookstore', 'reviews', 'GET', '/reviews/1') }, code: RpcCode.PERMISSION_DENIED, message: `${RBAC}RBAC: access denied by DENY policy istio-system/deny-blocklisted-ips (rules[0])` },
  { name: 'the mesh-wide DENY also matches IPv6 networks, in any namespace', attributes: { 'source.ip': '2001:db8:bad::1', ...call('open', 'web', 'GET', '/') }, code: RpcCode.PERMISSION_DENIED, message: `${RBAC}RBAC: access denied by DENY policy istio-system/deny-blocklisted-ips (rules[0])` },
  { name: 'a header condition DENYs an otherwise allowed call', attributes: { ...productpage, ...call('bookstore', 'reviews', 'GET', '/reviews/1', { 'request.headers': { 'x-debug': '1' } }) }, code: RpcCode.PERMISSION_DENIED, message: `${RBAC}RBAC: access denied by DENY policy bookstore/deny-debug-header (rules[0])` },
  { name: 'notNamespaces: /admin from outside the namespace is DENYed', attributes: { ...peer('shop', 'frontend', { 'source.ip': '10.10.1.1' }), ...call('bookstore', 'ratings', 'GET', '/admin/users') }, code: RpcCode.PERMISSION_DENIED, message: `${RBAC}RBAC: access denied by DENY policy bookstore/deny-admin-from-outside (rules[0])` },
  // ratings-internal: OR'ed sources, not* fields, hosts
  { name: '/admin from inside the namespace is allowed', attributes: { ...peer('bookstore', 'reviews'), ...call('bookstore', 'ratings', 'GET', '/admin/users') }, code: RpcCode.OK },
  { name: 'notPrincipals excludes one identity of the namespace', attributes: { ...peer('bookstore', 'untrusted'), ...call('bookstore', 'ratings', 'GET', '/ratings/1') }, code: RpcCode.PERMISSION_DENIED, message: RATINGS_NOT_ALLOWED },
  { name: 'an ipBlocks source is the alternative to the namespace', attributes: { ...peer('shop', 'frontend', { 'source.ip': '10.10.3.4' }), ...call('bookstore', 'ratings', 'GET', '/ratings/1', { 'request.host': 'api.ratings.example.com' }) }, code: RpcCode.OK },
  { name: 'notIpBlocks carves a network out of ipBlocks', attributes: { ...peer('shop', 'frontend', { 'source.ip': '10.10.99.4' }), ...call('bookstore', 'ratings', 'GET', '/ratings/1') }, code: RpcCode.PERMISSION_DENIED, message: RATINGS_NOT_ALLOWED },
  { name: 'notMethods excludes DELETE', attributes: { ...peer('bookstore', 'reviews'), ...call('bookstore', 'ratings', 'DELETE', '/ratings/1') }, code: RpcCode.PERMISSION_DENIED, message: RATINGS_NOT_ALLOWED },
  { name: 'hosts compare case-insensitively', attributes: { ...peer('bookstore', 'reviews'), ...call('bookstore', 'ratings', 'GET', '/ratings/1', { 'request.host': 'Ratings.Bookstore.SVC.cluster.local' }) }, code: RpcCode.OK },
  { name: 'an unlisted host is not allowed', attributes: { ...peer('bookstore', 'reviews'), ...call('bookstore', 'ratings', 'GET', '/ratings/1', { 'request.host': 'ratings.example.org' }) }, code: RpcCode.PERMISSION_DENIED, message: RATINGS_NOT_ALLOWED },
  // workload selectors and namespaces without ALLOW policies
  { name: 'a workload no ALLOW policy selects is allowed', attributes: { ...peer('shop', 'frontend'), ...call('bookstore', 'details', 'DELETE', '/details/1') }, code: RpcCode.OK },
  { name: 'a namespace without policies allows everything', attributes: call('open', 'web', 'POST', '/anything'), code: RpcCode.OK },
  { name: 'an ALLOW policy without rules allows nothing', attributes: { ...peer('vault', 'admin'), ...call('vault', 'secrets', 'GET', '/v1/secret') }, code: RpcCode.PERMISSION_DENIED, message: `${RBAC}RBAC: access denied: no ALLOW policy matched (considered vault/allow-nothing)` },
  // when conditions: source.principal, claims notValues, destination.port, source.namespace
  { name: 'checkout with a JWT on 8443 may pay', attributes: { ...peer('shop', 'checkout'), ...jwt('https://accounts.example.com/carol', { aud: 'prod' }), ...call('payments', 'gateway', 'POST', '/pay', { 'destination.port': 8443 }) }, code: RpcCode.OK },
  { name: 'a test audience may not pay', attributes: { ...peer('shop', 'checkout'), ...jwt('https://accounts.example.com/carol', { aud: 'test' }), ...call('payments', 'gateway', 'POST', '/pay', { 'destination.port': 8443 }) }, code: RpcCode.PERMISSION_DENIED, message: PAYMENTS_NOT_ALLOWED },
  { name: 'without a request principal checkout may not pay', attributes: { ...peer('shop', 'checkout'), ...call('payments', 'gateway', 'POST', '/pay', { 'destination.port': 8443 }) }, code: RpcCode.PERMISSION_DENIED, message: PAYMENTS_NOT_ALLOWED },
  { name: 'another caller with a JWT may not pay', attributes: { ...peer('shop', 'cart'), ...jwt('https://accounts.example.com/carol', { aud: 'prod' }), ...call('payments', 'gateway', 'POST', '/pay', { 'destination.port': 8443 }) }, code: RpcCode.PERMISSION_DENIED, message: PAYMENTS_NOT_ALLOWED },
  { name: 'monitoring may scrape port 9090', attributes: { ...peer('monitoring', 'prometheus'), ...call('payments', 'gateway', 'GET', '/metrics', { 'destination.port': 9090 }) }, code: RpcCode.OK },
  { name: 'monitoring may not call port 8443', attributes: { ...peer('monitoring', 'prometheus'), ...call('payments', 'gateway', 'GET', '/metrics', { 'destination.port': 8443 }) }, code: RpcCode.PERMISSION_DENIED, message: PAYMENTS_NOT_ALLOWED },
  // ServiceRole / ServiceRoleBinding (legacy namespace)
  { name: 'ServiceRole: the bound user reads products', attributes: { ...peer('legacy', 'frontend'), ...call('legacy', 'products', 'GET', '/products/42') }, code: RpcCode.OK },
  { name: 'ServiceRole: a subject bound by namespace property reads products', attributes: { ...peer('ops', 'debugger'), ...call('legacy', 'products', 'GET', '/products') }, code: RpcCode.OK },
  { name: 'ServiceRole: the bound user may not POST', attributes: { ...peer('legacy', 'frontend'), ...call('legacy', 'products', 'POST', '/products/42') }, code: RpcCode.PERMISSION_DENIED, message: LEGACY_DENIED },
  { name: 'ServiceRole: a constraint on the version property', attributes: { ...peer('legacy', 'frontend'), ...call('legacy', 'products', 'GET', '/products/42', { 'destination.labels': { app: 'products', version: 'v3' } }) }, code: RpcCode.PERMISSION_DENIED, message: LEGACY_DENIED },
  { name: 'ServiceRole: an unbound user is denied', attributes: { ...peer('legacy', 'intruder'), ...call('legacy', 'products', 'GET', '/products/42') }, code: RpcCode.PERMISSION_DENIED, message: LEGACY_DENIED },
];

describe('authorization decisions: rbac behind a real Mixer', () => {
  let mixer: RunningMixer;
  let grpc: GrpcMixerTransport;
  const manifest = AttributeManifest.standard();

  before(async () => {
    mixer = await startMixer({ 'instance.yaml': INSTANCE, 'policies.yaml': POLICIES, 'roles.yaml': ROLES, 'rules.yaml': RULES });
    grpc = new GrpcMixerTransport({ target: mixer.grpcAddress });
  });
  after(async () => {
    await grpc.close();
    await mixer.close();
  });

  test('the table has at least 20 cases, allowing and denying', () => {
    assert.ok(CASES.length >= 20, `${CASES.length} cases`);
    assert.ok(CASES.some((c) => c.code === RpcCode.OK) && CASES.some((c) => c.code === RpcCode.PERMISSION_DENIED));
  });

  test('the config is active (no rejected change)', async () => {
    const { body } = await mixer.getMonitoring('/debug/config');
    assert.equal(body['lastRejected'], null, JSON.stringify(body['lastRejected']));
  });

  for (const entry of CASES) {
    test(`HTTP: ${entry.name}`, async () => {
      const { status, body } = await mixer.check({ attributes: entry.attributes });
      assert.equal(status, 200, JSON.stringify(body));
      const precondition = body.precondition;
      assert.equal(precondition.status.code, entry.code, precondition.status.message);
      if (entry.message !== undefined) assert.equal(precondition.status.message, entry.message);
    });
  }

  for (const entry of CASES) {
    test(`gRPC: ${entry.name}`, async () => {
      const response = await grpc.check({ attributes: requestBagFromJson(entry.attributes, manifest), quotas: new Map(), deduplicationId: '' });
      const precondition = response.precondition;
      assert.ok(precondition !== undefined);
      assert.equal(precondition.status.code, entry.code, precondition.status.message);
      if (entry.message !== undefined) assert.equal(precondition.status.message, entry.message);
    });
  }

  test('AuthorizationPolicy answers carry the handler validity; ServiceRole answers the default', async () => {
    const allowed = await mixer.check({ attributes: { ...productpage, ...call('bookstore', 'reviews', 'GET', '/reviews/1') } });
    assert.equal(allowed.body.precondition.validDuration, '30s');
    assert.equal(allowed.body.precondition.validUseCount, 500);
    const denied = await mixer.check({ attributes: { ...productpage, ...call('bookstore', 'reviews', 'DELETE', '/reviews/1') } });
    assert.equal(denied.body.precondition.validDuration, '30s');
    assert.equal(denied.body.precondition.validUseCount, 500);
    const legacy = await mixer.check({ attributes: { ...peer('legacy', 'intruder'), ...call('legacy', 'products', 'GET', '/products/42') } });
    assert.equal(legacy.body.precondition.validDuration, '60s');
  });

  test('the answer names the attributes the decision read, so clients can cache it', async () => {
    const { body } = await mixer.check({ attributes: { ...productpage, ...call('bookstore', 'reviews', 'GET', '/reviews/1') } });
    const names = new Set(body.precondition.referencedAttributes.attributeMatches.map((match) => match.name));
    for (const name of ['source.principal', 'destination.namespace', 'request.path', 'request.method', 'destination.labels']) assert.ok(names.has(name), `${name} in ${[...names].join(', ')}`);
  });
});
