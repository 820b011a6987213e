import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ValueType } from '../../core/attribute/value-type.js';
import type { InstanceConfig } from '../sdk/adapter-info.js';
import { configProblems } from '../sdk/testing/index.js';
import { rbac } from './index.js';

const info = rbac.info;
const problems = (params: unknown, instances: readonly InstanceConfig[] = []) => configProblems(info, { params, instances });
const policy = (rules: unknown, extra: Record<string, unknown> = {}) => ({ policies: [{ name: 'p', namespace: 'ns', rules, ...extra }] });

describe('rbac config validation (Istio\'s AuthorizationPolicy checks, with field paths)', () => {
  it('accepts the empty config and a complete policy', () => {
    assert.deepEqual(problems({}), []);
    assert.deepEqual(
      problems(policy([{
        from: [{ source: { principals: ['a'], notPrincipals: ['b'], requestPrincipals: ['*'], namespaces: ['x*'], ipBlocks: ['10.0.0.0/8', '::1'], notIpBlocks: ['10.1.0.0/16'] } }],
        to: [{ operation: { methods: ['GET'], paths: ['/a*'], ports: ['80', '65535'], hosts: ['*.example.com'] } }],
        when: [{ key: 'request.headers[x-a]', values: ['1'] }, { key: 'destination.port', notValues: ['0'] }],
      }])),
      [],
    );
  });

  it('rejects bad CIDRs, addresses and ports', () => {
    assert.deepEqual(problems(policy([{ from: [{ source: { ipBlocks: ['10.0.0.0/33', 'ten', '1.2.3.4'], notIpBlocks: ['::1/129'] } }], to: [{ operation: { ports: ['http', '70000', '-1'] } }] }])), [
      { field: 'params.policies[0].rules[0].from[0].source.ipBlocks[0]', message: 'bad CIDR range (10.0.0.0/33): invalid CIDR address: 10.0.0.0/33' },
      { field: 'params.policies[0].rules[0].from[0].source.ipBlocks[1]', message: 'bad IP address (ten)' },
      { field: 'params.policies[0].rules[0].from[0].source.notIpBlocks[0]', message: 'bad CIDR range (::1/129): invalid CIDR address: ::1/129' },
      { field: 'params.policies[0].rules[0].to[0].operation.ports[0]', message: 'bad port (http): must be an integer from 0 to 65535' },
      { field: 'params.policies[0].rules[0].to[0].operation.ports[1]', message: 'bad port (70000): must be an integer from 0 to 65535' },
      { field: 'params.policies[0].rules[0].to[0].operation.ports[2]', message: 'bad port (-1): must be an integer from 0 to 65535' },
    ]);
  });

  it('rejects unknown, reserved and malformed `when` keys, and conditions without values', () => {
    const when = (key: string, values: string[] = ['x']) => problems(policy([{ when: [{ key, values }] }]));
    const at = 'params.policies[0].rules[0].when[0].key';
    assert.deepEqual(when('request.method'), [{ field: at, message: 'invalid `key` request.method: unknown attribute: request.method (supported: request.headers[<name>], request.auth.claims[<claim>], source.ip, remote.ip, source.namespace, source.principal, request.auth.principal, request.auth.audiences, request.auth.presenter, destination.ip, destination.port, connection.sni), found in ns/p' }]);
    assert.deepEqual(when('destination.labels[app]'), [{ field: at, message: 'invalid `key` destination.labels[app]: attribute destination.labels[app] is replaced by the workload selector, found in ns/p' }]);
    assert.deepEqual(when('destination.namespace'), [{ field: at, message: 'invalid `key` destination.namespace: attribute destination.namespace is replaced by the metadata.namespace, found in ns/p' }]);
    assert.deepEqual(when('destination.user'), [{ field: at, message: 'invalid `key` destination.user: deprecated attribute destination.user: only supported in v1alpha1, found in ns/p' }]);
    assert.deepEqual(when('request.headers'), [{ field: at, message: 'invalid `key` request.headers: bad key (request.headers): should have format a[b], found in ns/p' }]);
    assert.deepEqual(when('request.headers[]'), [{ field: at, message: 'invalid `key` request.headers[]: bad key (request.headers[]): should have format a[b], found in ns/p' }]);
    assert.deepEqual(when('request.auth.claims[a][b]'), [{ field: at, message: 'invalid `key` request.auth.claims[a][b]: nested claims (request.auth.claims[a][b]) are not supported: the claims map is flat, found in ns/p' }]);
    assert.match(when('experimental.envoy.filters.a[b]')[0]!.message, /Envoy filter metadata/);
    assert.deepEqual(when('', ['x']), [{ field: at, message: '`key` must not be empty, found in ns/p' }]);
    assert.deepEqual(when('source.ip', []), [{ field: 'params.policies[0].rules[0].when[0]', message: 'at least one of `values` or `notValues` must be set for key source.ip, found in ns/p' }]);
    assert.deepEqual(when('source.ip', ['10.0.0.1/40']), [{ field: 'params.policies[0].rules[0].when[0].values[0]', message: 'bad CIDR range (10.0.0.1/40): invalid CIDR address: 10.0.0.1/40' }]);
    assert.deepEqual(when('destination.port', ['x']), [{ field: 'params.policies[0].rules[0].when[0].values[0]', message: 'bad port (x): must be an integer from 0 to 65535' }]);
  });

  it('rejects empty lists, missing and empty sources and operations, and empty values', () => {
    assert.deepEqual(problems(policy([{ from: [], to: [] }])), [
      { field: 'params.policies[0].rules[0].from', message: '`from` must not be empty, found in ns/p' },
      { field: 'params.policies[0].rules[0].to', message: '`to` must not be empty, found in ns/p' },
    ]);
    assert.deepEqual(problems(policy([{ from: [{}, { source: {} }], to: [{ operation: {} }] }])), [
      { field: 'params.policies[0].rules[0].from[0].source', message: '`from.source` must not be nil, found in ns/p' },
      { field: 'params.policies[0].rules[0].from[1].source', message: '`from.source` must not be empty, found in ns/p' },
      { field: 'params.policies[0].rules[0].to[0].operation', message: '`to.operation` must not be empty, found in ns/p' },
    ]);
    assert.deepEqual(problems(policy([{ from: [{ source: { notPrincipals: ['a', ''] } }] }])), [
      { field: 'params.policies[0].rules[0].from[0].source.notPrincipals', message: 'empty value not allowed, found in NotPrincipals' },
    ]);
  });

  it('rejects DENY policies without rules, AUDIT and CUSTOM, wildcard selectors and duplicate names', () => {
    assert.deepEqual(problems({ policies: [{ name: 'd', action: 'DENY' }, { name: 'e', namespace: 'ns', action: 1, rules: [] }] }), [
      { field: 'params.policies[0].rules', message: 'a deny policy without `rules` is meaningless and has no effect, found in d' },
      { field: 'params.policies[1].rules', message: 'a deny policy without `rules` is meaningless and has no effect, found in ns/e' },
    ]);
    assert.deepEqual(problems({ policies: [{ name: 'a', action: 'AUDIT', rules: [{}] }, { name: 'c', action: 3 }] }), [
      { field: 'params.policies[0].action', message: 'action AUDIT is not supported by the rbac adapter (ALLOW or DENY)' },
      { field: 'params.policies[1].action', message: 'action CUSTOM is not supported by the rbac adapter (ALLOW or DENY)' },
    ]);
    assert.deepEqual(problems({ policies: [{ name: 'a', action: 'AUDIT', rules: [{ to: [{ operation: { ports: ['http'] } }] }] }] }), [
      { field: 'params.policies[0].action', message: 'action AUDIT is not supported by the rbac adapter (ALLOW or DENY)' },
      { field: 'params.policies[0].rules[0].to[0].operation.ports[0]', message: 'bad port (http): must be an integer from 0 to 65535' },
    ], 'the rules of a policy with an unsupported action are still checked');
    assert.deepEqual(problems(policy([{}], { selector: { matchLabels: { app: 'web*' } } })), [
      { field: 'params.policies[0].selector.matchLabels', message: 'wildcard is not supported in selector: "app=web*"' },
    ]);
    assert.deepEqual(problems({ policies: [{ name: 'p', namespace: 'a' }, { name: 'p', namespace: 'b' }, { name: 'p', namespace: 'a' }] }), [
      { field: 'params.policies[2].name', message: 'duplicate policy a/p, first at params.policies[0]' },
    ]);
  });

  it('reports schema problems with their paths, accepting snake_case', () => {
    assert.deepEqual(problems({ policies: [{ name: 'p', rules: [{ from: [{ source: { not_principals: ['x'], ip_blocks: ['10.0.0.0/8'] } }] }] }] }), []);
    const found = problems({ policies: [{ rules: [{ from: [{ source: { users: ['x'] } }] }], action: 'MAYBE' }], validUseCount: -1, extra: 1 });
    assert.deepEqual([...new Set(found.map((entry) => entry.field))].sort(), ['params.extra', 'params.policies[0].action', 'params.policies[0].name', 'params.policies[0].rules[0].from[0].source.users', 'params.validUseCount']);
  });

  it('rejects Istio rbac\'s config store and negative durations', () => {
    assert.deepEqual(problems({ configStoreUrl: 'k8s://', validDuration: '-1s', cache_duration: '-2s' }), [
      { field: 'params.configStoreUrl', message: 'not supported: list ServiceRole and ServiceRoleBinding specs in params.roles and params.bindings' },
      { field: 'params.validDuration', message: 'must be >= 0, it is -1s' },
      { field: 'params.cacheDuration', message: 'must be >= 0, it is -2s' },
    ]);
  });
});

