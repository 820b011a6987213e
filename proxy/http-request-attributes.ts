import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { StringMap } from '../core/attribute/string-map.js';
import { Timestamp } from '../core/attribute/timestamp.js';
import type { AttributeList } from './identity-attributes.js';

/** `context.protocol`: gRPC is HTTP/2 with an application/grpc content type; everything else is http. */
export function httpProtocolOf(headers: IncomingHttpHeaders): 'http' | 'grpc' {
  const type = headers['content-type'];
  return type !== undefined && type.startsWith('application/grpc') ? 'grpc' : 'http';
}

/** Header values as one string each (repeated headers comma-joined, cookies with '; '). */
export function headerRecord(headers: IncomingHttpHeaders | Readonly<Record<string, string | number | readonly string[] | undefined>>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    record[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ',') : String(value);
  }
  return record;
}

/** What the attributes and routing need of a request, over HTTP/1.1 or HTTP/2 alike. */
export interface RequestHead {
  readonly method: string;
  /** Path with query. */
  readonly path: string;
  /** Host header (HTTP/1.1) or :authority (HTTP/2). */
  readonly authority: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * An HTTP/1.1 request's head. The absolute form a client sends to a proxy it was configured with
 * (`GET http://ratings/path HTTP/1.1`, HTTP_PROXY) names the service in the URL: that wins over Host.
 */
export function http1Head(request: IncomingMessage): RequestHead {
  const url = request.url ?? '/';
  if (url.startsWith('http://')) {
    const slash = url.indexOf('/', 7);
    const authority = slash < 0 ? url.slice(7) : url.slice(7, slash);
    const path = slash < 0 ? '/' : url.slice(slash);
    return { method: request.method ?? 'GET', path, authority: authority === '' ? (request.headers.host ?? '') : authority, headers: request.headers };
  }
  return { method: request.method ?? 'GET', path: url, authority: request.headers.host ?? '', headers: request.headers };
}

export function http2Head(headers: IncomingHttpHeaders): RequestHead {
  return { method: String(headers[':method'] ?? 'GET'), path: String(headers[':path'] ?? '/'), authority: String(headers[':authority'] ?? headers.host ?? ''), headers };
}

/**
 * The request attributes Envoy's Mixer filter sends with Check (mixer-api.md §3): headers
 * (with the :authority, :method and :path pseudo-headers, as Envoy's header map has them),
 * path, url_path, query_params, host, method, scheme, useragent, referer, id, time.
 */
export function addRequestAttributes(attributes: AttributeList, request: RequestHead, requestId: string, startedAt: number): void {
  const headers = request.headers;
  const path = request.path;
  const authority = request.authority;
  const record = headerRecord(headers);
  record[':authority'] = authority;
  record[':method'] = request.method;
  record[':path'] = path;
  record['x-request-id'] = requestId;
  attributes.set('request.headers', StringMap.adopt(record, 'request.headers'));
  attributes.set('request.id', requestId);
  attributes.set('request.path', path);
  const question = path.indexOf('?');
  attributes.set('request.url_path', question < 0 ? path : path.slice(0, question));
  if (question >= 0) attributes.set('request.query_params', queryParams(path.slice(question + 1)));
  attributes.set('request.host', String(authority));
  attributes.set('request.method', request.method);
  attributes.set('request.scheme', 'http');
  const agent = headers['user-agent'];
  if (agent !== undefined) attributes.set('request.useragent', agent);
  const referer = headers.referer;
  if (referer !== undefined) attributes.set('request.referer', referer);
  attributes.set('request.time', Timestamp.fromMillis(startedAt));
}

/** A query string's parameters, decoded; the first value of a repeated name wins. */
export function queryParams(query: string): StringMap {
  const entries = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decode(equals < 0 ? part : part.slice(0, equals));
    if (!entries.has(name)) entries.set(name, equals < 0 ? '' : decode(part.slice(equals + 1)));
  }
  return new StringMap(entries, 'request.query_params');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** The size of a request's head as it came on the wire (request line, headers, blank line). */
export function requestHeadSize(request: IncomingMessage): number {
  let size = (request.method?.length ?? 3) + (request.url?.length ?? 1) + 12; // "M P HTTP/1.1\r\n"
  const raw = request.rawHeaders;
  for (let index = 0; index < raw.length; index++) size += raw[index]!.length + (index % 2 === 0 ? 2 : 2);
  return size + 2;
}
