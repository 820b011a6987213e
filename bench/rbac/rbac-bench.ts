import { buildRbacHandler } from '../../adapters/rbac/handler-factory.js';
import type { RbacHandler } from '../../adapters/rbac/handler.js';
import { rbacParams } from '../../adapters/rbac/params.js';
import { authorizationInstance, type RequestFixture } from '../../adapters/rbac/request-fixture.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import type { AuthorizationInstance } from '../../templates/definitions.js';
import { printBench, type BenchOptions } from '../harness.js';
import { measureCpuRates } from './cpu-rate.js';

// rbac decisions in process (the handler alone, no server): how fast a compiled policy set
// decides, against a hand-written function deciding the same one-policy case (the ceiling),
// and how the rule indexes keep the cost flat from 1 to 1,100 policies.

const PRODUCTPAGE = 'cluster.local/ns/bookstore/sa/productpage';

function handler(params: unknown): RbacHandler {
  const parsed = rbacParams.parse(params);
  if (!parsed.ok) throw new Error(`bench params: ${parsed.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`);
  return buildRbacHandler(parsed.value);
}

/** One ALLOW policy: productpage may GET or HEAD /reviews/*. */
const ONE_POLICY = {
  policies: [
    {
      name: 'reviews-readers',
      namespace: 'bookstore',
      rules: [{ from: [{ source: { principals: [PRODUCTPAGE] } }], to: [{ operation: { methods: ['GET', 'HEAD'], paths: ['/reviews/*'] } }] }],
    },
  ],
};

/** The same decision written by hand: the ceiling. */
function handwritten(instance: AuthorizationInstance): boolean {
  if (instance.action.namespace !== 'bookstore') return true;
  const method = instance.action.method;
  const raw = instance.action.path ?? '';
  const end = raw.search(/[?#]/);
  const path = end < 0 ? raw : raw.slice(0, end);
  return instance.subject.user === PRODUCTPAGE && (method === 'GET' || method === 'HEAD') && path.startsWith('/reviews/');
}

/** A realistic namespace's worth: mesh DENY on IPs, namespace DENYs, selector-scoped ALLOWs with JWT claims. */
const BOOKSTORE = {
  policies: [
    { name: 'deny-blocklisted-ips', namespace: 'istio-system', action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['203.0.113.0/24', '2001:db8:bad::/48'] } }] }] },
    { name: 'deny-admin-from-outside', namespace: 'bookstore', action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['bookstore'] } }], to: [{ operation: { paths: ['/admin/*'] } }] }] },
    { name: 'deny-debug-header', namespace: 'bookstore', action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-debug]', values: ['*'] }] }] },
    {
      name: 'reviews-readers',
      namespace: 'bookstore',
      selector: { matchLabels: { app: 'reviews' } },
      rules: [
        { from: [{ source: { principals: [PRODUCTPAGE] } }], to: [{ operation: { methods: ['GET', 'HEAD'], paths: ['/reviews/*'] } }] },
        {
          from: [{ source: { requestPrincipals: ['https://accounts.example.com/*'] } }],
          to: [{ operation: { methods: ['POST'], paths: ['/reviews/*'] } }],
          when: [{ key: 'request.auth.claims[groups]', values: ['reviewers', 'admins'] }],
        },
      ],
    },
    { name: 'reviews-admins', namespace: 'bookstore', selector: { matchLabels: { app: 'reviews' } }, rules: [{ to: [{ operation: { ports: ['9080'] } }], when: [{ key: 'request.auth.claims[role]', values: ['admin'] }] }] },
    {
      name: 'ratings-internal',
      namespace: 'bookstore',
      selector: { matchLabels: { app: 'ratings' } },
      rules: [
        {
          from: [{ source: { namespaces: ['bookstore'], notPrincipals: ['cluster.local/ns/bookstore/sa/untrusted'] } }, { source: { ipBlocks: ['10.10.0.0/16'], notIpBlocks: ['10.10.99.0/24'] } }],
          to: [{ operation: { hosts: ['ratings.bookstore.svc.cluster.local', '*.ratings.example.com'], notMethods: ['DELETE'] } }],
        },
      ],
    },
  ],
};

const NAMESPACES = 100;
const SERVICES = 10;
const CALLERS = 5;

/** 1,000 ALLOW policies (100 namespaces × 10 selected services × 5 callers each) and 100 DENY policies. */
function largePolicySet(): unknown {
  const policies: unknown[] = [];
  for (let namespace = 0; namespace < NAMESPACES; namespace++) {
    for (let service = 0; service < SERVICES; service++) {
      const principals = Array.from({ length: CALLERS }, (_, caller) => `cluster.local/ns/ns-${namespace}/sa/caller-${caller}`);
      policies.push({
        name: `svc-${service}`,
        namespace: `ns-${namespace}`,
        selector: { matchLabels: { app: `svc-${service}` } },
        rules: [{ from: [{ source: { principals } }], to: [{ operation: { methods: ['GET', 'POST'], paths: [`/svc-${service}/*`] } }] }],
      });
    }
    policies.push({ name: 'deny-revoked', namespace: `ns-${namespace}`, action: 'DENY', rules: [{ from: [{ source: { principals: [`cluster.local/ns/ns-${namespace}/sa/revoked`] } }] }] });
  }
  return { policies };
}

