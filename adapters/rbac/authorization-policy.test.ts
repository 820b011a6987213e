import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RpcCode } from '../../core/status/rpc-code.js';
import { buildForTest, ManualEnvironment } from '../sdk/testing/index.js';
import { rbac } from './index.js';
import { authorizationInstance, type RequestFixture } from './request-fixture.js';

// Decision tables: each block configures AuthorizationPolicies and lists requests with the
// expected answer, ALLOW or the exact PERMISSION_DENIED message.

const ALLOW = 'ALLOW';
const PRODUCTPAGE = 'cluster.local/ns/default/sa/productpage';
const REVIEWS = 'cluster.local/ns/default/sa/reviews';
const INGRESS = 'cluster.local/ns/istio-system/sa/ingressgateway';
const notAllowed = (...ids: string[]) => `RBAC: access denied: no ALLOW policy matched (considered ${ids.join(', ')})`;
const deniedBy = (id: string, rule = 0) => `RBAC: access denied by DENY policy ${id} (rules[${rule}])`;

interface Case {
  readonly name: string;
  readonly request: RequestFixture;
  /** ALLOW, or the denial message. */
  readonly expect: string;
}

/** Base request: a GET of /api/books on port 9080 of the `default` namespace's bookstore. */
const base: RequestFixture = { workloadNamespace: 'default', method: 'GET', path: '/api/books', port: 9080, host: 'bookstore.default.svc.cluster.local' };

function table(title: string, policies: unknown[], cases: readonly Case[], extra: Record<string, unknown> = {}): void {
  describe(title, () => {
    for (const entry of cases) {
      it(entry.name, async () => {
        const { handler } = await buildForTest(rbac.info, new ManualEnvironment(), { params: { policies, ...extra } });
        const result = await handler.handleAuthorization(authorizationInstance({ ...base, ...entry.request }), { deduplicationId: '' });
        if (entry.expect === ALLOW) {
          assert.equal(result.status.code, RpcCode.OK, result.status.message);
        } else {
          assert.equal(result.status.code, RpcCode.PERMISSION_DENIED);
          assert.equal(result.status.message, entry.expect);
        }
      });
    }
  });
}

table('no policies', [], [
  { name: 'allows anonymous requests', request: {}, expect: ALLOW },
  { name: 'allows authenticated requests', request: { user: PRODUCTPAGE }, expect: ALLOW },
]);

table('ALLOW by principal: exact, prefix, suffix, any', [
  { name: 'exact', namespace: 'default', rules: [{ from: [{ source: { principals: [PRODUCTPAGE] } }] }] },
  { name: 'prefix', namespace: 'default', rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-system/*'] } }] }] },
  { name: 'suffix', namespace: 'default', rules: [{ from: [{ source: { principals: ['*/sa/ratings'] } }] }] },
], [
  { name: 'the exact principal', request: { user: PRODUCTPAGE }, expect: ALLOW },
  { name: 'the exact principal with spiffe://', request: { user: `spiffe://${PRODUCTPAGE}` }, expect: ALLOW },
  { name: 'a prefix match', request: { user: INGRESS }, expect: ALLOW },
  { name: 'a suffix match', request: { user: 'other.domain/ns/x/sa/ratings' }, expect: ALLOW },
  { name: 'another principal', request: { user: REVIEWS }, expect: notAllowed('default/exact', 'default/prefix', 'default/suffix') },
  { name: 'no principal', request: {}, expect: notAllowed('default/exact', 'default/prefix', 'default/suffix') },
  { name: 'principals are case-sensitive', request: { user: PRODUCTPAGE.toUpperCase() }, expect: notAllowed('default/exact', 'default/prefix', 'default/suffix') },
]);

table('`*` needs a value, not-fields match absent values', [
  { name: 'require-mtls', action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }] },
  { name: 'require-jwt', namespace: 'default', rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] },
], [
  { name: 'no peer identity: DENY notPrincipals [*] matches', request: { requestPrincipal: 'https://issuer/alice' }, expect: deniedBy('require-mtls') },
  { name: 'peer identity but no JWT', request: { user: PRODUCTPAGE }, expect: notAllowed('default/require-jwt') },
  { name: 'peer identity and a JWT', request: { user: PRODUCTPAGE, requestPrincipal: 'https://issuer/alice' }, expect: ALLOW },
  { name: 'an empty principal is no principal', request: { user: '', requestPrincipal: 'https://issuer/alice' }, expect: deniedBy('require-mtls') },
]);

