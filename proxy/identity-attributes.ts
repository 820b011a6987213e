import { IpAddress } from '../core/attribute/ip-address.js';
import { StringMap } from '../core/attribute/string-map.js';
import type { AttributeValue } from '../core/attribute/value.js';
import type { WorkloadIdentity } from './proxy-config.js';
import type { RegisteredService, ServiceEndpoint } from './service-registry.js';

/** The attribute list of a proxy-built request: insertion-ordered name → value. */
export type AttributeList = Map<string, AttributeValue>;

/**
 * The attributes the inbound side takes from `x-istio-attributes`: Istio's inbound whitelist
 * (mixer-api.md §4.7) without source.uid. Nothing in the header is authenticated until mTLS
 * proves the peer, so no attribute that names the caller (source.uid, .name, .labels,
 * .principal, .user, .workload.*) is taken: anyone who can reach the inbound port could claim
 * any of them. source.namespace stays, as the caller's unauthenticated claim.
 */
export const ACCEPTED_FORWARDED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'source.namespace',
  'destination.service.host',
  'destination.service.name',
  'destination.service.namespace',
  'destination.service.uid',
]);

/** This workload as the caller (outbound): source.*. */
export function sourceIdentity(workload: WorkloadIdentity): [string, AttributeValue][] {
  const attributes: [string, AttributeValue][] = [
    ['source.uid', workload.uid],
    ['source.name', workload.name],
    ['source.namespace', workload.namespace],
    ['source.labels', new StringMap(workload.labels, 'source.labels')],
  ];
  if (workload.principal !== '') attributes.push(['source.principal', workload.principal]);
  return attributes;
}

/** This workload as the callee (inbound): destination.*, including the service it serves. */
export function destinationIdentity(workload: WorkloadIdentity): [string, AttributeValue][] {
  const attributes: [string, AttributeValue][] = [
    ['destination.uid', workload.uid],
    ['destination.name', workload.name],
    ['destination.namespace', workload.namespace],
    ['destination.labels', new StringMap(workload.labels, 'destination.labels')],
    ['destination.service.host', workload.service.host],
    ['destination.service.name', workload.service.name],
    ['destination.service.namespace', workload.service.namespace],
  ];
  if (workload.principal !== '') attributes.push(['destination.principal', workload.principal]);
  return attributes;
}

/** The chosen upstream of an outbound call: its service and endpoint as destination.*. */
export function upstreamIdentity(service: RegisteredService, endpoint: ServiceEndpoint): [string, AttributeValue][] {
  const attributes: [string, AttributeValue][] = [
    ['destination.service.host', service.host],
    ['destination.service.name', service.name],
    ['destination.service.namespace', service.namespace],
    ['destination.uid', endpoint.uid],
    ['destination.name', endpoint.name],
    ['destination.namespace', endpoint.namespace],
    ['destination.labels', new StringMap(endpoint.labels, 'destination.labels')],
    ['destination.port', endpoint.port],
  ];
  const ip = IpAddress.tryParse(endpoint.host === 'localhost' ? '127.0.0.1' : endpoint.host);
  if (ip !== undefined) attributes.push(['destination.ip', ip]);
  if (endpoint.principal !== '') attributes.push(['destination.principal', endpoint.principal]);
  return attributes;
}

/** What the outbound side forwards to the next hop in `x-istio-attributes`. */
export function forwardedIdentity(workload: WorkloadIdentity, service: RegisteredService): [string, AttributeValue][] {
  return [
    ...sourceIdentity(workload),
    ['destination.service.host', service.host],
    ['destination.service.name', service.name],
    ['destination.service.namespace', service.namespace],
  ];
}

/** An IP address attribute from a socket address (IPv4-mapped IPv6 and plain IPv4 alike); undefined when unknown. */
export function socketIp(address: string | undefined): IpAddress | undefined {
  if (address === undefined) return undefined;
  return IpAddress.tryParse(address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address);
}
