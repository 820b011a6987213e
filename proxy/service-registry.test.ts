import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProxyConfigError } from './proxy-config-error.js';
import { ServiceRegistry, parseServiceRegistry, stripPort } from './service-registry.js';
import { parseYamlText } from './yaml-fields.js';

const REGISTRY = `services:
- host: ratings.default.svc.cluster.local
  endpoints:
  - { address: "127.0.0.1:9001", labels: { version: v1 } }
  - { address: "127.0.0.1:9002", labels: { version: v2 } }
  - { address: "127.0.0.1:9003", healthy: false }
- host: db.storage.svc.cluster.local
  protocol: tcp
  outboundPort: 15432
  endpoints: []
`;

function registry(now: () => number = () => 0): ServiceRegistry {
  return new ServiceRegistry(parseServiceRegistry(parseYamlText('registry.yaml', REGISTRY)), now, 1000);
}

test('hosts resolve by full name and by short names in the caller namespace, with or without a port', () => {
  const services = registry();
  assert.equal(services.resolve('ratings.default.svc.cluster.local', 'x')?.name, 'ratings');
  assert.equal(services.resolve('ratings:9080', 'default')?.host, 'ratings.default.svc.cluster.local');
  assert.equal(services.resolve('ratings.default', 'other')?.namespace, 'default');
  assert.equal(services.resolve('ratings', 'other'), undefined, 'a short name resolves in the caller namespace only');
  assert.equal(services.resolve('example.com', 'default'), undefined);
  assert.equal(stripPort('[::1]:80'), '[::1]');
});

test('round-robin over healthy endpoints only', () => {
  const services = registry();
  const ratings = services.resolve('ratings', 'default')!;
  const ports = Array.from({ length: 4 }, () => services.pick(ratings)?.port);
  assert.deepEqual(ports, [9001, 9002, 9001, 9002]);
  assert.equal(services.pick(services.resolve('db.storage.svc.cluster.local', '')!), undefined, 'no endpoints: nothing to pick');
});

test('an ejected endpoint is skipped until its ejection ends; all ejected means all are tried', () => {
  let now = 0;
  const services = registry(() => now);
  const ratings = services.resolve('ratings', 'default')!;
  const first = ratings.endpoints[0]!;
  services.eject(first);
  assert.deepEqual(Array.from({ length: 3 }, () => services.pick(ratings)?.port), [9002, 9002, 9002]);
  services.eject(ratings.endpoints[1]!);
  assert.ok([9001, 9002].includes(services.pick(ratings)!.port), 'panic mode');
  now = 1001;
  assert.deepEqual(new Set(Array.from({ length: 4 }, () => services.pick(ratings)?.port)), new Set([9001, 9002]));
});

test('tcp services need an outbound port; problems name file, line and field', () => {
  assert.equal(registry().tcpServices().length, 1);
  try {
    parseServiceRegistry(parseYamlText('registry.yaml', 'services:\n- host: a\n  protocol: tcp\n  endpoints:\n  - address: nowhere\n- host: a\n'));
    assert.fail('expected a ProxyConfigError');
  } catch (error) {
    assert.ok(error instanceof ProxyConfigError);
    const fields = error.problems.map((problem) => `${problem.line}:${problem.field}`).sort();
    assert.deepEqual(fields, ['2:services[0].outboundPort', '5:services[0].endpoints[0].address', '6:services[1].host']);
    assert.match(error.message, /^registry\.yaml:\d+: /);
  }
});
