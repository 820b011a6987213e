import type { AttributeBag } from '../attribute/bag.js';
import { InvalidAttributesError, requestBagFromJson } from '../attribute/convert.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { ReferenceCondition, type AttributeReference } from '../attribute/referenced-attributes.js';
import { TransportError, type TransportCheckResponse } from '../client/transport.js';
import { GrpcMixerTransport } from '../grpc/grpc-mixer-transport.js';
import { durationJson } from '../api/proto-json.js';
import type { RouteDirective } from '../runtime/check-outcome.js';
import type { RpcStatus } from '../status/rpc-status.js';
import { rpcCodeName } from '../status/rpc-code.js';
import { UnreachableError, UsageError } from './command.js';

export const DEFAULT_GRPC_SERVER = '127.0.0.1:9091';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The attributes typed for the wire: declared ones by the standard vocabulary, others by their JSON type. */
export function typedAttributes(attributes: Readonly<Record<string, unknown>>): AttributeBag {
  try {
    return requestBagFromJson(attributes, AttributeManifest.standard());
  } catch (error) {
    if (error instanceof InvalidAttributesError) throw new UsageError(error.problems.join('\n'));
    throw error;
  }
}

function statusJson(status: RpcStatus): Json {
  return status.message === '' ? { code: status.code } : { code: status.code, message: status.message };
}

function referencedJson(references: readonly AttributeReference[]): Json {
  return {
    attributeMatches: references.map((reference) => ({
      name: reference.name,
      condition: ReferenceCondition[reference.condition] ?? String(reference.condition),
      ...(reference.mapKey === undefined ? {} : { mapKey: reference.mapKey }),
    })),
  };
}

function directiveJson(directive: RouteDirective): Json {
  const operations = (list: RouteDirective['requestHeaderOperations']): Json => list.map((operation) => ({ ...operation }));
  return {
    ...(directive.requestHeaderOperations.length > 0 ? { requestHeaderOperations: operations(directive.requestHeaderOperations) } : {}),
    ...(directive.responseHeaderOperations.length > 0 ? { responseHeaderOperations: operations(directive.responseHeaderOperations) } : {}),
    ...(directive.directResponseCode !== 0 ? { directResponseCode: directive.directResponseCode } : {}),
    ...(directive.directResponseBody !== '' ? { directResponseBody: directive.directResponseBody } : {}),
  };
}

/** A decoded gRPC CheckResponse in the same JSON shape as the HTTP API's. */
export function checkResponseJsonFromWire(response: TransportCheckResponse): Json {
  const precondition = response.precondition;
  const json: { [key: string]: Json } = {};
  if (precondition !== undefined) {
    json['precondition'] = {
      status: statusJson(precondition.status),
      ...(precondition.validDurationMs === undefined ? {} : { validDuration: durationJson(precondition.validDurationMs) }),
      validUseCount: precondition.validUseCount,
      referencedAttributes: referencedJson(precondition.referenced),
      ...(precondition.routeDirective === undefined ? {} : { routeDirective: directiveJson(precondition.routeDirective) }),
    };
  }
  if (response.quotas.size > 0) {
    const quotas: { [key: string]: Json } = {};
    for (const [name, quota] of response.quotas) {
      quotas[name] = {
        ...(quota.validDurationMs === undefined ? {} : { validDuration: durationJson(quota.validDurationMs) }),
        grantedAmount: String(quota.grantedAmount),
        referencedAttributes: referencedJson(quota.referenced),
        status: statusJson(quota.status),
      };
    }
    json['quotas'] = quotas;
  }
  return json;
}

/** Runs `call` over a gRPC transport to `target`; a failed call says what happened and what to do. */
export async function withGrpcTransport<T>(target: string | undefined, call: (transport: GrpcMixerTransport) => Promise<T>): Promise<T> {
  const address = target ?? DEFAULT_GRPC_SERVER;
  if (!/^(grpc:\/\/)?[^/\s]+:\d+$/.test(address)) throw new UsageError(`--server ${address}: with --grpc, expected host:port such as ${DEFAULT_GRPC_SERVER}`);
  const transport = new GrpcMixerTransport({ target: address, deadlineMs: 10_000 });
  try {
    return await call(transport);
  } catch (error) {
    if (error instanceof TransportError) {
      throw new UnreachableError(`gRPC call to Mixer at ${address} failed (${rpcCodeName(error.rpcCode)}: ${error.message}); is 'mixer server' running with its gRPC port there?`);
    }
    throw error;
  } finally {
    await transport.close();
  }
}
