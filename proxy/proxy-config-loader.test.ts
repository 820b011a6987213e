import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StringMap } from '../core/attribute/string-map.js';
import { Timestamp } from '../core/attribute/timestamp.js';
import { buildProxyConfig, DEFAULT_CONNECTION_LIMITS } from './proxy-config-loader.js';
import { ProxyConfigError } from './proxy-config-error.js';
import { FailPolicy, ListenerProtocol, MixerWire } from './proxy-config.js';
import { parseYamlText } from './yaml-fields.js';

const build = (yaml: string) => buildProxyConfig(parseYamlText('proxy.yaml', yaml), '/etc/mesh');

function problems(yaml: string): { line: number; field: string; message: string }[] {
  try {
    build(yaml);
  } catch (error) {
    assert.ok(error instanceof ProxyConfigError, String(error));
    assert.equal(error.code, 'MIXER_ERR_PROXY_CONFIG');
    return error.problems.map(({ line, field, message }) => ({ line, field, message }));
  }
  assert.fail('expected a ProxyConfigError');
}

test('a full config becomes a typed, defaulted config', () => {
  const config = build(`workload:
  name: reviews-v2-abc
  namespace: bookstore
  labels: { app: reviews, version: v2 }
inbound:
  listen: 127.0.0.1:15006
  app: 127.0.0.1:9080
outbound:
  listen: 0.0.0.0:15001
mixer:
  address: grpc://mixer:9091
  failPolicy: FAIL_OPEN
quotaSpecs:
- rules:
  - match:
    - clause:
        request.url_path: { prefix: /api }
    quotas:
    - { quota: requestcount, charge: 2 }
registry: registry.yaml
`);
  assert.equal(config.workload.uid, 'kubernetes://reviews-v2-abc.bookstore');
  assert.equal(config.workload.service.name, 'reviews', 'the app label names the service');
  assert.equal(config.workload.service.host, 'reviews.bookstore.svc.cluster.local');
  assert.deepEqual(config.inbound, { listen: { host: '127.0.0.1', port: 15006 }, app: { host: '127.0.0.1', port: 9080 }, protocol: ListenerProtocol.HTTP });
  assert.equal(config.outbound?.listen.host, '0.0.0.0');
  assert.equal(config.mixer.wire, MixerWire.GRPC);
  assert.equal(config.mixer.failPolicy, FailPolicy.FAIL_OPEN);
  assert.equal(config.mixer.checkCacheEntries, 10_000);
  assert.equal(config.quotaRules[0]?.quotas[0]?.charge, 2);
  assert.equal(config.registryFile, '/etc/mesh/registry.yaml');
  assert.ok(Object.isFrozen(config));
});

test('the fail policy defaults to FAIL_CLOSE (Istio 1.4 Helm default) and http:// selects the JSON API', () => {
  const config = build('workload: { name: a }\ninbound: { listen: "127.0.0.1:0", app: "127.0.0.1:80" }\nmixer: { address: "http://127.0.0.1:9092" }\n');
  assert.equal(config.mixer.failPolicy, FailPolicy.FAIL_CLOSE);
  assert.equal(config.mixer.wire, MixerWire.HTTP);
});

test('every problem is reported with its line and field path', () => {
  const found = problems(`workload:
  name: a
  lables: { app: x }
inbound:
  listen: 127.0.0.1:99999
  app: 127.0.0.1:80
mixer:
  address: grpc://mixer:9091
  failPolicy: SOMETIMES
  timeoutMs: -3
quotaSpecs:
- rules:
  - match:
    - clause:
        request.path: { regex: "(" }
    quotas: []
`);
  const byField = new Map(found.map((problem) => [problem.field, problem]));
  assert.equal(byField.get('workload.lables')?.line, 3);
  assert.match(byField.get('workload.lables')?.message ?? '', /unknown field/);
  assert.equal(byField.get('inbound.listen')?.line, 5);
  assert.equal(byField.get('mixer.failPolicy')?.line, 9);
  assert.equal(byField.get('mixer.timeoutMs')?.line, 10);
  assert.equal(byField.get('quotaSpecs[0].rules[0].match[0].clause.request.path.regex')?.line, 15);
  assert.match(byField.get('quotaSpecs[0].rules[0].quotas')?.message ?? '', /at least one quota/);
  assert.equal(found.length, 6, JSON.stringify(found));
});

test('missing essentials are named', () => {
  const found = problems('workload: {}\nmixer: {}\noutbound: { listen: "127.0.0.1:0" }\n');
  const fields = found.map((problem) => problem.field).sort();
  assert.deepEqual(fields, ['mixer.address', 'registry', 'workload.name']);
  assert.ok(problems('').some((problem) => problem.field === '' && /required/.test(problem.message)));
  assert.ok(problems('workload: { name: a }\nmixer: { address: "grpc://m:1" }\n').some((problem) => /nothing to run/.test(problem.message)));
});

