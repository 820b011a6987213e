import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { Handler, InstanceConfig, TemplateName } from '../../adapters/sdk/adapter-info.js';
import type { CallContext, CheckResult, QuotaArgs, QuotaResult } from '../../templates/handler-contract.js';
import { TemplateVariety, type InstanceTypes, type TemplateInstance } from '../../templates/template.js';
import { decodeCheckResult, decodeQuotaResult, encodeAdapterConfigField, encodeHandleRequest } from './handle-messages.js';
import { remoteCallError, RemoteCallError } from './remote-call-error.js';
import { encodeStruct, STRUCT_TYPE_URL } from './struct-codec.js';
import { templateWire, type TemplateWire } from './template-wire.js';
import { RpcCode } from '../status/rpc-code.js';

/** What a handler of an out-of-process adapter is built from (from its `handler` resource). */
export interface RemoteHandlerParams {
  /** `host:port` of the adapter's gRPC server (`connection.address`). */
  readonly address: string;
  /** The per-call deadline (`connection.timeout`); undefined: only Mixer's handler timeout applies. */
  readonly timeoutMs: number | undefined;
  /** The handler's `params` as written; sent as `adapter_config` (a google.protobuf.Struct in an Any). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The adapter resource's `session_based`: when true, `adapter_config` is left out (as Istio 1.4 does). */
  readonly sessionBased: boolean;
}

const passBytes = (bytes: Buffer): Buffer => bytes;
/**
 * Without `connection.timeout`, Mixer's handler timeout ends the wait; the call itself is still
 * given up after this long, so a hung adapter cannot pile up calls.
 */
export const UNSET_TIMEOUT_CEILING_MS = 30_000;
const NO_TYPES = (): InstanceTypes | undefined => undefined;

/**
 * The Mixer side of an out-of-process adapter: one gRPC channel to `address`, and one method
 * per template the adapter handles (`handleMetric`, `handleAuthorization`, ...) that encodes the
 * instances as Istio's `Handle<T>Request` and calls `/<template>.Handle<T>Service/Handle<T>`.
 * A failed call rejects with a RemoteCallError (UNAVAILABLE, DEADLINE_EXCEEDED or the remote
 * status), which the dispatcher turns into that handler's status.
 */
export class RemoteHandler implements Handler {
  private readonly client: Client;
  private readonly adapterConfig: Buffer | undefined;
  private readonly types: ReadonlyMap<string, InstanceTypes>;

  constructor(
    private readonly params: RemoteHandlerParams,
    instances: readonly InstanceConfig[],
  ) {
    this.client = new Client(params.address, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 5000,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
    });
    this.adapterConfig = params.sessionBased ? undefined : encodeAdapterConfigField({ typeUrl: STRUCT_TYPE_URL, value: encodeStruct(params.params) });
    this.types = new Map(instances.map((instance) => [instance.name, instance.types]));
  }

  /** Builds the handler object the routing table dispatches to: this, plus a `handle<T>` method per template. */
  static create(params: RemoteHandlerParams, templates: readonly TemplateName[], instances: readonly InstanceConfig[]): RemoteHandler {
    const handler = new RemoteHandler(params, instances);
    const methods = handler as unknown as Record<string, unknown>;
    for (const template of templates) {
      const wire = templateWire(template);
      if (wire === undefined) continue;
      const method = `handle${wire.method.slice('Handle'.length)}`;
      switch (wire.variety) {
        case TemplateVariety.CHECK:
          methods[method] = (instance: TemplateInstance, context?: CallContext) => handler.check(wire, instance, context);
          break;
        case TemplateVariety.QUOTA:
          methods[method] = (instance: TemplateInstance, args: QuotaArgs) => handler.quota(wire, instance, args);
          break;
        case TemplateVariety.REPORT:
          methods[method] = (instances: readonly TemplateInstance[]) => handler.report(wire, instances);
          break;
      }
    }
    return handler;
  }

  async check(wire: TemplateWire, instance: TemplateInstance, context: CallContext | undefined): Promise<CheckResult> {
    const body = encodeHandleRequest(wire, [instance], this.typesOf, this.adapterConfig, context?.deduplicationId ?? '');
    return decodeCheckResult(await this.call(wire, body));
  }

  async quota(wire: TemplateWire, instance: TemplateInstance, args: QuotaArgs): Promise<QuotaResult> {
    const ask = { name: instance.name, amount: args.amount, bestEffort: args.bestEffort };
    const body = encodeHandleRequest(wire, [instance], this.typesOf, this.adapterConfig, args.deduplicationId, ask);
    return decodeQuotaResult(await this.call(wire, body), instance.name);
  }

  async report(wire: TemplateWire, instances: readonly TemplateInstance[]): Promise<void> {
    if (instances.length === 0) return;
    await this.call(wire, encodeHandleRequest(wire, instances, this.typesOf, this.adapterConfig, ''));
  }

  close(): void {
    this.client.close();
  }

  private readonly typesOf = (name: string): InstanceTypes | undefined => this.types.get(name) ?? NO_TYPES();

  private call(wire: TemplateWire, body: Buffer): Promise<Buffer> {
    const address = this.params.address;
    const timeoutMs = this.params.timeoutMs ?? UNSET_TIMEOUT_CEILING_MS;
    return new Promise((resolve, reject) => {
      const options = { deadline: Date.now() + timeoutMs };
      try {
        this.client.makeUnaryRequest(wire.path, passBytes, passBytes, body, new Metadata(), options, (error: ServiceError | null, response?: Buffer) => {
          if (error !== null) reject(remoteCallError(error, address, timeoutMs));
          else resolve(response ?? Buffer.alloc(0));
        });
      } catch (error) {
        // A closed channel throws synchronously.
        reject(new RemoteCallError(RpcCode.UNAVAILABLE, `out-of-process adapter at ${address} is unavailable: ${(error as Error).message}`, { cause: error }));
      }
    });
  }
}
