import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// rbac config through a real Mixer's config store and hot reload: a bad handler or instance is
// rejected with `file:line: kind/namespace/name: field: why` for every problem, the running
// config keeps answering, and a good change replaces the policies without a restart.

const INSTANCE_SPEC = `compiledTemplate: authorization
params:
  subject:
    user: source.principal | ""
    properties:
      namespace: source.namespace | ""
      ip: source.ip | ip("0.0.0.0")
      claims: request.auth.claims | emptyStringMap()
  action:
    namespace: destination.namespace | ""
    method: request.method | ""
    path: request.path | ""
    properties:
      port: destination.port | 0`;

const RULE = resource('rule', 'authorization', 'actions:\n- handler: rbac\n  instances: [ requestcontext ]');

function handler(params: string): string {
  return resource('handler', 'rbac', `compiledAdapter: rbac\nparams:\n${params}`);
}

const READERS = handler(`  policies:
  - name: readers
    namespace: shop
    rules:
    - to:
      - operation:
          methods: ["GET"]`);

/** Every kind of problem rbac finds in one handler, each on its own line. */
const BROKEN = handler(`  validDuration: -5s
  policies:
  - name: auditing
    namespace: shop
    action: AUDIT
    rules:
    - from:
      - source:
          ipBlocks: ["10.0.0.0/33", "not-an-ip"]
      to:
      - operation:
          ports: ["http"]
      when:
      - key: request.auth.claims
        values: ["a"]
      - key: destination.labels[app]
        values: ["a"]
  - name: deny-nothing
    action: DENY
  - name: claims
    namespace: shop
    rules:
    - when:
      - key: request.auth.claims[iss]
      - key: request.headers[x-team]
        values: ["blue"]`);

/** The 1-based line of the first line of `yaml` containing `text` (after line `after`). */
function lineOf(yaml: string, text: string, after = 0): number {
  const index = yaml.split('\n').findIndex((line, number) => number >= after && line.includes(text));
  assert.ok(index >= 0, `${text} is in the config`);
  return index + 1;
}

