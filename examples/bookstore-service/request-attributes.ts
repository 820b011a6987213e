import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { AttributeValue } from '../../core/attribute/value.js';

/** Who this service is, as Mixer's rules see it (the `destination.*` attributes). */
export interface ServiceIdentity {
  readonly app: string;
  readonly version: string;
  readonly namespace: string;
}

/**
 * The attributes of an incoming request, named as Istio's vocabulary names them. The caller's
 * identity (`source.labels`) comes from the `x-client-app` / `x-client-version` headers: in a
 * mesh the caller's sidecar would vouch for it; this example trusts the header.
 */
export function requestAttributes(request: IncomingMessage, identity: ServiceIdentity, received: Date): Map<string, AttributeValue> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(request.url ?? '/', 'http://service.local');
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => (query[key] = value));
  const host = `${identity.app}.${identity.namespace}.svc.cluster.local`;
  const attributes = new Map<string, AttributeValue>([
    ['context.protocol', 'http'],
    ['context.reporter.kind', 'inbound'],
    ['request.headers', StringMap.fromObject(headers)],
    ['request.path', request.url ?? '/'],
    ['request.url_path', url.pathname],
    ['request.query_params', StringMap.fromObject(query)],
    ['request.method', request.method ?? 'GET'],
    ['request.host', headers['host'] ?? host],
    ['request.scheme', 'http'],
    ['request.id', headers['x-request-id'] ?? randomUUID()],
    ['request.time', Timestamp.fromDate(received)],
    ['request.useragent', headers['user-agent'] ?? ''],
    ['destination.service.host', host],
    ['destination.service.name', identity.app],
    ['destination.service.namespace', identity.namespace],
    ['destination.namespace', identity.namespace],
    ['destination.labels', StringMap.fromObject({ app: identity.app, version: identity.version })],
    ['source.namespace', identity.namespace],
    ['source.labels', StringMap.fromObject(callerLabels(headers))],
  ]);
  const size = Number(headers['content-length'] ?? '0');
  attributes.set('request.size', Number.isSafeInteger(size) ? size : 0);
  const address = request.socket.remoteAddress === undefined ? undefined : IpAddress.tryParse(request.socket.remoteAddress.replace(/^::ffff:/, ''));
  if (address !== undefined) attributes.set('source.ip', address);
  return attributes;
}

function callerLabels(headers: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = {};
  if (headers['x-client-app'] !== undefined) labels['app'] = headers['x-client-app'];
  if (headers['x-client-version'] !== undefined) labels['version'] = headers['x-client-version'];
  return labels;
}

/** The response attributes a Report carries. */
export function responseAttributes(code: number, size: number, headers: Readonly<Record<string, string>>, received: Date): [string, AttributeValue][] {
  const now = new Date();
  return [
    ['response.code', code],
    ['response.size', size],
    ['response.headers', StringMap.fromObject(headers)],
    ['response.time', Timestamp.fromDate(now)],
    ['response.duration', Duration.ofMillis(now.getTime() - received.getTime())],
  ];
}
