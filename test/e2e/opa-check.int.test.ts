import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';

import {
  ADMIN, buildBundle, DENYLIST_ENTRYPOINT, DENYLIST_POLICY, denylistData, FRONTEND, RBAC_ENTRYPOINT, rbacPolicy, STRANGER, wasmOf,
} from '../../adapters/opa/testing/rego-fixtures.js';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';
import { findOpa, requireTool } from '../support/tools.js';

// End to end: a real Mixer in-process with opa handlers whose policies were compiled by the
// real `opa build -t wasm`, asked over the HTTP Check API. Under CI=true a missing opa fails.

const OPA = findOpa();

const INSTANCE = resource(
  'instance',
  'requestcontext',
  `compiledTemplate: authorization
params:
  subject:
    user: source.principal | ""
    properties:
      app: source.labels["app"] | ""
  action:
    namespace: destination.namespace | "default"
    service: destination.service.host | ""
    method: request.method | ""
    path: request.path | ""`,
);

function config(wasm: string, bundle: string, dataFile: string): string {
  return [
    INSTANCE,
    resource('handler', 'rbac', `compiledAdapter: opa\nparams:\n  wasm: ${wasm}\n  entrypoint: ${RBAC_ENTRYPOINT}\n  validDuration: 20s\n  validUseCount: 50\n  pollInterval: 20ms`),
    resource('rule', 'rbac', 'match: destination.labels["app"] == "shop"\nactions:\n- handler: rbac\n  instances: [ requestcontext ]'),
    resource('handler', 'denylist', `compiledAdapter: opa\nparams:\n  bundle: ${bundle}\n  checkMethod: data.mixerauthz.denylist.decision\n  dataFile: ${dataFile}\n  pollInterval: 20ms\n  failClose: true`),
    resource('rule', 'denylist', 'match: destination.labels["app"] == "blog"\nactions:\n- handler: denylist\n  instances: [ requestcontext ]'),
  ].join('');
}

function shop(principal: string, method: string, path: string): Record<string, unknown> {
  return { attributes: { 'destination.labels': { app: 'shop' }, 'source.principal': principal, 'request.method': method, 'request.path': path } };
}

function blog(principal: string): Record<string, unknown> {
  return { attributes: { 'destination.labels': { app: 'blog' }, 'source.principal': principal, 'request.method': 'GET', 'request.path': '/' } };
}

