import type { IpAddress } from '../../core/attribute/ip-address.js';
import type { ConventionFact, RequestFacts } from './request-facts.js';

// The request facts policies can test, each with a name (Istio's attribute name, used in `when`
// keys and messages), how to read it from RequestFacts, and which instance property it needs.

interface FactBase {
  /** Istio's name for the fact (`source.principal`, `request.headers[x-user]`). */
  readonly key: string;
  /** The instance property it is read from, when it comes from one (see request-facts.ts). */
  readonly needs: ConventionFact | undefined;
}

export interface StringFact extends FactBase {
  readonly kind: 'string';
  /** Hosts compare case-insensitively. */
  readonly lowerCase: boolean;
  /** Orders facts for indexing: lower is more selective (principals before methods). */
  readonly selectivity: number;
  readonly read: (facts: RequestFacts) => string | undefined;
}

export interface IpFact extends FactBase {
  readonly kind: 'ip';
  readonly read: (facts: RequestFacts) => IpAddress | undefined;
}

export interface PortFact extends FactBase {
  readonly kind: 'port';
  readonly read: (facts: RequestFacts) => number | undefined;
}

export type Fact = StringFact | IpFact | PortFact;

function stringFact(key: string, selectivity: number, needs: ConventionFact | undefined, read: (facts: RequestFacts) => string | undefined, lowerCase = false): StringFact {
  return Object.freeze({ kind: 'string', key, needs, selectivity, lowerCase, read });
}

/** The facts AuthorizationPolicy fields read. */
export const FACTS = Object.freeze({
  principal: stringFact('source.principal', 0, undefined, (facts) => facts.principal),
  requestPrincipal: stringFact('request.auth.principal', 1, 'requestPrincipal', (facts) => facts.requestPrincipal),
  path: stringFact('request.path', 2, undefined, (facts) => facts.path),
  host: stringFact('request.host', 3, undefined, (facts) => facts.host, true),
  namespace: stringFact('source.namespace', 6, undefined, (facts) => facts.namespace),
  audiences: stringFact('request.auth.audiences', 7, 'audiences', (facts) => facts.audiences),
  presenter: stringFact('request.auth.presenter', 7, 'presenter', (facts) => facts.presenter),
  sni: stringFact('connection.sni', 7, 'sni', (facts) => facts.sni),
  method: stringFact('request.method', 8, undefined, (facts) => facts.method),
  sourceIp: Object.freeze<IpFact>({ kind: 'ip', key: 'source.ip', needs: 'sourceIp', read: (facts) => facts.sourceIp }),
  remoteIp: Object.freeze<IpFact>({ kind: 'ip', key: 'remote.ip', needs: 'remoteIp', read: (facts) => facts.remoteIp }),
  destinationIp: Object.freeze<IpFact>({ kind: 'ip', key: 'destination.ip', needs: 'destinationIp', read: (facts) => facts.destinationIp }),
  port: Object.freeze<PortFact>({ kind: 'port', key: 'destination.port', needs: 'port', read: (facts) => facts.port }),
});

/** `request.headers[<name>]`: header names compare case-insensitively (maps carry them lower-cased). */
export function headerFact(name: string): StringFact {
  const lower = name.toLowerCase();
  return stringFact(`request.headers[${lower}]`, 5, 'headers', (facts) => facts.header(lower));
}

export function claimFact(name: string): StringFact {
  return stringFact(`request.auth.claims[${name}]`, 4, 'claims', (facts) => facts.claim(name));
}

const SIMPLE_KEYS: ReadonlyMap<string, Fact> = new Map<string, Fact>([
  ['source.ip', FACTS.sourceIp],
  ['remote.ip', FACTS.remoteIp],
  ['source.namespace', FACTS.namespace],
  ['source.principal', FACTS.principal],
  ['request.auth.principal', FACTS.requestPrincipal],
  ['request.auth.audiences', FACTS.audiences],
  ['request.auth.presenter', FACTS.presenter],
  ['destination.ip', FACTS.destinationIp],
  ['destination.port', FACTS.port],
  ['connection.sni', FACTS.sni],
]);

/** Every `when` key rbac understands, for messages and documentation. */
export const SUPPORTED_WHEN_KEYS: readonly string[] = Object.freeze([
  'request.headers[<name>]',
  'request.auth.claims[<claim>]',
  ...SIMPLE_KEYS.keys(),
]);

export type ParsedKey = { readonly ok: true; readonly fact: Fact } | { readonly ok: false; readonly message: string };

/**
 * Parses a `when` key (Istio's security.ValidateAttribute), with Istio's messages for keys it
 * rejects or reserves for other APIs.
 */
export function parseWhenKey(key: string): ParsedKey {
  const simple = SIMPLE_KEYS.get(key);
  if (simple !== undefined) return { ok: true, fact: simple };
  if (key.startsWith('request.headers')) {
    const name = mapKey(key, 'request.headers');
    return name === undefined ? badMapKey(key) : { ok: true, fact: headerFact(name) };
  }
  if (key.startsWith('request.auth.claims')) {
    const name = mapKey(key, 'request.auth.claims');
    if (name === undefined) return badMapKey(key);
    if (name.includes('][')) return { ok: false, message: `nested claims (${key}) are not supported: the claims map is flat` };
    return { ok: true, fact: claimFact(name) };
  }
  if (key.startsWith('experimental.envoy.filters.')) return { ok: false, message: `attribute ${key} reads Envoy filter metadata, which Mixer does not have` };
  if (key === 'destination.namespace') return { ok: false, message: `attribute ${key} is replaced by the metadata.namespace` };
  if (key.startsWith('destination.labels')) return { ok: false, message: `attribute ${key} is replaced by the workload selector` };
  if (key === 'destination.name' || key === 'destination.user') return { ok: false, message: `deprecated attribute ${key}: only supported in v1alpha1` };
  return { ok: false, message: `unknown attribute: ${key} (supported: ${SUPPORTED_WHEN_KEYS.join(', ')})` };
}

/** `prefix[name]` → `name`; undefined unless the key is exactly that shape with a non-empty name. */
function mapKey(key: string, prefix: string): string | undefined {
  if (key.length < prefix.length + 3 || key[prefix.length] !== '[' || !key.endsWith(']')) return undefined;
  return key.slice(prefix.length + 1, -1);
}

function badMapKey(key: string): ParsedKey {
  return { ok: false, message: `bad key (${key}): should have format a[b]` };
}