describe('rbac config through a running Mixer', () => {
  let mixer: RunningMixer;
  let policies: string;

  const call = (method: string) => ({ attributes: { 'destination.namespace': 'shop', 'request.method': method, 'request.path': '/items', 'source.principal': 'cluster.local/ns/web/sa/frontend' } });
  const snapshotId = async () => Number((await mixer.get('/readyz')).body['snapshot']);
  const rejected = async () => ((await mixer.getMonitoring('/debug/config')).body as { lastRejected: { errors: string[] } | null }).lastRejected?.errors ?? [];
  /** Writes `yaml` as policies.yaml and waits until Mixer rejected it (an error naming `marker`). */
  const rejectChange = async (yaml: string, marker: string): Promise<string[]> => {
    await mixer.writeConfig('policies.yaml', yaml);
    await eventually(async () => (await rejected()).some((error) => error.includes(marker)), 5000, `the change with ${marker} to be rejected`);
    return rejected();
  };
  const servesReaders = async () => {
    assert.equal((await mixer.check(call('GET'))).body.precondition.status.code, 0);
    const denied = await mixer.check(call('POST'));
    assert.equal(denied.body.precondition.status.code, 7);
    assert.equal(denied.body.precondition.status.message, 'rbac.handler.istio-system:RBAC: access denied: no ALLOW policy matched (considered shop/readers)');
  };

  before(async () => {
    mixer = await startMixer({ 'instance.yaml': resource('instance', 'requestcontext', INSTANCE_SPEC), 'rule.yaml': RULE, 'policies.yaml': READERS });
    policies = join(mixer.configDir, 'policies.yaml');
  });
  after(() => mixer.close());

  test('the initial policies decide', async () => {
    assert.deepEqual(await rejected(), []);
    await servesReaders();
  });

  test('a broken handler is rejected with file:line, field and reason for every problem; the old policies keep serving', async () => {
    const before = await snapshotId();
    const errors = await rejectChange(BROKEN, 'auditing');
    const at = (text: string, field: string, message: string, after = 0) => `${policies}:${lineOf(BROKEN, text, after)}: handler/istio-system/rbac: spec.params.${field}: ${message}`;
    const expected = [
      at('validDuration', 'validDuration', 'must be >= 0, it is -5s'),
      at('action: AUDIT', 'policies[0].action', 'action AUDIT is not supported by the rbac adapter (ALLOW or DENY)'),
      at('ipBlocks', 'policies[0].rules[0].from[0].source.ipBlocks[0]', 'bad CIDR range (10.0.0.0/33): invalid CIDR address: 10.0.0.0/33'),
      at('ipBlocks', 'policies[0].rules[0].from[0].source.ipBlocks[1]', 'bad IP address (not-an-ip)'),
      at('ports', 'policies[0].rules[0].to[0].operation.ports[0]', 'bad port (http): must be an integer from 0 to 65535'),
      at('key: request.auth.claims', 'policies[0].rules[0].when[0].key', 'invalid `key` request.auth.claims: bad key (request.auth.claims): should have format a[b], found in shop/auditing'),
      at('key: destination.labels', 'policies[0].rules[0].when[1].key', 'invalid `key` destination.labels[app]: attribute destination.labels[app] is replaced by the workload selector, found in shop/auditing'),
      // `rules` is not written: the error points at the policy.
      at('name: deny-nothing', 'policies[1].rules', 'a deny policy without `rules` is meaningless and has no effect, found in deny-nothing'),
      at('key: request.auth.claims[iss]', 'policies[2].rules[0].when[0]', 'at least one of `values` or `notValues` must be set for key request.auth.claims[iss], found in shop/claims'),
      at('key: request.headers[x-team]', 'policies[2].rules[0].when[1].key', "instance 'requestcontext.instance.istio-system' does not set subject.properties.headers, which policy shop/claims tests: set it, or the policy cannot see that fact"),
    ];
    for (const error of expected) assert.ok(errors.includes(error), `missing:\n${error}\namong:\n${errors.join('\n')}`);
    assert.ok(errors.some((error) => /rule\.yaml:\d+: rule\/istio-system\/authorization: .*rbac\.handler\.istio-system/.test(error)), 'the rule routing to it is reported too');
    assert.equal(await snapshotId(), before, 'the active snapshot did not change');
    await servesReaders();
  });

  test('an unknown or misspelled field is a schema error at its line', async () => {
    const typo = handler(`  policies:
  - name: readers
    namespace: shop
    rules:
    - from:
      - source:
          principal: ["cluster.local/ns/web/sa/frontend"]`);
    const errors = await rejectChange(typo, 'principal');
    const expected = `${policies}:${lineOf(typo, 'principal:')}: handler/istio-system/rbac: spec.params.policies[0].rules[0].from[0].source.principal: unknown field`;
    assert.ok(errors.includes(expected), `missing:\n${expected}\namong:\n${errors.join('\n')}`);
    await servesReaders();
  });

  test('an instance property of the wrong type is rejected, naming the instance and the property', async () => {
    const wrongType = [handler(`  policies:
  - name: claims
    namespace: shop
    rules:
    - when:
      - key: request.auth.claims[team]
        values: ["blue"]`), resource('instance', 'claimsastext', INSTANCE_SPEC.replace('claims: request.auth.claims | emptyStringMap()', 'claims: request.path | ""')), resource('rule', 'claimsastext', 'actions:\n- handler: rbac\n  instances: [ claimsastext ]')].join('');
    const errors = await rejectChange(wrongType, 'claimsastext');
    assert.ok(
      errors.some((error) => error.startsWith(`${policies}:`) && error.endsWith("spec.params: instance 'claimsastext.instance.istio-system' sets subject.properties.claims to a STRING; rbac reads it as STRING_MAP")),
      errors.join('\n'),
    );
    await servesReaders();
  });

  test('a valid change replaces the policies without a restart', async () => {
    const before = await snapshotId();
    await mixer.writeConfig(
      'policies.yaml',
      handler(`  policies:
  - name: readers
    namespace: shop
    rules:
    - to:
      - operation:
          methods: ["GET", "POST"]
  - name: no-frontend-posts
    namespace: shop
    action: DENY
    rules:
    - from:
      - source:
          principals: ["cluster.local/ns/web/sa/frontend"]
      to:
      - operation:
          methods: ["POST"]`),
    );
    await eventually(async () => (await snapshotId()) > before, 5000, 'the new policies to apply');
    const denied = await mixer.check(call('POST'));
    assert.equal(denied.body.precondition.status.message, 'rbac.handler.istio-system:RBAC: access denied by DENY policy shop/no-frontend-posts (rules[0])');
    const other = await mixer.check({ attributes: { ...call('POST').attributes, 'source.principal': 'cluster.local/ns/web/sa/backend' } });
    assert.equal(other.body.precondition.status.code, 0);
    assert.equal((await mixer.check(call('DELETE'))).body.precondition.status.code, 7);
  });
});