describe('opa end to end through the HTTP Check API', () => {
  let dir: string | undefined;
  let mixer: RunningMixer | undefined;
  let dataFile = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mixer-opa-e2e-'));
  });
  after(async () => {
    await mixer?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The running Mixer (started on first use, with freshly compiled policies); skips, or fails under CI, without opa. */
  async function running(t: TestContext): Promise<RunningMixer | undefined> {
    const opa = requireTool(t, 'opa', OPA, 'run .ci/run (it builds opa into ~/.cache/mixer/tools) or set MIXER_OPA');
    if (opa === undefined) return undefined;
    if (mixer === undefined) {
      const wasm = join(dir!, 'rbac.wasm');
      await writeFile(wasm, await wasmOf(await buildBundle(opa, { 'rbac.rego': rbacPolicy() }, [RBAC_ENTRYPOINT])));
      const bundle = join(dir!, 'denylist.tar.gz');
      await writeFile(bundle, await buildBundle(opa, { 'denylist.rego': DENYLIST_POLICY }, [DENYLIST_ENTRYPOINT]));
      dataFile = join(dir!, 'denylist.json');
      await writeFile(dataFile, denylistData([STRANGER]));
      mixer = await startMixer({ 'opa.yaml': config(wasm, bundle, dataFile) });
    }
    return mixer;
  }

  test('RBAC decisions: allowed requests are OK with the policy validity, denied ones name handler, entrypoint and policy', async (t) => {
    const server = await running(t);
    if (server === undefined) return;
    const cases: [string, string, string, boolean][] = [
      [ADMIN, 'DELETE', '/orders/1', true],
      [FRONTEND, 'GET', '/products/7', true],
      [FRONTEND, 'POST', '/products/7', false],
      [STRANGER, 'GET', '/products/7', false],
    ];
    for (const [principal, method, path, allowed] of cases) {
      const { status, body } = await server.check(shop(principal, method, path));
      assert.equal(status, 200);
      assert.equal(body.precondition.status.code, allowed ? 0 : 7, `${principal} ${method} ${path}`);
      if (allowed) {
        assert.equal(body.precondition.validDuration, '20s');
        assert.equal(body.precondition.validUseCount, 50);
      } else {
        assert.equal(body.precondition.status.message, 'rbac.handler.istio-system:opa: request was rejected by mixerauthz/allow (rbac.wasm)');
      }
    }
  });

  test('a deny list in a data file, with the reason from the policy; rewriting the file changes decisions', async (t) => {
    const server = await running(t);
    if (server === undefined) return;
    const denied = await server.check(blog(STRANGER));
    assert.equal(denied.body.precondition.status.code, 7);
    assert.equal(
      denied.body.precondition.status.message,
      `denylist.handler.istio-system:opa: request was rejected by mixerauthz/denylist/decision (denylist.tar.gz): ${STRANGER} is on the deny list`,
    );
    assert.equal((await server.check(blog(FRONTEND))).body.precondition.status.code, 0);
    await writeFile(dataFile, denylistData([FRONTEND]));
    await eventually(async () => (await server.check(blog(FRONTEND))).body.precondition.status.code === 7, 5000, 'the new deny list');
    assert.equal((await server.check(blog(STRANGER))).body.precondition.status.code, 0);
  });

  test("Istio's own opa config (legacy kinds, inline Rego in `policy`, checkMethod, failClose) works, compiled by the opa CLI", async (t) => {
    const server = await running(t);
    if (server === undefined) return;
    const istio = `apiVersion: config.istio.io/v1alpha2
kind: authorization
metadata:
  name: authz
  namespace: istio-system
spec:
  subject:
    user: source.principal | ""
  action:
    namespace: destination.namespace | "default"
    service: destination.service.host | ""
    path: request.path | ""
    method: request.method | ""
---
apiVersion: config.istio.io/v1alpha2
kind: opa
metadata:
  name: opa-handler
  namespace: istio-system
spec:
  policy:
    - |+
      package mixerauthz
      policy = [
        {
          "rule": {
            "verbs": [
              "storage.buckets.get"
            ],
            "users": [
              "bucket-admins"
            ]
          }
        }
      ]

      default allow = false

      allow = true {
        rule = policy[_].rule
        input.subject.user = rule.users[_]
        input.action.method = rule.verbs[_]
      }
  checkMethod: "data.mixerauthz.allow"
  failClose: true
  opaCommand: ${JSON.stringify(OPA)}
---
apiVersion: config.istio.io/v1alpha2
kind: rule
metadata:
  name: authz
  namespace: istio-system
spec:
  match: destination.labels["app"] == "storage"
  actions:
  - handler: opa-handler.opa
    instances:
    - authz.authorization
`;
    await server.writeConfig('istio-opa.yaml', istio);
    const storage = (user: string) => ({ attributes: { 'destination.labels': { app: 'storage' }, 'source.principal': user, 'request.method': 'storage.buckets.get' } });
    await eventually(async () => (await server.check(storage('bucket-users'))).body.precondition.status.code === 7, 10_000, 'the Istio opa handler');
    const denied = await server.check(storage('bucket-users'));
    assert.equal(denied.body.precondition.status.message, 'opa-handler.opa.istio-system:opa: request was rejected by mixerauthz/allow (params.policy)');
    assert.equal((await server.check(storage('bucket-admins'))).body.precondition.status.code, 0);
  });

  test('with failClose, an unreadable data file keeps the last good policy; a handler without any policy rejects', async (t) => {
    const server = await running(t);
    if (server === undefined) return;
    await writeFile(dataFile, '{ not json');
    const failedLoads = async () => {
      const text = await (await fetch(`${server.monitoringUrl}/metrics`)).text();
      return text.split('\n').some((line) => line.startsWith('mixer_adapter_opa_policy_loads_total{') && line.includes('outcome="failure"') && line.includes('denylist.handler.istio-system') && !line.endsWith(' 0'));
    };
    await eventually(failedLoads, 5000, 'the failed reload to be counted on /metrics');
    assert.equal((await server.check(blog(FRONTEND))).body.precondition.status.code, 7, 'the last good deny list still applies');
    assert.equal((await server.check(blog(ADMIN))).body.precondition.status.code, 0);
    await server.writeConfig(
      'missing.yaml',
      [
        resource('handler', 'missing', `compiledAdapter: opa\nparams:\n  wasm: ${join(dir!, 'nowhere.wasm')}\n  entrypoint: x/allow\n  failClose: true`),
        resource('rule', 'missing', 'match: destination.labels["app"] == "vault"\nactions:\n- handler: missing\n  instances: [ requestcontext ]'),
      ].join(''),
    );
    const vault = { attributes: { 'destination.labels': { app: 'vault' }, 'source.principal': ADMIN } };
    await eventually(async () => (await server.check(vault)).body.precondition.status.code === 7, 5000, 'the vault rule');
    const { body } = await server.check(vault);
    assert.match(body.precondition.status.message ?? '', /^missing\.handler\.istio-system:opa: request was rejected because the policy could not decide \(failClose\): no policy loaded: .*nowhere\.wasm: cannot read/);
    assert.equal(body.precondition.validUseCount, 0);
  });
});
