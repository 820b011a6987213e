import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// End to end through the HTTP API: a real Mixer server in-process, real adapters, real config.

const DENY = [
  resource('handler', 'denyratings', 'compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: Not allowed\n  validDuration: 7s\n  validUseCount: 70'),
  resource('instance', 'denyrequest', 'compiledTemplate: checknothing'),
  resource('rule', 'denyratings', 'match: destination.labels["app"] == "ratings" && source.labels["version"] == "v3"\nactions:\n- handler: denyratings\n  instances: [ denyrequest ]'),
].join('');

function listConfig(name: string, entryType: string, overrides: string, value: string, match: string, blacklist = false): string {
  return [
    resource('handler', `${name}list`, `compiledAdapter: listchecker\nparams:\n  overrides: ${overrides}\n  entryType: ${entryType}\n  blacklist: ${blacklist}`),
    resource('instance', `${name}value`, `compiledTemplate: listentry\nparams:\n  value: ${value}`),
    resource('rule', `${name}rule`, `match: ${match}\nactions:\n- handler: ${name}list\n  instances: [ ${name}value ]`),
  ].join('');
}

const LISTS = [
  listConfig('strings', 'STRINGS', '["productpage"]', 'source.labels["app"] | "unknown"', 'destination.labels["app"] == "details"'),
  listConfig('caseless', 'CASE_INSENSITIVE_STRINGS', '["Alice", "BOB"]', 'request.headers["x-user"] | ""', 'destination.labels["app"] == "admin"'),
  listConfig('ips', 'IP_ADDRESSES', '["10.0.0.0/8", "2001:db8::/32"]', 'source.ip | ip("0.0.0.0")', 'destination.labels["app"] == "internal"', true),
  listConfig('paths', 'REGEX', '["^/private/.*", "\\\\.php$"]', 'request.path | "/"', 'destination.labels["app"] == "web"', true),
].join('');

const HEADERS = resource(
  'rule',
  'reviewsheaders',
  [
    'match: destination.labels["app"] == "reviews"',
    'requestHeaderOperations:',
    '- name: x-caller',
    '  values: [ \'source.labels["app"] | "unknown"\', \'request.headers["x-missing"] | ""\' ]',
    '- name: x-tier',
    '  values: [ \'"gold"\' ]',
    '  operation: APPEND',
    'responseHeaderOperations:',
    '- name: x-powered-by',
    '  operation: REMOVE',
  ].join('\n'),
);

const NAMESPACED = [
  resource('handler', 'denyall', 'compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: bookstore only', 'bookstore'),
  resource('instance', 'nothing', 'compiledTemplate: checknothing', 'bookstore'),
  resource('rule', 'denyall', 'actions:\n- handler: denyall\n  instances: [ nothing ]', 'bookstore'),
].join('');

const LEGACY = `apiVersion: config.istio.io/v1alpha2
kind: denier
metadata:
  name: handler
  namespace: istio-system
spec:
  status:
    code: 16
    message: legacy denier
---
apiVersion: config.istio.io/v1alpha2
kind: checknothing
metadata:
  name: denyrequest
  namespace: istio-system
spec:
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata:
  name: legacydeny
  namespace: istio-system
spec:
  match: destination.labels["app"] == "legacy"
  actions:
  - handler: handler.denier
    instances: [ denyrequest.checknothing ]
`;

function labels(destination: string, source: Record<string, string> = {}): Record<string, unknown> {
  return { 'destination.labels': { app: destination }, 'source.labels': source };
}

const NOOP = [
  resource('handler', 'allowall', 'compiledAdapter: noop'),
  resource('instance', 'noopcheck', 'compiledTemplate: checknothing'),
  resource('rule', 'noop', 'match: destination.labels["app"] == "open"\nactions:\n- handler: allowall\n  instances: [ noopcheck ]'),
].join('');