table('namespaces (from the property, or read from the principal) and notNamespaces', [
  { name: 'same-ns', namespace: 'default', rules: [{ from: [{ source: { namespaces: ['default', 'prod-*'], notNamespaces: ['prod-legacy'] } }] }] },
], [
  { name: 'namespace property', request: { namespace: 'default' }, expect: ALLOW },
  { name: 'prefix namespace', request: { namespace: 'prod-eu' }, expect: ALLOW },
  { name: 'excluded by notNamespaces', request: { namespace: 'prod-legacy' }, expect: notAllowed('default/same-ns') },
  { name: 'namespace read from the principal', request: { user: REVIEWS }, expect: ALLOW },
  { name: 'the property wins over the principal', request: { user: REVIEWS, namespace: 'other' }, expect: notAllowed('default/same-ns') },
  { name: 'no namespace at all', request: {}, expect: notAllowed('default/same-ns') },
]);

table('ipBlocks / notIpBlocks / remoteIpBlocks', [
  { name: 'internal', namespace: 'default', rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'], notIpBlocks: ['10.9.0.0/16'] } }] }] },
  { name: 'office', namespace: 'default', rules: [{ from: [{ source: { remoteIpBlocks: ['203.0.113.0/24'] } }] }] },
], [
  { name: 'inside a v4 block', request: { ip: '10.1.2.3' }, expect: ALLOW },
  { name: 'a single address', request: { ip: '192.168.1.7' }, expect: ALLOW },
  { name: 'next to the single address', request: { ip: '192.168.1.8' }, expect: notAllowed('default/internal', 'default/office') },
  { name: 'inside a v6 block', request: { ip: '2001:db8::42' }, expect: ALLOW },
  { name: 'the v4-mapped form of a v4 address', request: { ip: '::ffff:10.1.2.3' }, expect: ALLOW },
  { name: 'inside notIpBlocks', request: { ip: '10.9.1.1' }, expect: notAllowed('default/internal', 'default/office') },
  { name: 'outside every block', request: { ip: '172.16.0.1' }, expect: notAllowed('default/internal', 'default/office') },
  { name: 'no address', request: {}, expect: notAllowed('default/internal', 'default/office') },
  { name: 'the unspecified address is no address', request: { ip: '0.0.0.0' }, expect: notAllowed('default/internal', 'default/office') },
  { name: 'remote address in remoteIpBlocks', request: { ip: '172.16.0.1', remoteIp: '203.0.113.9' }, expect: ALLOW },
]);

table('operations: methods, paths, ports, hosts and their not-fields', [
  {
    name: 'read-api',
    namespace: 'default',
    rules: [{ to: [{ operation: { methods: ['GET', 'HEAD'], paths: ['/api/*', '/healthz', '*.json'], notPaths: ['/api/admin*'], ports: ['9080'], hosts: ['Bookstore.default.svc.cluster.local', '*.example.com'] } }] }],
  },
  { name: 'write-api', namespace: 'default', rules: [{ to: [{ operation: { notMethods: ['GET', 'HEAD', 'DELETE'], paths: ['/api/*'], notPorts: ['9443'] } }] }] },
], [
  { name: 'GET /api/books', request: {}, expect: ALLOW },
  { name: 'the query string is not part of the path', request: { path: '/api/books?page=2' }, expect: ALLOW },
  { name: 'suffix path', request: { path: '/static/data.json' }, expect: ALLOW },
  { name: 'notPaths prefix', request: { path: '/api/admin/users' }, expect: notAllowed('default/read-api', 'default/write-api') },
  { name: 'POST goes to write-api', request: { method: 'POST' }, expect: ALLOW },
  { name: 'DELETE is in neither', request: { method: 'DELETE' }, expect: notAllowed('default/read-api', 'default/write-api') },
  { name: 'methods are case-sensitive: get is not GET, so write-api matches', request: { method: 'get' }, expect: ALLOW },
  { name: 'GET on another port', request: { port: 8080 }, expect: notAllowed('default/read-api', 'default/write-api') },
  { name: 'POST on a notPort', request: { method: 'POST', port: 9443 }, expect: notAllowed('default/read-api', 'default/write-api') },
  { name: 'hosts are case-insensitive', request: { host: 'BOOKSTORE.default.svc.cluster.local' }, expect: ALLOW },
  { name: 'host suffix', request: { host: 'api.example.com' }, expect: ALLOW },
  { name: 'another host', request: { host: 'evil.example.org' }, expect: notAllowed('default/read-api', 'default/write-api') },
  { name: 'host from the :authority header', request: { host: undefined, headers: { ':authority': 'shop.example.com' } }, expect: ALLOW },
]);

table('when conditions', [
  {
    name: 'conditions',
    namespace: 'default',
    rules: [
      { when: [{ key: 'request.headers[X-Tenant]', values: ['acme', 'globex-*'], notValues: ['globex-test'] }] },
      { when: [{ key: 'request.auth.claims[groups]', values: ['admins'] }, { key: 'request.auth.claims[iss]', values: ['https://accounts.example.com'] }] },
      { when: [{ key: 'source.ip', values: ['10.0.0.0/8'] }, { key: 'destination.port', values: ['9080'] }] },
      { when: [{ key: 'source.namespace', values: ['batch'] }, { key: 'source.principal', values: ['*/sa/cron'] }] },
      { when: [{ key: 'request.auth.principal', values: ['https://issuer/*'] }, { key: 'request.auth.audiences', values: ['bookstore'] }] },
      { when: [{ key: 'request.auth.presenter', values: ['mobile-app'] }] },
      { when: [{ key: 'connection.sni', values: ['*.internal'] }, { key: 'destination.ip', values: ['172.20.0.0/16'] }] },
      { when: [{ key: 'remote.ip', values: ['198.51.100.1'] }] },
      { when: [{ key: 'request.headers[x-debug]', notValues: ['*'] }, { key: 'request.headers[x-canary]', values: ['*'] }] },
    ],
  },
], [
  { name: 'header value (header names are case-insensitive)', request: { headers: { 'x-tenant': 'acme' } }, expect: ALLOW },
  { name: 'header prefix', request: { headers: { 'x-tenant': 'globex-eu' } }, expect: ALLOW },
  { name: 'header notValues', request: { headers: { 'x-tenant': 'globex-test' } }, expect: notAllowed('default/conditions') },
  { name: 'claims: both conditions', request: { claims: { groups: 'admins', iss: 'https://accounts.example.com' } }, expect: ALLOW },
  { name: 'claims: one condition only', request: { claims: { groups: 'admins', iss: 'https://evil.example.com' } }, expect: notAllowed('default/conditions') },
  { name: 'source.ip and destination.port', request: { ip: '10.3.3.3', port: 9080 }, expect: ALLOW },
  { name: 'source.ip on the wrong port', request: { ip: '10.3.3.3', port: 9081 }, expect: notAllowed('default/conditions') },
  { name: 'source.namespace and source.principal', request: { user: 'cluster.local/ns/batch/sa/cron' }, expect: ALLOW },
  { name: 'JWT principal and audience', request: { requestPrincipal: 'https://issuer/alice', audiences: 'bookstore' }, expect: ALLOW },
  { name: 'JWT presenter', request: { presenter: 'mobile-app' }, expect: ALLOW },
  { name: 'SNI and destination IP', request: { sni: 'books.internal', destinationIp: '172.20.1.1' }, expect: ALLOW },
  { name: 'remote IP', request: { remoteIp: '198.51.100.1' }, expect: ALLOW },
  { name: 'notValues [*] on an absent header', request: { headers: { 'x-canary': '1' } }, expect: ALLOW },
  { name: 'notValues [*] on a present header', request: { headers: { 'x-canary': '1', 'x-debug': 'on' } }, expect: notAllowed('default/conditions') },
  { name: 'nothing matches', request: { headers: {} }, expect: notAllowed('default/conditions') },
]);

table('AND across from, to and when; OR within lists and across rules', [
  {
    name: 'combined',
    namespace: 'default',
    rules: [
      {
        from: [{ source: { principals: [PRODUCTPAGE] } }, { source: { namespaces: ['frontend'] } }],
        to: [{ operation: { methods: ['GET'] } }, { operation: { methods: ['POST'], paths: ['/api/orders'] } }],
        when: [{ key: 'request.headers[x-version]', values: ['v1', 'v2'] }],
      },
    ],
  },
], [
  { name: 'first source, first operation, condition', request: { user: PRODUCTPAGE, headers: { 'x-version': 'v2' } }, expect: ALLOW },
  { name: 'second source, second operation, condition', request: { namespace: 'frontend', method: 'POST', path: '/api/orders', headers: { 'x-version': 'v1' } }, expect: ALLOW },
  { name: 'second operation with the wrong path', request: { namespace: 'frontend', method: 'POST', headers: { 'x-version': 'v1' } }, expect: notAllowed('default/combined') },
  { name: 'condition fails', request: { user: PRODUCTPAGE, headers: { 'x-version': 'v3' } }, expect: notAllowed('default/combined') },
  { name: 'source fails', request: { user: REVIEWS, headers: { 'x-version': 'v1' } }, expect: notAllowed('default/combined') },
]);

table('DENY before ALLOW, the first matching DENY is named', [
  { name: 'allow-all', namespace: 'default', rules: [{}] },
  { name: 'deny-admin', namespace: 'default', action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }, { to: [{ operation: { paths: ['/admin/*'] } }] }] },
  { name: 'deny-reviews', namespace: 'default', action: 'DENY', rules: [{ from: [{ source: { principals: [REVIEWS] } }] }] },
  { name: 'deny-everything-admin', action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }] },
], [
  { name: 'an empty rule matches everything', request: {}, expect: ALLOW },
  { name: 'second rule of the first DENY policy', request: { path: '/admin/users' }, expect: deniedBy('default/deny-admin', 1) },
  { name: 'a later DENY policy', request: { user: REVIEWS }, expect: deniedBy('default/deny-reviews') },
  { name: 'two DENY policies match: the first in config order wins', request: { user: REVIEWS, path: '/admin' }, expect: deniedBy('default/deny-admin') },
  { name: 'a mesh-wide DENY policy', request: { path: '/administrator' }, expect: deniedBy('deny-everything-admin') },
]);

