import { IpAddress } from '../../core/attribute/ip-address.js';
import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import { CidrParseError, IpNetwork } from '../listchecker/ip-network.js';
import type { Fact, StringFact } from './facts.js';
import type { ConventionFact, RequestFacts } from './request-facts.js';
import { StringPatterns } from './string-patterns.js';

// One field of a policy (`principals`, `notIpBlocks`, a `when` condition's values) compiled
// into a predicate over the request's facts, plus what the rule index can key on.

export type Predicate = (facts: RequestFacts) => boolean;

export const ALWAYS: Predicate = () => true;

/** A requirement a rule cannot match without: `fact` must be one of `values` (exact, normalized). */
export interface IndexHint {
  readonly fact: StringFact;
  readonly values: ReadonlySet<string>;
}

export interface CompiledMatch {
  readonly predicate: Predicate;
  /** Set for positive, exact-only string lists. */
  readonly hint: IndexHint | undefined;
  /** The instance property the fact is read from, if any. */
  readonly needs: ConventionFact | undefined;
}

/**
 * Compiles `values` for `fact` (negated for `not*` fields): strings by Istio's exact / prefix /
 * suffix / `*` rules, IPs as CIDRs or single addresses, ports as integers 0-65535. Invalid
 * values are reported under `field` with Istio's messages; an absent or empty list is no
 * condition (undefined).
 */
export function compileMatch(
  fact: Fact,
  values: readonly string[] | undefined,
  negate: boolean,
  field: string,
  problems: ConfigProblem[],
): CompiledMatch | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const label = field.slice(field.lastIndexOf('.') + 1);
  if (values.includes('')) problems.push(problem(field, `empty value not allowed, found in ${label.charAt(0).toUpperCase()}${label.slice(1)}`));
  let positive: Predicate;
  let hint: IndexHint | undefined;
  switch (fact.kind) {
    case 'string': {
      const patterns = StringPatterns.compile(values, { lowerCase: fact.lowerCase });
      const read = fact.read;
      positive = (facts) => patterns.matches(read(facts));
      if (!negate && patterns.exactOnly) hint = { fact, values: patterns.exact };
      break;
    }
    case 'ip': {
      const networks = ipNetworks(values, field, problems);
      const read = fact.read;
      positive = (facts) => {
        const address = read(facts);
        if (address === undefined) return false;
        for (const network of networks) if (network.contains(address)) return true;
        return false;
      };
      break;
    }
    case 'port': {
      const ports = portSet(values, field, problems);
      const read = fact.read;
      positive = (facts) => {
        const port = read(facts);
        return port !== undefined && ports.has(port);
      };
      break;
    }
  }
  return { predicate: negate ? (facts) => !positive(facts) : positive, hint, needs: fact.needs };
}

/** Istio's security.ValidateIPs: `a.b.c.d/n` must be a CIDR, anything else an address. */
function ipNetworks(values: readonly string[], field: string, problems: ConfigProblem[]): IpNetwork[] {
  const networks: IpNetwork[] = [];
  values.forEach((value, index) => {
    if (value === '') return;
    if (value.includes('/')) {
      try {
        networks.push(IpNetwork.parseCidr(value));
      } catch (error) {
        if (!(error instanceof CidrParseError)) throw error;
        problems.push(problem(`${field}[${index}]`, `bad CIDR range (${value}): ${error.message}`));
      }
    } else if (IpAddress.tryParse(value) === undefined) {
      problems.push(problem(`${field}[${index}]`, `bad IP address (${value})`));
    } else {
      networks.push(IpNetwork.parseEntry(value));
    }
  });
  return networks;
}

/** Istio's security.ValidatePorts: decimal, at most 65535. */
function portSet(values: readonly string[], field: string, problems: ConfigProblem[]): Set<number> {
  const ports = new Set<number>();
  values.forEach((value, index) => {
    if (value === '') return;
    if (/^[0-9]+$/.test(value) && Number(value) <= 65535) ports.add(Number(value));
    else problems.push(problem(`${field}[${index}]`, `bad port (${value}): must be an integer from 0 to 65535`));
  });
  return ports;
}

/** Every predicate holds (true for none). */
export function allOf(predicates: readonly Predicate[]): Predicate {
  if (predicates.length === 0) return ALWAYS;
  if (predicates.length === 1) return predicates[0]!;
  const count = predicates.length;
  return (facts) => {
    for (let index = 0; index < count; index++) if (!predicates[index]!(facts)) return false;
    return true;
  };
}

/** Some predicate holds (false for none). */
export function anyOf(predicates: readonly Predicate[]): Predicate {
  if (predicates.length === 1) return predicates[0]!;
  const count = predicates.length;
  return (facts) => {
    for (let index = 0; index < count; index++) if (predicates[index]!(facts)) return true;
    return false;
  };
}
