import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IpAddress } from '../../core/attribute/ip-address.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import { buildForTest, ManualEnvironment } from '../sdk/testing/index.js';
import { rbac } from './index.js';
import { authorizationInstance, type RequestFixture } from './request-fixture.js';

// ServiceRole / ServiceRoleBinding (Mixer's rbac adapter, Istio ≤1.1) in params.roles and
// params.bindings, alone and next to AuthorizationPolicies.

const DENIED = 'RBAC: permission denied.';
const request: RequestFixture = { workloadNamespace: 'default', service: 'reviews.default.svc.cluster.local', method: 'GET', path: '/reviews/1' };

const ROLES = {
  roles: [
    { name: 'viewer', namespace: 'default', rules: [{ services: ['reviews.*', '*.details.svc'], methods: ['GET', 'HEAD'] }] },
    { name: 'editor', namespace: 'default', rules: [{ services: ['*'], paths: ['/reviews/*', '*/edit'], methods: ['POST'], constraints: [{ key: 'version', values: ['v2', 'v3*'] }] }] },
    { name: 'labelled', namespace: 'default', rules: [{ services: ['ratings.default.svc.cluster.local'], constraints: [{ key: 'destination.labels[version]', values: ['v1'] }] }] },
    { name: 'ops', namespace: 'ops', rules: [{ services: ['*'], methods: ['*'] }] },
  ],
  bindings: [
    { name: 'viewers', namespace: 'default', subjects: [{ user: 'cluster.local/ns/default/sa/productpage' }, { group: 'readers' }], roleRef: { kind: 'ServiceRole', name: 'viewer' } },
    { name: 'editors', namespace: 'default', subjects: [{ user: 'alice', properties: { team: 'books', 'source.namespace': 'editorial' } }], roleRef: { name: 'editor' } },
    { name: 'labelled-all', namespace: 'default', subjects: [{ user: '*' }], roleRef: { name: 'labelled' } },
    { name: 'ops-admins', namespace: 'ops', subjects: [{ properties: { 'source.ip': '10.0.0.0/8' } }], roleRef: { name: 'ops' } },
  ],
};

async function decide(params: unknown, overrides: RequestFixture): Promise<string> {
  const { handler } = await buildForTest(rbac.info, new ManualEnvironment(), { params });
  const result = await handler.handleAuthorization(authorizationInstance({ ...request, ...overrides }), { deduplicationId: '' });
  if (result.status.code === RpcCode.OK) return 'ALLOW';
  assert.equal(result.status.code, RpcCode.PERMISSION_DENIED);
  return result.status.message;
}

describe('ServiceRole and ServiceRoleBinding', () => {
  const cases: [string, RequestFixture, string][] = [
    ['a bound user, a matching service and method', { user: 'cluster.local/ns/default/sa/productpage' }, 'ALLOW'],
    ['the bound user with spiffe://', { user: 'spiffe://cluster.local/ns/default/sa/productpage' }, 'ALLOW'],
    ['a bound group among several', { user: 'bob', groups: 'staff, readers' }, 'ALLOW'],
    ['an unbound user', { user: 'bob', groups: 'staff' }, DENIED],
    ['a method the role does not list', { user: 'cluster.local/ns/default/sa/productpage', method: 'DELETE' }, DENIED],
    ['a service suffix', { user: 'cluster.local/ns/default/sa/productpage', service: 'x.details.svc' }, 'ALLOW'],
    ['editor: path prefix, property and namespace fallback, constraint prefix', { user: 'alice', method: 'POST', namespace: 'editorial', subjectProperties: { team: 'books' }, actionProperties: { version: 'v3-beta' } }, 'ALLOW'],
    ['editor: path suffix', { user: 'alice', method: 'POST', path: '/books/edit', namespace: 'editorial', subjectProperties: { team: 'books' }, actionProperties: { version: 'v2' } }, 'ALLOW'],
    ['editor: a constraint not met', { user: 'alice', method: 'POST', namespace: 'editorial', subjectProperties: { team: 'books' }, actionProperties: { version: 'v1' } }, DENIED],
    ['editor: a property not met (all must match)', { user: 'alice', method: 'POST', namespace: 'editorial', subjectProperties: { team: 'music' }, actionProperties: { version: 'v2' } }, DENIED],
    ['editor: a fallback property not met', { user: 'alice', method: 'POST', namespace: 'news', subjectProperties: { team: 'books' }, actionProperties: { version: 'v2' } }, DENIED],
    ['a constraint read from the workload labels', { service: 'ratings.default.svc.cluster.local', method: 'PUT', labels: { version: 'v1' } }, 'ALLOW'],
    ['the workload labels do not meet it', { service: 'ratings.default.svc.cluster.local', labels: { version: 'v2' } }, DENIED],
    ['a subject property matched as a CIDR', { workloadNamespace: 'ops', service: 'grafana', ip: '10.1.1.1' }, 'ALLOW'],
    ['outside the CIDR', { workloadNamespace: 'ops', service: 'grafana', ip: '11.1.1.1' }, DENIED],
    ['an IP-typed subject property', { workloadNamespace: 'ops', service: 'grafana', subjectProperties: { 'source.ip': IpAddress.parse('10.2.2.2') } }, 'ALLOW'],
    ['no role in the namespace', { workloadNamespace: 'other', user: 'cluster.local/ns/default/sa/productpage' }, DENIED],
    ['a missing path (Mixer required namespace, service, path and method)', { user: 'cluster.local/ns/default/sa/productpage', path: '' }, DENIED],
    ['a missing service', { user: 'cluster.local/ns/default/sa/productpage', service: undefined }, DENIED],
  ];
  for (const [name, overrides, expected] of cases) {
    it(name, async () => assert.equal(await decide(ROLES, overrides), expected));
  }

  it('denies everything when roles are configured but empty', async () => {
    assert.equal(await decide({ roles: [] }, { user: 'anyone' }), DENIED);
    assert.equal(await decide({}, { user: 'anyone' }), 'ALLOW', 'without roles or bindings the request is allowed');
  });

  it('lets AuthorizationPolicies decide first, and roles only where no policy applies', async () => {
    const params = {
      ...ROLES,
      policies: [
        { name: 'ratings-open', namespace: 'default', selector: { matchLabels: { app: 'ratings' } }, rules: [{}] },
        { name: 'no-delete', action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] },
      ],
    };
    assert.equal(await decide(params, { user: 'mallory', labels: { app: 'ratings' } }), 'ALLOW', 'an ALLOW policy on the workload decides');
    assert.equal(await decide(params, { user: 'mallory', labels: { app: 'reviews' } }), DENIED, 'no policy applies: roles decide');
    assert.equal(await decide(params, { user: 'cluster.local/ns/default/sa/productpage', labels: { app: 'reviews' } }), 'ALLOW');
    assert.equal(
      await decide(params, { user: 'cluster.local/ns/ops/sa/admin', workloadNamespace: 'ops', service: 'grafana', ip: '10.1.1.1', method: 'DELETE' }),
      'RBAC: access denied by DENY policy no-delete (rules[0])',
      'a DENY policy wins over a role',
    );
  });
});
