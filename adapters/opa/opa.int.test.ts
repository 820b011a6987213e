import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';

import { RpcCode } from '../../core/status/rpc-code.js';
import type { AuthorizationInstance } from '../../templates/definitions.js';
import { findOpa, requireTool } from '../../test/support/tools.js';
import { ManagedEnvironment } from '../sdk/environment.js';
import { AdapterConfigError, buildForTest } from '../sdk/testing/harness.js';
import { OpaError, OpaErrorCode } from './errors.js';
import { opa } from './index.js';
import { authorizationInput } from './input-document.js';
import {
  ADMIN, buildBundle, DENYLIST_ENTRYPOINT, DENYLIST_POLICY, denylistData, FRONTEND, ODD_POLICY, ORDERS, RBAC_ENTRYPOINT, rbacDecision, rbacPolicy,
  STRANGER, wasmOf,
} from './testing/rego-fixtures.js';
import { compileWasm, WasmPolicy } from './wasm-policy.js';

// Integration: real Rego policies compiled to wasm with the real `opa build -t wasm` at test
// time, evaluated by the adapter in process. Under CI=true a missing opa fails these tests.

const OPA = findOpa();
const INSTALL = 'run .ci/run (it builds opa into ~/.cache/mixer/tools) or set MIXER_OPA';

function request(user: string | undefined, method: string | undefined, path: string | undefined, properties: Record<string, string> = {}): AuthorizationInstance {
  return {
    name: 'authz.instance.istio-system',
    subject: { user, groups: undefined, properties },
    action: { namespace: 'shop', service: 'products.shop.svc.cluster.local', method, path, properties: {} },
  };
}

/** A logger whose records the test can read. */
function capturingLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}

/** Polls `decide` until `accept` holds on its answer (bounded: the poll interval is 20ms, the bound 5s). */
async function eventually<T>(decide: () => Promise<T> | T, accept: (result: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  let last = await decide();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last answer ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    last = await decide();
  }
  return last;
}

interface Fixtures {
  readonly dir: string;
  readonly rbacWasm: Buffer;
  readonly rbacV2Wasm: Buffer;
  readonly rbacBundle: Buffer;
  readonly denylistBundle: Buffer;
  readonly denylistWithDataBundle: Buffer;
  readonly oddWasm: Buffer;
}