describe('Check through the HTTP API', () => {
  let mixer: RunningMixer;
  before(async () => {
    mixer = await startMixer({ 'deny.yaml': DENY, 'lists.yaml': LISTS, 'headers.yaml': HEADERS, 'namespaced.yaml': NAMESPACED, 'legacy.yaml': LEGACY, 'noop.yaml': NOOP });
  });
  after(() => mixer.close());

  test('an allowed request gets OK with Istio defaults and the attributes its rules read', async () => {
    const { status, body } = await mixer.check({ attributes: labels('productpage') });
    assert.equal(status, 200);
    assert.equal(body.precondition.status.code, 0);
    assert.equal(body.precondition.validDuration, '60s');
    assert.equal(body.precondition.validUseCount, 10000);
    const referenced = body.precondition.referencedAttributes.attributeMatches.map((match) => `${match.condition}:${match.name}${match.mapKey === undefined ? '' : `[${match.mapKey}]`}`);
    assert.ok(referenced.includes('EXACT:destination.labels[app]'));
    assert.ok(referenced.includes('ABSENCE:context.reporter.kind'));
  });

  test('the denier denies with its status, validity and the handler in the message', async () => {
    const { body } = await mixer.check({ attributes: labels('ratings', { app: 'reviews', version: 'v3' }) });
    assert.equal(body.precondition.status.code, 7);
    assert.equal(body.precondition.status.message, 'denyratings.handler.istio-system:Not allowed');
    assert.equal(body.precondition.validDuration, '7s');
    assert.equal(body.precondition.validUseCount, 70);
    const allowed = await mixer.check({ attributes: labels('ratings', { app: 'reviews', version: 'v2' }) });
    assert.equal(allowed.body.precondition.status.code, 0);
  });

  test('a STRINGS whitelist admits listed values and denies the rest', async () => {
    assert.equal((await mixer.check({ attributes: labels('details', { app: 'productpage' }) })).body.precondition.status.code, 0);
    const denied = await mixer.check({ attributes: labels('details', { app: 'reviews' }) });
    assert.equal(denied.body.precondition.status.code, 7);
    assert.equal(denied.body.precondition.status.message, 'stringslist.handler.istio-system:reviews is not whitelisted');
    const unknown = await mixer.check({ attributes: labels('details') });
    assert.equal(unknown.body.precondition.status.message, 'stringslist.handler.istio-system:unknown is not whitelisted');
  });

  test('a CASE_INSENSITIVE_STRINGS whitelist ignores case', async () => {
    const as = (user: string) => ({ attributes: { ...labels('admin'), 'request.headers': { 'x-user': user } } });
    assert.equal((await mixer.check(as('alice'))).body.precondition.status.code, 0);
    assert.equal((await mixer.check(as('Bob'))).body.precondition.status.code, 0);
    assert.equal((await mixer.check(as('mallory'))).body.precondition.status.code, 7);
  });

  test('an IP_ADDRESSES blacklist denies addresses inside its networks, v4 and v6', async () => {
    const from = (ip: string) => ({ attributes: { ...labels('internal'), 'source.ip': ip } });
    const inside = await mixer.check(from('10.1.2.3'));
    assert.equal(inside.body.precondition.status.code, 7);
    assert.equal(inside.body.precondition.status.message, 'ipslist.handler.istio-system:10.1.2.3 is blacklisted');
    assert.equal((await mixer.check(from('2001:db8::1'))).body.precondition.status.code, 7);
    assert.equal((await mixer.check(from('192.168.1.1'))).body.precondition.status.code, 0);
    assert.equal((await mixer.check(from('2001:db9::1'))).body.precondition.status.code, 0);
  });

  test('a REGEX blacklist denies paths matching any pattern', async () => {
    const path = (value: string) => ({ attributes: { ...labels('web'), 'request.path': value } });
    assert.equal((await mixer.check(path('/private/x'))).body.precondition.status.code, 7);
    assert.equal((await mixer.check(path('/index.php'))).body.precondition.status.code, 7);
    assert.equal((await mixer.check(path('/public/index.html'))).body.precondition.status.code, 0);
  });

  test('header operations become the route directive of an OK check; empty values are dropped', async () => {
    const { body } = await mixer.check({ attributes: labels('reviews', { app: 'productpage' }) });
    assert.equal(body.precondition.status.code, 0);
    assert.deepEqual(body.precondition.routeDirective, {
      requestHeaderOperations: [
        { name: 'x-caller', value: 'productpage', operation: 'REPLACE' },
        { name: 'x-tier', value: 'gold', operation: 'APPEND' },
      ],
      responseHeaderOperations: [{ name: 'x-powered-by', value: '', operation: 'REMOVE' }],
    });
    const other = await mixer.check({ attributes: labels('details', { app: 'productpage' }) });
    assert.equal(other.body.precondition.routeDirective, undefined);
  });

  test("a namespace's rules apply only to its requests; the reporter kind picks the namespace", async () => {
    const inbound = await mixer.check({ attributes: { ...labels('productpage'), 'destination.namespace': 'bookstore' } });
    assert.equal(inbound.body.precondition.status.code, 7);
    assert.equal(inbound.body.precondition.status.message, 'denyall.handler.bookstore:bookstore only');
    const elsewhere = await mixer.check({ attributes: { ...labels('productpage'), 'destination.namespace': 'shop' } });
    assert.equal(elsewhere.body.precondition.status.code, 0);
    const outbound = await mixer.check({
      attributes: { ...labels('productpage'), 'context.reporter.kind': 'outbound', 'source.namespace': 'bookstore', 'destination.namespace': 'shop' },
    });
    assert.equal(outbound.body.precondition.status.code, 7);
    // Default-namespace rules still apply inside the namespace, first.
    const both = await mixer.check({ attributes: { ...labels('ratings', { version: 'v3' }), 'destination.namespace': 'bookstore' } });
    assert.equal(both.body.precondition.status.message, 'denyratings.handler.istio-system:Not allowed, denyall.handler.bookstore:bookstore only');
  });

  test("Istio's legacy per-adapter and per-template kinds work with two-part references", async () => {
    const { body } = await mixer.check({ attributes: labels('legacy') });
    assert.equal(body.precondition.status.code, 16);
    assert.equal(body.precondition.status.message, 'handler.denier.istio-system:legacy denier');
  });

  test('noop allows with its own (long) validity', async () => {
    const { body } = await mixer.check({ attributes: labels('open') });
    assert.equal(body.precondition.status.code, 0);
    assert.equal(body.precondition.validDuration, '1000000000s');
    assert.equal(body.precondition.validUseCount, 1000000000);
  });

  test('--explain shows the rules considered, the instances built, the answers and the combination', async () => {
    const { body } = await mixer.check({ attributes: labels('details', { app: 'reviews' }) }, '?explain=true');
    const explanation = body.explanation as {
      rules: { rule: string; matched: boolean; reason: string }[];
      instances: { instance: string; value: { value: string } }[];
      answers: { handler: string }[];
      combination: string[];
    };
    const considered = new Map(explanation.rules.map((rule) => [rule.rule, rule]));
    assert.equal(considered.get('stringsrule.rule.istio-system')?.matched, true);
    assert.equal(considered.get('denyratings.rule.istio-system')?.reason, 'match is false');
    assert.deepEqual(explanation.instances.map((instance) => [instance.instance, instance.value.value]), [['stringsvalue.instance.istio-system', 'reviews']]);
    assert.deepEqual(explanation.answers.map((answer) => answer.handler), ['stringslist.handler.istio-system']);
    assert.match(explanation.combination[0]!, /^1 answer\(s\): status PERMISSION_DENIED/);
  });
});