table('ALLOW without rules denies the workload; scopes and selectors', [
  { name: 'deny-all', namespace: 'locked' },
  { name: 'mesh-readonly', namespace: 'istio-system', action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] },
  { name: 'reviews-only', namespace: 'default', selector: { matchLabels: { app: 'reviews' } }, rules: [{ from: [{ source: { principals: [PRODUCTPAGE] } }] }] },
  { name: 'reviews-v3', namespace: 'default', selector: { matchLabels: { app: 'reviews', version: 'v3' } }, rules: [{ from: [{ source: { principals: [REVIEWS] } }] }] },
], [
  { name: 'every request to the locked namespace', request: { workloadNamespace: 'locked', user: PRODUCTPAGE }, expect: notAllowed('locked/deny-all') },
  { name: 'another namespace has no ALLOW policy', request: { workloadNamespace: 'open' }, expect: ALLOW },
  { name: 'root-namespace DENY applies everywhere', request: { workloadNamespace: 'open', method: 'DELETE' }, expect: deniedBy('istio-system/mesh-readonly') },
  { name: 'a workload no selector picks', request: { labels: { app: 'ratings' } }, expect: ALLOW },
  { name: 'the selected workload, allowed caller', request: { labels: { app: 'reviews', version: 'v1' }, user: PRODUCTPAGE }, expect: ALLOW },
  { name: 'the selected workload, other caller', request: { labels: { app: 'reviews', version: 'v1' }, user: REVIEWS }, expect: notAllowed('default/reviews-only') },
  { name: 'both selectors apply to reviews v3', request: { labels: { app: 'reviews', version: 'v3' }, user: REVIEWS }, expect: ALLOW },
  { name: 'both selectors apply, neither matches: both named', request: { labels: { app: 'reviews', version: 'v3' }, user: 'nobody' }, expect: notAllowed('default/reviews-only', 'default/reviews-v3') },
  { name: 'no labels: selectors do not apply', request: { user: REVIEWS }, expect: ALLOW },
]);

table('a custom root namespace', [
  { name: 'mesh-deny', namespace: 'mesh-config', action: 'DENY', rules: [{ from: [{ source: { namespaces: ['untrusted'] } }] }] },
], [
  { name: 'applies in every namespace', request: { workloadNamespace: 'anything', namespace: 'untrusted' }, expect: deniedBy('mesh-config/mesh-deny') },
], { rootNamespace: 'mesh-config' });

table('the denial names at most five policies', Array.from({ length: 7 }, (_, index) => ({
  name: `allow-${index}`, namespace: 'default', rules: [{ from: [{ source: { principals: [`user-${index}`] } }] }],
})), [
  { name: 'seven considered', request: { user: 'nobody' }, expect: 'RBAC: access denied: no ALLOW policy matched (considered default/allow-0, default/allow-1, default/allow-2, default/allow-3, default/allow-4 and 2 more)' },
  { name: 'the last one matches', request: { user: 'user-6' }, expect: ALLOW },
]);