describe('rbac instance convention checks', () => {
  const instance = (subject: Record<string, ValueType>, action: Record<string, ValueType>): InstanceConfig => ({
    name: 'req.instance.istio-system',
    template: 'authorization',
    types: {
      subject: { user: ValueType.STRING, groups: ValueType.STRING, properties: subject },
      action: { namespace: ValueType.STRING, service: ValueType.STRING, method: ValueType.STRING, path: ValueType.STRING, properties: action },
    },
  });
  const ipPolicy = policy([{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }], when: [{ key: 'request.headers[x]', values: ['y'] }] }]);

  it('accepts an instance that carries what the policies test, with the right types', () => {
    assert.deepEqual(problems(ipPolicy, [instance({ ip: ValueType.IP_ADDRESS, headers: ValueType.STRING_MAP }, { port: ValueType.INT64 })]), []);
    assert.deepEqual(problems(ipPolicy, [instance({ ip: ValueType.STRING, headers: ValueType.STRING_MAP }, {})]), [], 'an IP may come as text');
  });

  it('names the facts a policy tests that the instance does not carry', () => {
    assert.deepEqual(problems(ipPolicy, [instance({}, {})]), [
      { field: 'params.policies[0].rules[0].from[0].source.ipBlocks', message: 'instance \'req.instance.istio-system\' does not set subject.properties.ip, which policy ns/p tests: set it, or the policy cannot see that fact' },
      { field: 'params.policies[0].rules[0].when[0].key', message: 'instance \'req.instance.istio-system\' does not set subject.properties.headers, which policy ns/p tests: set it, or the policy cannot see that fact' },
    ]);
  });

  it('rejects properties of the wrong type', () => {
    assert.deepEqual(problems({}, [instance({ headers: ValueType.STRING, claims: ValueType.STRING_MAP }, { port: ValueType.DOUBLE, labels: ValueType.STRING_MAP })]), [
      { field: 'params', message: 'instance \'req.instance.istio-system\' sets subject.properties.headers to a STRING; rbac reads it as STRING_MAP' },
      { field: 'params', message: 'instance \'req.instance.istio-system\' sets action.properties.port to a DOUBLE; rbac reads it as INT64 or STRING or DNS_NAME or EMAIL_ADDRESS or URI' },
    ]);
  });
});

