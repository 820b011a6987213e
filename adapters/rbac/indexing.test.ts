import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { rbacParams, type AuthorizationPolicySpec } from './params.js';
import { compilePolicies } from './policy-compiler.js';
import { AuthorizationPolicyEngine, type PolicyDecision } from './policy-engine.js';
import { authorizationInstance, type RequestFixture } from './request-fixture.js';
import { RequestFacts } from './request-facts.js';

// The check path stays cheap with thousands of policies: workloads find their policies by
// namespace and selector, and rules requiring exact values are looked up, not scanned. The
// assertions count evaluated rules, not time.

function engine(policies: unknown[]): AuthorizationPolicyEngine {
  const parsed = rbacParams.parse({ policies });
  assert.ok(parsed.ok);
  const compiled = compilePolicies(parsed.value.policies, parsed.value.rootNamespace);
  assert.deepEqual(compiled.problems, []);
  return new AuthorizationPolicyEngine(compiled.policies);
}

function decide(target: AuthorizationPolicyEngine, request: RequestFixture): PolicyDecision {
  return target.evaluate(new RequestFacts(authorizationInstance({ workloadNamespace: 'default', method: 'GET', path: '/', ...request })));
}

const MANY = 5000;
const range = (count: number) => Array.from({ length: count }, (_, index) => index);

describe('rbac indexes', () => {
  it('looks up ALLOW rules by exact principal', () => {
    const target = engine(range(MANY).map((index): Partial<AuthorizationPolicySpec> => ({
      name: `allow-${index}`, namespace: 'default', rules: [{ from: [{ source: { principals: [`cluster.local/ns/default/sa/sa-${index}`] } }] }],
    })));
    const allowed = decide(target, { user: 'cluster.local/ns/default/sa/sa-4321' });
    assert.equal(allowed.kind, 'allowed');
    assert.equal(allowed.stats.rulesEvaluated, 1);
    const denied = decide(target, { user: 'cluster.local/ns/default/sa/stranger' });
    assert.equal(denied.kind, 'not-allowed');
    assert.equal(denied.stats.rulesEvaluated, 0);
    if (denied.kind === 'not-allowed') assert.equal(denied.refusal.considered.length, MANY);
  });

  it('finds the first matching DENY in config order among indexed and scanned rules', () => {
    const target = engine([
      ...range(MANY).map((index) => ({ name: `deny-path-${index}`, namespace: 'default', action: 'DENY', rules: [{ to: [{ operation: { paths: [`/p/${index}`] } }] }] })),
      { name: 'deny-prefix', namespace: 'default', action: 'DENY', rules: [{ to: [{ operation: { paths: ['/p/*'] } }] }] },
      { name: 'deny-host', namespace: 'default', action: 'DENY', rules: [{ to: [{ operation: { hosts: ['Admin.Example.com'] } }] }] },
    ]);
    const exact = decide(target, { path: '/p/17' });
    assert.equal(exact.kind === 'denied' && exact.rule.policy.id, 'default/deny-path-17');
    assert.equal(exact.stats.rulesEvaluated, 1, 'the scanned prefix rule comes later in config order and is skipped');
    const prefix = decide(target, { path: '/p/x' });
    assert.equal(prefix.kind === 'denied' && prefix.rule.policy.id, 'default/deny-prefix');
    assert.equal(prefix.stats.rulesEvaluated, 1);
    const host = decide(target, { path: '/', host: 'ADMIN.example.COM' });
    assert.equal(host.kind === 'denied' && host.rule.policy.id, 'default/deny-host', 'indexed hosts compare case-insensitively');
    assert.equal(decide(target, { path: '/q' }).kind, 'no-policy');
  });

  it('indexes a rule only under a fact every alternative requires', () => {
    const target = engine([
      { name: 'two-sources', namespace: 'default', rules: [{ from: [{ source: { principals: ['a'] } }, { source: { principals: ['b'], namespaces: ['x'] } }] }] },
      { name: 'mixed', namespace: 'default', rules: [{ from: [{ source: { principals: ['c'] } }, { source: { namespaces: ['y'] } }] }] },
      { name: 'negated', namespace: 'default', rules: [{ from: [{ source: { notPrincipals: ['d'] } }], to: [{ operation: { methods: ['PATCH'] } }] }] },
    ]);
    const group = target.workloads.allGroups[0]!;
    assert.equal(group.allow.size, 3);
    assert.equal(group.allow.scannedCount, 1, 'only `mixed` has no fact every alternative requires');
    assert.equal(decide(target, { user: 'b', namespace: 'x' }).kind, 'allowed');
    assert.equal(decide(target, { user: 'b', namespace: 'z' }).kind, 'not-allowed');
    assert.equal(decide(target, { user: 'e', namespace: 'y' }).kind, 'allowed');
    assert.equal(decide(target, { user: 'e', method: 'PATCH' }).kind, 'allowed');
    assert.equal(decide(target, { user: 'd', method: 'PATCH' }).kind, 'not-allowed');
  });

  it('finds a workload\'s policies by namespace and selector without visiting the others', () => {
    const target = engine([
      ...range(MANY).map((index) => ({ name: `svc-${index}`, namespace: `ns-${index % 50}`, selector: { matchLabels: { app: `svc-${index}`, tier: 'backend' } }, rules: [{}] })),
      { name: 'mesh-deny', action: 'DENY', rules: [{ from: [{ source: { principals: ['evil'] } }] }] },
    ]);
    const groups = (namespace: string, labels: Record<string, string>) => target.workloads.groupsFor(namespace, (key) => labels[key]);
    assert.equal(groups('ns-17', { app: 'svc-1017', tier: 'backend' }).length, 2, 'the mesh group and svc-1017\'s');
    assert.equal(groups('ns-17', { app: 'svc-1017', tier: 'frontend' }).length, 1, 'the whole selector must match');
    assert.equal(groups('ns-18', { app: 'svc-1017', tier: 'backend' }).length, 1, 'svc-1017 lives in ns-17');
    const allowed = decide(target, { workloadNamespace: 'ns-17', labels: { app: 'svc-1017', tier: 'backend' } });
    assert.equal(allowed.kind, 'allowed');
    assert.equal(allowed.stats.rulesEvaluated, 1, 'the mesh DENY is indexed by principal; one ALLOW rule evaluated');
    const other = decide(target, { workloadNamespace: 'ns-17', labels: { app: 'unknown' } });
    assert.equal(other.kind, 'no-policy');
  });
});