test('a YAML syntax error names its line', () => {
  const found = problems('workload:\n  name: [unclosed\n');
  assert.ok(found[0]!.line >= 2);
  assert.match(found[0]!.message, /YAML syntax/);
});

test("mixerAttributes (Istio's mixer_attributes) are typed by the vocabulary; others keep their YAML type", () => {
  const config = build(`workload: { name: ratings-v1 }
inbound: { listen: "127.0.0.1:0", app: "127.0.0.1:9080" }
mixer: { address: "grpc://mixer:9091" }
mixerAttributes:
  destination.service.uid: istio://default/services/ratings
  destination.port: "9080"
  request.time: 2026-11-25T10:00:00Z
  team.labels: { owner: payments }
  team.size: 7
`);
  const attributes = new Map(config.mixerAttributes);
  assert.equal(attributes.get('destination.service.uid'), 'istio://default/services/ratings');
  assert.equal(attributes.get('destination.port'), 9080, 'INT64 in the vocabulary, even when written as text');
  assert.ok(attributes.get('request.time') instanceof Timestamp);
  assert.deepEqual((attributes.get('team.labels') as StringMap).toObject(), { owner: 'payments' });
  assert.equal(attributes.get('team.size'), 7);
  assert.deepEqual(build('workload: { name: a }\ninbound: { listen: "127.0.0.1:0", app: "127.0.0.1:1" }\nmixer: { address: "grpc://m:1" }\n').mixerAttributes, []);
});

test('a mixerAttributes value of the wrong type, or a bad name, is named with its line', () => {
  const found = problems(`workload: { name: a }
inbound: { listen: "127.0.0.1:0", app: "127.0.0.1:1" }
mixer: { address: "grpc://m:1" }
mixerAttributes:
  response.code: two hundred
  "not an attribute": x
  custom.list: [1, 2]
`);
  assert.deepEqual(
    found.map(({ line, field }) => ({ line, field })),
    [
      { line: 5, field: 'mixerAttributes.response.code' },
      { line: 6, field: 'mixerAttributes.not an attribute' },
      { line: 7, field: 'mixerAttributes.custom.list' },
    ],
  );
  assert.match(found[0]!.message, /expected INT64, got "two hundred"/);
  assert.match(found[1]!.message, /is not an attribute name/);
  assert.match(found[2]!.message, /^custom\.list: undeclared attribute with a value of no attribute type \(array\)$/);
});

test('limits: defaults on every listener, overridden field by field; bad values are refused with line and field', () => {
  const base = 'workload: { name: a }\ninbound: { listen: "127.0.0.1:0", app: "127.0.0.1:80" }\nmixer: { address: "grpc://127.0.0.1:9091" }\n';
  assert.deepEqual(build(base).limits, { maxConnections: 4096, headerTimeoutMs: 10_000, idleTimeoutMs: 60_000, tcpIdleTimeoutMs: 3_600_000 });
  assert.deepEqual(build(base).limits, DEFAULT_CONNECTION_LIMITS);
  const set = build(`${base}limits:\n  maxConnections: 10\n  headerTimeoutMs: 0\n  tcpIdleTimeoutMs: "250"\n`).limits;
  assert.deepEqual(set, { maxConnections: 10, headerTimeoutMs: 0, idleTimeoutMs: 60_000, tcpIdleTimeoutMs: 250 });
  assert.ok(Object.isFrozen(set));
  assert.deepEqual(problems(`${base}limits:\n  maxConnections: 0\n  headerTimeoutMs: -1\n  idleTimeoutMs: 2147483648\n  tcpIdleTimeoutMs: 1.5\n  idle: 3\n`), [
    { line: 9, field: 'limits.idle', message: 'unknown field (known: maxConnections, headerTimeoutMs, idleTimeoutMs, tcpIdleTimeoutMs)' },
    { line: 5, field: 'limits.maxConnections', message: 'expected an integer >= 1, got number 0' },
    { line: 6, field: 'limits.headerTimeoutMs', message: 'expected an integer from 0 (off) to 2147483647 (ms), got number -1' },
    { line: 7, field: 'limits.idleTimeoutMs', message: 'expected an integer from 0 (off) to 2147483647 (ms), got number 2147483648' },
    { line: 8, field: 'limits.tcpIdleTimeoutMs', message: 'expected an integer from 0 (off) to 2147483647 (ms), got number 1.5' },
  ]);
  assert.deepEqual(problems(`${base}limits: 5\n`), [{ line: 4, field: 'limits', message: 'expected a mapping, got number 5' }]);
});