describe('ServiceRole and ServiceRoleBinding validation', () => {
  it('checks roles and bindings like Istio, and that bindings name existing roles', () => {
    const found = problems({
      roles: [
        { name: 'r', namespace: 'ns', rules: [{ services: ['*'], constraints: [{ key: '', values: [] }] }, { methods: ['GET'] }] },
        { name: 'empty', namespace: 'ns' },
        { name: 'r', namespace: 'ns', rules: [{ services: ['*'] }] },
      ],
      bindings: [
        { name: 'b', namespace: 'ns', subjects: [{ user: 'a' }, {}], roleRef: { kind: 'ServiceRole', name: 'r' } },
        { name: 'b2', namespace: 'ns', subjects: [{ group: 'g' }], roleRef: { kind: 'ClusterRole', name: 'r' } },
        { name: 'b3', namespace: 'other', subjects: [{ user: '*' }], roleRef: { name: 'r' } },
        { name: 'b4', namespace: 'ns' },
      ],
    });
    assert.deepEqual(found, [
      { field: 'params.roles[0].rules[0].constraints[0].key', message: 'key cannot be empty for constraint 0 in rule 0' },
      { field: 'params.roles[0].rules[0].constraints[0].values', message: 'at least 1 value must be specified for constraint 0 in rule 0' },
      { field: 'params.roles[0].rules[1].services', message: 'at least 1 service must be specified for rule 1' },
      { field: 'params.roles[1].rules', message: 'at least 1 rule must be specified' },
      { field: 'params.roles[2].name', message: 'duplicate ServiceRole: ns/r' },
      { field: 'params.bindings[0].subjects[1]', message: 'empty subjects are not allowed. Found an empty subject at index 1' },
      { field: 'params.bindings[1].roleRef.kind', message: 'roleBinding ns/b2 has role kind ClusterRole, expected ServiceRole' },
      { field: 'params.bindings[2].roleRef.name', message: 'roleBinding other/b3 is bound to a role that does not exist other/r' },
      { field: 'params.bindings[3].subjects', message: 'at least 1 subject must be specified' },
      { field: 'params.bindings[3].roleRef', message: 'roleRef must be specified' },
    ]);
  });
});