describe('opa adapter over policies built by the real opa CLI', () => {
  let fixtures: Promise<Fixtures> | undefined;
  const envs: ManagedEnvironment[] = [];
  let scratch: string | undefined;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mixer-opa-int-'));
  });
  after(async () => {
    for (const env of envs) env.close();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  /** The compiled policies (built once, on first use); skips (or fails under CI) without opa. */
  async function policies(t: TestContext): Promise<Fixtures | undefined> {
    const tool = requireTool(t, 'opa', OPA, INSTALL);
    if (tool === undefined) return undefined;
    fixtures ??= (async () => {
      const rbacBundle = await buildBundle(tool, { 'rbac.rego': rbacPolicy() }, [RBAC_ENTRYPOINT]);
      return {
        dir: scratch!,
        rbacBundle,
        rbacWasm: await wasmOf(rbacBundle),
        rbacV2Wasm: await wasmOf(await buildBundle(tool, { 'rbac.rego': rbacPolicy(['GET', 'POST']) }, [RBAC_ENTRYPOINT])),
        denylistBundle: await buildBundle(tool, { 'denylist.rego': DENYLIST_POLICY }, [DENYLIST_ENTRYPOINT]),
        denylistWithDataBundle: await buildBundle(tool, { 'denylist.rego': DENYLIST_POLICY }, [DENYLIST_ENTRYPOINT], denylistData([STRANGER])),
        oddWasm: await wasmOf(await buildBundle(tool, { 'odd.rego': ODD_POLICY }, ['odd/greeting', 'odd/conflict'])),
      };
    })();
    return fixtures;
  }

  let fileCount = 0;
  async function file(name: string, content: Buffer | string): Promise<string> {
    const path = join(scratch!, `${fileCount++}-${name}`);
    await writeFile(path, content);
    return path;
  }

  async function handler(params: Record<string, unknown>, logger: Logger = pino({ level: 'silent' }), metrics = new Registry()) {
    const env = new ManagedEnvironment(logger, metrics);
    envs.push(env);
    const { handler } = await buildForTest(opa.info, env, { params: { pollInterval: '20ms', ...params } });
    return handler;
  }

  test('RBAC by principal and path: a policy.wasm decides the table, denials name the entrypoint and policy', async (t) => {
    const built = await policies(t);
    if (built === undefined) return;
    const wasm = await file('rbac.wasm', built.rbacWasm);
    const authz = await handler({ wasm, entrypoint: RBAC_ENTRYPOINT, validDuration: '30s', validUseCount: 100 });
    const table: [string | undefined, string | undefined, string | undefined, boolean][] = [
      [ADMIN, 'DELETE', '/orders/17', true],
      [ADMIN, 'GET', '/', true],
      [FRONTEND, 'GET', '/products/42', true],
      [FRONTEND, 'POST', '/products/42', false],
      [FRONTEND, 'GET', '/orders/17', false],
      [FRONTEND, 'GET', '/products', false],
      [ORDERS, 'POST', '/orders/17', true],
      [ORDERS, 'GET', '/products/1', true],
      [ORDERS, 'DELETE', '/orders/17', false],
      [STRANGER, 'GET', '/products/42', false],
      [undefined, 'GET', '/products/42', false],
      [FRONTEND, undefined, '/products/42', false],
    ];
    for (const [user, method, path, allowed] of table) {
      assert.equal(rbacDecision(user, method, path), allowed, `the oracle agrees for ${user} ${method} ${path}`);
      const result = await authz.handleAuthorization(request(user, method, path), { deduplicationId: '' });
      assert.equal(result.status.code, allowed ? RpcCode.OK : RpcCode.PERMISSION_DENIED, `${user} ${method} ${path}`);
      assert.equal(result.validDurationMs, 30_000);
      assert.equal(result.validUseCount, 100);
      if (!allowed) assert.match(result.status.message, /^opa: request was rejected by mixerauthz\/allow \(\d+-rbac\.wasm\)$/);
    }
  });

  test('WasmPolicy: one instance answers many queries, from objects or pre-serialised JSON alike', async (t) => {
    const built = await policies(t);
    if (built === undefined) return;
    const policy = new WasmPolicy(await compileWasm(built.rbacWasm), RBAC_ENTRYPOINT, {});
    assert.deepEqual(policy.entrypoints, [RBAC_ENTRYPOINT]);
    for (const [user, method, path] of [[ADMIN, 'PUT', '/x'], [FRONTEND, 'PUT', '/products/1'], [ORDERS, 'PUT', '/orders/2']] as const) {
      const input = authorizationInput(request(user, method, path));
      const bytes = new TextEncoder().encode(JSON.stringify(input));
      const expected = { ok: true, value: rbacDecision(user, method, path) };
      assert.deepEqual(policy.query(input), expected);
      assert.deepEqual(policy.query(bytes.buffer), expected);
    }
    await assert.rejects(compileWasm(Buffer.from('garbage')), /not a WebAssembly module/);
  });

  test("a bundle (.tar.gz) works too, with Istio's checkMethod naming the rule", async (t) => {
    const built = await policies(t);
    if (built === undefined) return;
    const bundle = await file('rbac.tar.gz', built.rbacBundle);
    const authz = await handler({ bundle, check_method: 'data.mixerauthz.allow' });
    assert.equal((await authz.handleAuthorization(request(FRONTEND, 'GET', '/products/1'), { deduplicationId: '' })).status.code, RpcCode.OK);
    const denied = await authz.handleAuthorization(request(FRONTEND, 'GET', '/orders/1'), { deduplicationId: '' });
    assert.equal(denied.status.code, RpcCode.PERMISSION_DENIED);
    assert.equal(denied.validDurationMs, 0, "Istio's opa answers were not cacheable; that stays the default");
  });

  test('a deny list in data.json: listed users are denied with the policy reason, others allowed', async (t) => {
    const built = await policies(t);
    if (built === undefined) return;
    const bundle = await file('denylist.tar.gz', built.denylistBundle);
    const dataFile = await file('data.json', denylistData(['mallory', 'trudy']));
    const authz = await handler({ bundle, entrypoint: DENYLIST_ENTRYPOINT, dataFile });
    for (const [user, allowed] of [['mallory', false], ['trudy', false], ['alice', true], [undefined, true]] as const) {
      const result = await authz.handleAuthorization(request(user, 'GET', '/'), { deduplicationId: '' });
      assert.equal(result.status.code, allowed ? RpcCode.OK : RpcCode.PERMISSION_DENIED, String(user));
      if (!allowed) assert.match(result.status.message, new RegExp(`^opa: request was rejected by mixerauthz/denylist/decision \\(\\d+-denylist\\.tar\\.gz\\): ${user} is on the deny list$`));
    }
  });

  test("data comes from the bundle's data.json, inline params.data and the data file, later ones winning", async (t) => {
    const built = await policies(t);
    if (built === undefined) return;
    const bundle = await file('denylist-data.tar.gz', built.denylistWithDataBundle);
    const fromBundle = await handler({ bundle, entrypoint: DENYLIST_ENTRYPOINT });
    assert.equal((await fromBundle.handleAuthorization(request(STRANGER, 'GET', '/'), { deduplicationId: '' })).status.code, RpcCode.PERMISSION_DENIED);
    assert.equal((await fromBundle.handleAuthorization(request('eve', 'GET', '/'), { deduplicationId: '' })).status.code, RpcCode.OK);
    const inline = await handler({ bundle, entrypoint: DENYLIST_ENTRYPOINT, data: { denylist: { users: ['eve'] } } });
    assert.equal((await inline.handleAuthorization(request('eve', 'GET', '/'), { deduplicationId: '' })).status.code, RpcCode.PERMISSION_DENIED);
    assert.equal((await inline.handleAuthorization(request(STRANGER, 'GET', '/'), { deduplicationId: '' })).status.code, RpcCode.OK);
    const dataFile = await file('data.json', denylistData(['oscar']));
    const layered = await handler({ bundle, entrypoint: DENYLIST_ENTRYPOINT, data: { denylist: { users: ['eve'] } }, dataFile });
    assert.equal((await layered.handleAuthorization(request('oscar', 'GET', '/'), { deduplicationId: '' })).status.code, RpcCode.PERMISSION_DENIED);
    assert.equal((await layered.handleAuthorization(request('eve', 'GET', '/'), { deduplicationId: '' })).status.code, RpcCode.OK);
  });

  test("inline Rego (Istio's `policy` param, v0 syntax) is compiled with the opa CLI when the handler is built", async (t) => {
    if ((await policies(t)) === undefined) return;
    const policy = `package mixerauthz
policy = [
  { "rule": { "verbs": ["storage.buckets.get"], "users": ["bucket-admins"] } }
]
default allow = false
allow = true {
  rule = policy[_].rule
  input.subject.user = rule.users[_]
  input.action.method = rule.verbs[_]
}`;
    const authz = await handler({ policy: [policy], checkMethod: 'data.mixerauthz.allow', opaCommand: OPA });
    assert.equal((await authz.handleAuthorization(request('bucket-admins', 'storage.buckets.get', undefined), { deduplicationId: '' })).status.code, RpcCode.OK);
    assert.equal((await authz.handleAuthorization(request('bucket-users', 'storage.buckets.get', undefined), { deduplicationId: '' })).status.code, RpcCode.PERMISSION_DENIED);
  });

  test("inline Rego that does not compile fails the build with opa's message, or rejects everything under failClose", async (t) => {
    if ((await policies(t)) === undefined) return;
    const broken = 'package broken\nallow = true {\n  input.subject.user ==\n}\n';
    const error = await handler({ policy: [broken], checkMethod: 'data.broken.allow', opaCommand: OPA }).then(
      () => assert.fail('the build should fail'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof OpaError, String(error));
    assert.equal(error.code, OpaErrorCode.Compile);
    assert.match(error.message, /opa build failed: .*opa_policy\.0\.rego:\d+/);
    const closed = await handler({ policy: [broken], checkMethod: 'data.broken.allow', opaCommand: OPA, failClose: true });
    const result = await closed.handleAuthorization(request('anyone', 'GET', '/'), { deduplicationId: '' });
    assert.equal(result.status.code, RpcCode.PERMISSION_DENIED);
    assert.match(result.status.message, /could not decide \(failClose\): no policy loaded: params\.policy: opa build failed/);
  });

  test('a missing opa CLI is a clear build error', async (t) => {
    if ((await policies(t)) === undefined) return;
    await assert.rejects(
      handler({ policy: ['package p\nallow = true'], checkMethod: 'data.p.allow', opaCommand: join(scratch!, 'no-such-opa') }),
      (error: unknown) => error instanceof OpaError && /the opa CLI '.*no-such-opa' was not found/.test(error.message),
    );
  });

  test('no decision (a non-boolean value, an evaluation error, no policy file) is answered by failClose, with why, uncacheable', async (t) => {
    const built = await policies(t);
    if (built === undefined) return;
    const odd = await file('odd.wasm', built.oddWasm);
    const cases: [Record<string, unknown>, AuthorizationInstance, RegExp][] = [
      [{ wasm: odd, entrypoint: 'odd/greeting' }, request('a', 'GET', '/'), /odd\/greeting is "hello", not a boolean or \{allow: boolean\}/],
      [{ wasm: odd, entrypoint: 'odd/conflict' }, request('a', 'GET', '/'), /evaluation failed: .*conflict/],
      [{ wasm: join(scratch!, 'missing.wasm'), entrypoint: 'odd/greeting' }, request('a', 'GET', '/'), /no policy loaded: .*missing\.wasm: cannot read: .*ENOENT/],
    ];
    for (const [params, instance, why] of cases) {
      for (const failClose of [false, true]) {
        const authz = await handler({ ...params, failClose, validDuration: '10s', validUseCount: 5 });
        const result = await authz.handleAuthorization(instance, { deduplicationId: '' });
        assert.equal(result.status.code, failClose ? RpcCode.PERMISSION_DENIED : RpcCode.OK, `${JSON.stringify(params)} failClose=${failClose}`);
        assert.match(result.status.message, failClose ? /^opa: request was rejected because the policy could not decide/ : /^opa: request was allowed although/);
        assert.match(result.status.message, why);
        assert.equal(result.validDurationMs, 0);
        assert.equal(result.validUseCount, 0);
      }
    }
    const fine = await handler({ wasm: odd, entrypoint: 'odd/conflict' });
    assert.equal((await fine.handleAuthorization(request('a', 'POST', '/'), { deduplicationId: '' })).status.code, RpcCode.OK, 'no conflict without GET; still undecided (a string) but allowed');
  });

  test('an entrypoint the module was not built with is reported with the ones it has', async (t) => {
    const built = await policies(t);
    if (built === undefined) return;
    const wasm = await file('rbac.wasm', built.rbacWasm);
    const authz = await handler({ wasm, entrypoint: 'mixerauthz/deny', failClose: true });
    const result = await authz.handleAuthorization(request(ADMIN, 'GET', '/'), { deduplicationId: '' });
    assert.match(result.status.message, /has no entrypoint 'mixerauthz\/deny' \(it was built with: mixerauthz\/allow\)/);
  });

  test('config problems fail validation, unless failClose, which builds a handler that rejects every request (Istio)', async () => {
    await assert.rejects(handler({}), (error: unknown) => error instanceof AdapterConfigError && /policies are not configured/.test(error.message) && /check method is not configured/.test(error.message));
    const { logger, records } = capturingLogger();
    const authz = await handler({ failClose: true }, logger);
    const result = await authz.handleAuthorization(request(ADMIN, 'GET', '/'), { deduplicationId: '' });
    assert.equal(result.status.code, RpcCode.PERMISSION_DENIED);
    assert.match(result.status.message, /the handler config is invalid: params\.policy: policies are not configured/);
    assert.ok(records.some((record) => /check method is not configured/.test(String(record['msg']))));
  });

  test('hot reload: rewriting the policy.wasm makes the next decisions use the new policy', async (t) => {
    const built = await policies(t);
    if (built === undefined) return;
    const wasm = await file('rbac.wasm', built.rbacWasm);
    const { logger, records } = capturingLogger();
    const authz = await handler({ wasm, entrypoint: RBAC_ENTRYPOINT }, logger);
    const post = () => authz.handleAuthorization(request(FRONTEND, 'POST', '/products/1'), { deduplicationId: '' });
    assert.equal((await post()).status.code, RpcCode.PERMISSION_DENIED);
    await writeFile(wasm, built.rbacV2Wasm);
    await eventually(post, (result) => result.status.code === RpcCode.OK, 'the widened policy');
    assert.equal(rbacDecision(FRONTEND, 'POST', '/products/1', ['GET', 'POST']), true);
    assert.equal((await authz.handleAuthorization(request(FRONTEND, 'DELETE', '/products/1'), { deduplicationId: '' })).status.code, RpcCode.PERMISSION_DENIED);
    assert.ok(records.filter((record) => record['msg'] === 'opa policy loaded').length >= 2);
  });

  test('hot reload: rewriting the data file changes the deny list (also by atomic rename)', async (t) => {
    const built = await policies(t);
    if (built === undefined) return;
    const bundle = await file('denylist.tar.gz', built.denylistBundle);
    const dataFile = await file('data.json', denylistData(['mallory']));
    const authz = await handler({ bundle, entrypoint: DENYLIST_ENTRYPOINT, dataFile });
    const as = (user: string) => () => authz.handleAuthorization(request(user, 'GET', '/'), { deduplicationId: '' });
    assert.equal((await as('alice')()).status.code, RpcCode.OK);
    await writeFile(dataFile, denylistData(['mallory', 'alice']));
    await eventually(as('alice'), (result) => result.status.code === RpcCode.PERMISSION_DENIED, 'alice on the deny list');
    const next = `${dataFile}.next`;
    await writeFile(next, denylistData([]));
    await rename(next, dataFile);
    await eventually(as('mallory'), (result) => result.status.code === RpcCode.OK, 'an empty deny list');
  });

  test('a corrupt policy.wasm on reload keeps the previous policy serving and logs the error; a good one is picked up again', async (t) => {
    const built = await policies(t);
    if (built === undefined) return;
    const wasm = await file('rbac.wasm', built.rbacWasm);
    const { logger, records } = capturingLogger();
    const metrics = new Registry();
    const authz = await handler({ wasm, entrypoint: RBAC_ENTRYPOINT }, logger, metrics);
    const post = () => authz.handleAuthorization(request(FRONTEND, 'POST', '/products/1'), { deduplicationId: '' });
    await writeFile(wasm, Buffer.from('this is not WebAssembly'));
    await eventually(
      () => records.filter((record) => record['msg'] === 'opa policy reload failed; the previous policy keeps serving').length,
      (count) => count > 0,
      'the reload error to be logged',
    );
    const failure = records.find((record) => record['msg'] === 'opa policy reload failed; the previous policy keeps serving')!;
    assert.match(JSON.stringify(failure['err']), /rbac\.wasm: not a WebAssembly module/);
    assert.equal((await post()).status.code, RpcCode.PERMISSION_DENIED, 'the previous policy still decides');
    assert.equal((await authz.handleAuthorization(request(FRONTEND, 'GET', '/products/1'), { deduplicationId: '' })).status.code, RpcCode.OK);
    assert.match(await metrics.metrics(), /mixer_adapter_opa_policy_loads_total\{outcome="failure"\} 1/);
    await writeFile(wasm, built.rbacV2Wasm);
    await eventually(post, (result) => result.status.code === RpcCode.OK, 'the good policy after the corrupt one');
  });
});
