import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readTarGz } from '../tar-archive.js';

const execFileAsync = promisify(execFile);

/**
 * Real Rego policies for the opa adapter's tests and bench, compiled at test time with the real
 * `opa build -t wasm` (never a hand-made wasm).
 */

/** Principals of the RBAC policy. */
export const ADMIN = 'spiffe://cluster.local/ns/shop/sa/admin';
export const FRONTEND = 'spiffe://cluster.local/ns/shop/sa/frontend';
export const ORDERS = 'spiffe://cluster.local/ns/shop/sa/orders';
export const STRANGER = 'spiffe://cluster.local/ns/other/sa/default';

/**
 * RBAC by principal and path: principals hold roles, roles grant methods on path prefixes.
 * `readerMethods` is what the reader role may do on /products/ (a second version of the policy
 * for hot-reload tests widens it).
 */
export function rbacPolicy(readerMethods: readonly string[] = ['GET']): string {
  return `package mixerauthz

bindings := {
	"${ADMIN}": {"admin"},
	"${FRONTEND}": {"reader"},
	"${ORDERS}": {"reader", "writer"},
}

grants := {
	"admin": [{"methods": {"GET", "POST", "PUT", "DELETE"}, "prefix": "/"}],
	"reader": [{"methods": {${readerMethods.map((method) => JSON.stringify(method)).join(', ')}}, "prefix": "/products/"}],
	"writer": [{"methods": {"POST", "PUT"}, "prefix": "/orders/"}],
}

default allow := false

allow if {
	some role in bindings[input.subject.user]
	some grant in grants[role]
	input.action.method in grant.methods
	startswith(input.action.path, grant.prefix)
}
`;
}

/** The RBAC decision, hand-written in JS (the bench's ceiling and the tests' oracle). */
export function rbacDecision(user: string | undefined, method: string | undefined, path: string | undefined, readerMethods: readonly string[] = ['GET']): boolean {
  const bindings: Record<string, readonly string[]> = { [ADMIN]: ['admin'], [FRONTEND]: ['reader'], [ORDERS]: ['reader', 'writer'] };
  const grants: Record<string, readonly { methods: readonly string[]; prefix: string }[]> = {
    admin: [{ methods: ['GET', 'POST', 'PUT', 'DELETE'], prefix: '/' }],
    reader: [{ methods: readerMethods, prefix: '/products/' }],
    writer: [{ methods: ['POST', 'PUT'], prefix: '/orders/' }],
  };
  if (user === undefined || method === undefined || path === undefined) return false;
  for (const role of bindings[user] ?? []) {
    for (const grant of grants[role] ?? []) {
      if (grant.methods.includes(method) && path.startsWith(grant.prefix)) return true;
    }
  }
  return false;
}

export const RBAC_ENTRYPOINT = 'mixerauthz/allow';

/**
 * A deny list kept in the data document (`data.denylist.users`): listed users are denied with a
 * reason, everyone else is allowed. Answers `{allow, reason}`.
 */
export const DENYLIST_POLICY = `package mixerauthz.denylist

default decision := {"allow": true}

decision := {"allow": false, "reason": concat("", [input.subject.user, " is on the deny list"])} if {
	input.subject.user in data.denylist.users
}
`;

export const DENYLIST_ENTRYPOINT = 'mixerauthz/denylist/decision';

/** The data document of the deny-list policy. */
export function denylistData(users: readonly string[]): string {
  return JSON.stringify({ denylist: { users } });
}

/** A policy whose entrypoint is not a decision (a string), and one that fails at evaluation (conflicting values). */
export const ODD_POLICY = `package odd

greeting := "hello"

conflict := input.subject.user
conflict := "someone else" if input.action.method == "GET"
`;

/** Runs the real `opa build -t wasm` over Rego modules (and optional data.json) in a temporary directory; returns the bundle bytes. */
export async function buildBundle(opa: string, modules: Readonly<Record<string, string>>, entrypoints: readonly string[], data?: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'mixer-opa-fixture-'));
  try {
    const files = Object.keys(modules);
    for (const [name, text] of Object.entries(modules)) await writeFile(join(dir, name), text);
    if (data !== undefined) {
      await writeFile(join(dir, 'data.json'), data);
      files.push('data.json');
    }
    const args = ['build', '-t', 'wasm', ...entrypoints.flatMap((entrypoint) => ['-e', entrypoint]), '-o', 'bundle.tar.gz', ...files];
    await execFileAsync(opa, args, { cwd: dir });
    return await readFile(join(dir, 'bundle.tar.gz'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The policy.wasm inside a bundle from buildBundle. */
export async function wasmOf(bundle: Buffer): Promise<Buffer> {
  const wasm = (await readTarGz(bundle)).get('policy.wasm');
  if (wasm === undefined) throw new Error('the bundle has no policy.wasm');
  return wasm;
}
