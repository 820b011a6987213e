import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DictBag } from '../../core/attribute/dict-bag.js';
import { decisionHttpStatus, decisionReportAttributes, type CheckDecision, type MixerClient } from '../../core/client/index.js';
import { HeaderOperationKind } from '../../core/config/snapshot.js';
import type { HeaderOperation } from '../../core/runtime/check-outcome.js';
import { RpcCode, rpcCodeName } from '../../core/status/rpc-code.js';
import { requestAttributes, responseAttributes, type ServiceIdentity } from './request-attributes.js';

export interface BookstoreServiceOptions {
  readonly identity: ServiceIdentity;
  /** The Mixer client every request goes through (cache, quota prefetch, batched reports). */
  readonly client: MixerClient;
  /** A quota to allocate per request (`requestcountquota` in the bookstore config). */
  readonly quota?: { readonly name: string; readonly amount: number };
}

/**
 * A small service of the bookstore mesh that asks Mixer before serving and reports after,
 * without a sidecar: Check through the client library (403 on a denial, 429 on an exhausted
 * quota, a direct response when Mixer asks for one, request and response header operations
 * applied), then a Report with the response's attributes.
 */
export function createBookstoreService(options: BookstoreServiceOptions): Server {
  const { client, identity } = options;
  return createServer((request, response) => {
    void serve(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('internal error\n');
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const received = new Date();
    const attributes = requestAttributes(request, identity, received);
    const quotas = options.quota === undefined ? undefined : { [options.quota.name]: options.quota.amount };
    const decision = await client.check(new DictBag(attributes), quotas);
    const responseHeaders: Record<string, string> = {};
    let code: number;
    let body: string;
    const directive = decision.routeDirective;
    if (directive !== undefined && directive.directResponseCode !== 0) {
      code = directive.directResponseCode;
      body = directive.directResponseBody;
      applyHeaderOperations(responseHeaders, directive.responseHeaderOperations);
    } else if (decision.status.code !== RpcCode.OK) {
      code = decisionHttpStatus(decision);
      body = `${rpcCodeName(decision.status.code)}: ${decision.status.message}\n`;
      responseHeaders['content-type'] = 'text/plain';
    } else {
      // The application itself: it sees the request headers as Mixer's operations left them.
      const seen = flatHeaders(request);
      applyHeaderOperations(seen, directive?.requestHeaderOperations ?? []);
      code = 200;
      body = `${JSON.stringify({ service: identity.app, version: identity.version, path: request.url, caller: seen['x-bookstore-caller'] ?? null })}\n`;
      responseHeaders['content-type'] = 'application/json';
      responseHeaders['x-powered-by'] = 'bookstore-example';
      applyHeaderOperations(responseHeaders, directive?.responseHeaderOperations ?? []);
    }
    response.writeHead(code, responseHeaders);
    response.end(body);
    report(decision, attributes, code, Buffer.byteLength(body), responseHeaders, received);
  }

  function report(decision: CheckDecision, attributes: Map<string, unknown>, code: number, size: number, headers: Record<string, string>, received: Date): void {
    const entries = [...attributes, ...responseAttributes(code, size, headers, received), ...decisionReportAttributes(decision)];
    client.report(new DictBag(entries as ConstructorParameters<typeof DictBag>[0]));
  }
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

/** Applies Mixer's header operations as Envoy does: REPLACE sets, APPEND adds (or sets), REMOVE deletes. */
export function applyHeaderOperations(headers: Record<string, string>, operations: readonly HeaderOperation[]): void {
  for (const operation of operations) {
    const name = operation.name.toLowerCase();
    switch (operation.operation) {
      case HeaderOperationKind.REMOVE:
        delete headers[name];
        break;
      case HeaderOperationKind.APPEND:
        headers[name] = headers[name] === undefined ? operation.value : `${headers[name]},${operation.value}`;
        break;
      default:
        headers[name] = operation.value;
    }
  }
}