function bookstoreRequests(): RequestFixture[] {
  const reviews = { workloadNamespace: 'bookstore', labels: { app: 'reviews' }, port: 9080, host: 'reviews.bookstore.svc.cluster.local' };
  const ratings = { workloadNamespace: 'bookstore', labels: { app: 'ratings' }, port: 9080, host: 'ratings.bookstore.svc.cluster.local' };
  return [
    { ...reviews, user: PRODUCTPAGE, namespace: 'bookstore', method: 'GET', path: '/reviews/1' },
    { ...reviews, user: PRODUCTPAGE, namespace: 'bookstore', method: 'DELETE', path: '/reviews/1' },
    { ...reviews, requestPrincipal: 'https://accounts.example.com/alice', claims: { groups: 'reviewers' }, method: 'POST', path: '/reviews/1' },
    { ...reviews, user: PRODUCTPAGE, namespace: 'bookstore', ip: '203.0.113.9', method: 'GET', path: '/reviews/1' },
    { ...ratings, user: 'cluster.local/ns/bookstore/sa/reviews', namespace: 'bookstore', method: 'GET', path: '/ratings/1' },
    { ...ratings, user: 'cluster.local/ns/shop/sa/web', namespace: 'shop', ip: '10.10.3.4', method: 'GET', path: '/admin/x' },
    { ...ratings, user: 'cluster.local/ns/shop/sa/web', namespace: 'shop', ip: '10.10.99.4', method: 'GET', path: '/ratings/1' },
    { workloadNamespace: 'bookstore', labels: { app: 'details' }, user: PRODUCTPAGE, namespace: 'bookstore', method: 'GET', path: '/details/1', headers: { 'x-debug': '1' } },
  ];
}

function largeRequests(): RequestFixture[] {
  const requests: RequestFixture[] = [];
  for (let index = 0; index < 16; index++) {
    const namespace = (index * 37) % NAMESPACES;
    const service = index % SERVICES;
    const caller = index % 4 === 3 ? 'revoked' : index % 4 === 2 ? `stranger-${index}` : `caller-${index % CALLERS}`;
    requests.push({
      workloadNamespace: `ns-${namespace}`,
      labels: { app: `svc-${service}` },
      user: `cluster.local/ns/ns-${namespace}/sa/${caller}`,
      method: index % 5 === 4 ? 'DELETE' : 'GET',
      path: `/svc-${service}/items/${index}`,
    });
  }
  return requests;
}

function oneRequests(): RequestFixture[] {
  return [
    { workloadNamespace: 'bookstore', user: PRODUCTPAGE, method: 'GET', path: '/reviews/1' },
    { workloadNamespace: 'bookstore', user: PRODUCTPAGE, method: 'DELETE', path: '/reviews/1' },
    { workloadNamespace: 'bookstore', user: 'cluster.local/ns/bookstore/sa/details', method: 'GET', path: '/reviews/1?x=1' },
    { workloadNamespace: 'bookstore', user: PRODUCTPAGE, method: 'HEAD', path: '/ratings/1' },
  ];
}

/** A decision loop over `instances` (rotating), after checking they both allow and deny. */
function decisions(name: string, subject: RbacHandler, instances: readonly AuthorizationInstance[]): (index: number) => boolean {
  const count = instances.length;
  let allowed = 0;
  for (const instance of instances) if (isOk(subject.handleAuthorization(instance))) allowed++;
  if (allowed === 0 || allowed === count) throw new Error(`${name}: the requests must both allow and deny (${allowed}/${count} allowed)`);
  return (index) => isOk(subject.handleAuthorization(instances[index % count]!));
}

function isOk(result: ReturnType<RbacHandler['handleAuthorization']>): boolean {
  return result.status.code === RpcCode.OK;
}

export function runRbacBench(options: BenchOptions): void {
  const one = oneRequests().map((request) => authorizationInstance(request));
  const oneHandler = handler(ONE_POLICY);
  for (const instance of one) {
    if (isOk(oneHandler.handleAuthorization(instance)) !== handwritten(instance)) throw new Error('the hand-written ceiling must decide like rbac');
  }
  const rates = measureCpuRates(
    {
      ceiling: (index) => handwritten(one[index % one.length]!),
      one: decisions('one policy', oneHandler, one),
      bookstore: decisions('bookstore', handler(BOOKSTORE), bookstoreRequests().map((request) => authorizationInstance(request))),
      large: decisions('1100 policies', handler(largePolicySet()), largeRequests().map((request) => authorizationInstance(request))),
    },
    options,
  );
  const { ceiling, one: single, bookstore, large } = rates as Record<'ceiling' | 'one' | 'bookstore' | 'large', number>;
  printBench('rbac.handwritten_ceiling', ceiling, 'decisions/cpu-s');
  printBench('rbac.one_policy', single, 'decisions/cpu-s');
  printBench('rbac.one_policy_vs_ceiling', single / ceiling, 'ratio');
  printBench('rbac.bookstore_6_policies', bookstore, 'decisions/cpu-s');
  printBench('rbac.1100_policies', large, 'decisions/cpu-s');
  printBench('rbac.1100_policies_vs_one_policy', large / single, 'ratio');
}
