/** A Redis node's address. */
export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

interface Credentials {
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
}

/** Where the quotas live: one Redis server, or a Redis Cluster reached through seed nodes. */
export type RedisTarget =
  | (Credentials & { readonly kind: 'standalone'; readonly node: RedisNode; readonly db: number })
  | (Credentials & { readonly kind: 'cluster'; readonly nodes: readonly RedisNode[] });

export type TargetParse = { readonly ok: true; readonly target: RedisTarget } | { readonly ok: false; readonly message: string };

const DEFAULT_PORT = 6379;
const CLUSTER_SCHEMES: Readonly<Record<string, boolean>> = { 'redis-cluster:': false, 'rediss-cluster:': true };

/**
 * Reads `redisServerUrl`:
 * - `host:port` (Istio's form), `host` (port 6379), `[v6]:port`;
 * - `redis://[user[:password]@]host[:port][/db]`, and `rediss://…` for TLS;
 * - `redis-cluster://[user[:password]@]host:port,host:port` (`rediss-cluster://` for TLS): Redis Cluster seeds;
 * - a list of `host:port` entries: Redis Cluster seeds.
 */
export function parseRedisTarget(value: string | readonly string[]): TargetParse {
  if (typeof value !== 'string') {
    if (value.length === 0 || value.every((entry) => entry.trim() === '')) return failure('redis_server_url should not be empty');
    const nodes: RedisNode[] = [];
    for (const entry of value) {
      const node = parseHostPort(entry.trim());
      if (typeof node === 'string') return failure(`cluster seed '${entry}': ${node}`);
      nodes.push(node);
    }
    return { ok: true, target: { kind: 'cluster', nodes, username: undefined, password: undefined, tls: false } };
  }
  const text = value.trim();
  if (text === '') return failure('redis_server_url should not be empty');
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const node = parseHostPort(text);
    return typeof node === 'string' ? failure(node) : { ok: true, target: { kind: 'standalone', node, db: 0, username: undefined, password: undefined, tls: false } };
  }
  if (scheme === 'redis:' || scheme === 'rediss:') return parseServerUrl(text, scheme === 'rediss:');
  const clusterTls = CLUSTER_SCHEMES[scheme];
  if (clusterTls !== undefined) return parseClusterUrl(text.slice(scheme.length + 2), clusterTls);
  return failure(`unsupported scheme '${scheme.slice(0, -1)}' (use host:port, redis://, rediss://, redis-cluster:// or rediss-cluster://)`);
}

/** The target without its password, for logs and errors. */
export function describeTarget(target: RedisTarget): string {
  const user = target.username !== undefined ? `${target.username}@` : '';
  if (target.kind === 'standalone') return `${target.tls ? 'rediss' : 'redis'}://${user}${formatNode(target.node)}/${target.db}`;
  return `${target.tls ? 'rediss-cluster' : 'redis-cluster'}://${user}${target.nodes.map(formatNode).join(',')}`;
}

function parseServerUrl(text: string, tls: boolean): TargetParse {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return failure(`'${text}' is not a valid URL`);
  }
  if (url.search !== '' || url.hash !== '') return failure('query parameters and fragments are not supported');
  const node = parseHostPort(url.host);
  if (typeof node === 'string') return failure(node);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) return failure(`database '${path}' must be a number`);
  const credentials = credentialsOf(url.username, url.password, tls);
  if (typeof credentials === 'string') return failure(credentials);
  return { ok: true, target: { kind: 'standalone', node, db: path === '' ? 0 : Number(path), ...credentials } };
}

function parseClusterUrl(rest: string, tls: boolean): TargetParse {
  const at = rest.lastIndexOf('@');
  const userInfo = at >= 0 ? rest.slice(0, at) : '';
  const hosts = (at >= 0 ? rest.slice(at + 1) : rest).replace(/\/$/, '');
  if (hosts === '') return failure('a redis-cluster URL needs at least one host:port');
  if (/[/?#]/.test(hosts)) return failure('a redis-cluster URL takes no database, query or fragment (Redis Cluster has database 0 only)');
  const nodes: RedisNode[] = [];
  for (const entry of hosts.split(',')) {
    const node = parseHostPort(entry.trim());
    if (typeof node === 'string') return failure(`cluster seed '${entry}': ${node}`);
    nodes.push(node);
  }
  const colon = userInfo.indexOf(':');
  const credentials = credentialsOf(colon >= 0 ? userInfo.slice(0, colon) : userInfo, colon >= 0 ? userInfo.slice(colon + 1) : '', tls);
  if (typeof credentials === 'string') return failure(credentials);
  return { ok: true, target: { kind: 'cluster', nodes, ...credentials } };
}

function credentialsOf(username: string, password: string, tls: boolean): Credentials | string {
  try {
    return {
      username: username === '' ? undefined : decodeURIComponent(username),
      password: password === '' ? undefined : decodeURIComponent(password),
      tls,
    };
  } catch {
    return 'the user name or password is not valid percent-encoding';
  }
}

/** `host:port`, `host`, `[v6]:port` or `[v6]`; the reason as a string when it is not. */
function parseHostPort(text: string): RedisNode | string {
  if (text === '') return 'empty address';
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(.*))?$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if ((text.match(/:/g)?.length ?? 0) > 1) {
    host = text; // a bare IPv6 address, no port
  } else {
    const colon = text.indexOf(':');
    host = colon >= 0 ? text.slice(0, colon) : text;
    portText = colon >= 0 ? text.slice(colon + 1) : undefined;
  }
  if (host === '') return `'${text}' has no host`;
  if (/[\s/@,?#]/.test(host)) return `'${text}' is not a valid host`;
  if (portText === undefined) return { host, port: DEFAULT_PORT };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65_535) return `'${text}' has an invalid port`;
  return { host, port: Number(portText) };
}

function formatNode(node: RedisNode): string {
  return node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;
}

function failure(message: string): TargetParse {
  return { ok: false, message };
}
