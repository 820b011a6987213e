import { IpAddress } from '../../core/attribute/ip-address.js';
import type { InstanceValue } from '../../templates/template.js';
import { CidrParseError, IpNetwork } from '../listchecker/ip-network.js';
import { parseWhenKey } from './facts.js';
import { text, type RequestFacts } from './request-facts.js';
import { StringPatterns } from './string-patterns.js';

// How ServiceRole constraints and ServiceRoleBinding properties read the request. Mixer's rbac
// adapter looked keys up in the instance's action / subject properties, as written
// (`version` → action.properties.version). A key the properties do not have falls back to the
// request fact of that name (`destination.labels[version]`, `request.headers[x]`,
// `source.namespace`, ...), so Istio's later Envoy-side keys work too.

/** What a key reads: text (compared as strings), or an address (compared with CIDRs). */
export type RoleValue = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'ip'; readonly ip: IpAddress };

export type RoleReader = (facts: RequestFacts) => RoleValue | undefined;

/** Reads a ServiceRole constraint key: action.properties[key], else the fact it names. */
export function constraintReader(key: string): RoleReader {
  const fallback = actionFact(key) ?? factReader(key);
  return (facts) => fromInstance(facts.actionProperty(key)) ?? fallback?.(facts);
}

/** Reads a ServiceRoleBinding property key: subject.properties[key], else the fact it names. */
export function propertyReader(key: string): RoleReader {
  const fallback = factReader(key);
  return (facts) => fromInstance(facts.subjectProperty(key)) ?? fallback?.(facts);
}

function actionFact(key: string): RoleReader | undefined {
  if (key === 'destination.namespace') return (facts) => textValue(facts.workloadNamespace);
  if (key.startsWith('destination.labels[') && key.endsWith(']') && key.length > 'destination.labels[]'.length) {
    const label = key.slice('destination.labels['.length, -1);
    return (facts) => textValue(facts.label(label));
  }
  return undefined;
}

function factReader(key: string): RoleReader | undefined {
  const parsed = parseWhenKey(key);
  if (!parsed.ok) return undefined;
  const fact = parsed.fact;
  switch (fact.kind) {
    case 'string':
      return (facts) => textValue(fact.read(facts));
    case 'ip':
      return (facts) => {
        const ip = fact.read(facts);
        return ip === undefined ? undefined : { kind: 'ip', ip };
      };
    case 'port':
      return (facts) => {
        const port = fact.read(facts);
        return port === undefined ? undefined : { kind: 'text', text: String(port) };
      };
  }
}

/** A property value: strings as they are (even ''), numbers and addresses as their text. */
function fromInstance(value: InstanceValue): RoleValue | undefined {
  if (typeof value === 'string') return { kind: 'text', text: value };
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return { kind: 'text', text: String(value) };
  if (value instanceof IpAddress) return { kind: 'ip', ip: value };
  return undefined;
}

function textValue(value: string | undefined): RoleValue | undefined {
  const present = text(value);
  return present === undefined ? undefined : { kind: 'text', text: present };
}

/**
 * Matches a RoleValue against configured values: text by Mixer's rules (exact, or with
 * `wildcards` also `*`, `x*`, `*x`), addresses against values that are IPs or CIDRs.
 */
export function roleValueMatcher(values: readonly string[], wildcards: boolean): (value: RoleValue | undefined) => boolean {
  const patterns = wildcards ? StringPatterns.compile(values, { emptyIsValue: true }) : undefined;
  const exact = new Set(values);
  const networks = values.flatMap((entry) => {
    try {
      return [IpNetwork.parseEntry(entry)];
    } catch (error) {
      // Not an address or CIDR: the value is only compared as text.
      if (error instanceof CidrParseError) return [];
      throw error;
    }
  });
  const matchesText = (candidate: string) => (patterns === undefined ? exact.has(candidate) : patterns.matches(candidate));
  return (value) => {
    if (value === undefined) return false;
    if (value.kind === 'text') return matchesText(value.text);
    return networks.some((network) => network.contains(value.ip)) || matchesText(value.ip.toString());
  };
}
