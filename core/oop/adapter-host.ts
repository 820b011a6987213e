import { createHash } from 'node:crypto';
import { Server, type MethodDefinition, type sendUnaryData, type ServerUnaryCall, type StatusObject, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { AggregatorRegistry, Registry } from 'prom-client';
import type { AdapterInfo, Handler } from '../../adapters/sdk/adapter-info.js';
import { LOOPBACK_LISTENER, ManagedEnvironment, type ListenerDefaults } from '../../adapters/sdk/environment.js';
import type { CheckResult, QuotaResult } from '../../templates/handler-contract.js';
import { TemplateVariety, type TemplateInstance } from '../../templates/template.js';
import { GrpcListener } from '../grpc/grpc-listener.js';
import { WireFormatError } from '../grpc/wire-reader.js';
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../net/listener-limits.js';
import { ListenerMetrics } from '../net/listener-metrics.js';
import { RpcCode } from '../status/rpc-code.js';
import { AdapterHostError } from './adapter-host-error.js';
import { decodeHandleRequest, encodeCheckResult, encodeQuotaResult, REPORT_RESULT, type AnyMessage, type HandleRequest } from './handle-messages.js';
import { decodeStruct, STRUCT_TYPE_URL } from './struct-codec.js';
import { templateWire, type TemplateWire } from './template-wire.js';

export interface AdapterHostOptions {
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Handlers kept built at once (one per distinct adapter_config); the least recently used is closed beyond it. */
  readonly maxHandlers?: number;
  /** What the gRPC listener keeps to, and what adapters' own listeners are given. */
  readonly limits?: ListenerLimits;
}

interface HostedHandler {
  readonly handler: Handler;
  readonly environment: ManagedEnvironment;
  /** The handler's own metrics (default labels: adapter, config). */
  readonly metrics: Registry;
}

type Call = ServerUnaryCall<Buffer, Buffer>;
const passBytes = (bytes: Buffer): Buffer => bytes;

/**
 * Serves one SDK adapter as an out-of-process adapter: a gRPC server with Istio's
 * `Handle<T>Service` for each template the adapter supports. Each distinct `adapter_config`
 * (the handler's params, a google.protobuf.Struct) gets its own handler, parsed, validated and
 * built exactly as Mixer builds it in process, then reused for every call with that config.
 * Bad requests and configs are INVALID_ARGUMENT, adapter failures INTERNAL; nothing crashes the
 * host.
 */
export class AdapterHost {
  private readonly server: Server;
  private readonly handlers = new Map<string, Promise<HostedHandler>>();
  private readonly maxHandlers: number;
  private readonly limits: ListenerLimits;
  /** The host's own metrics: its listeners' connections. */
  private readonly ownMetrics = new Registry();
  readonly listenerMetrics = new ListenerMetrics(this.ownMetrics);
  private readonly listener: GrpcListener;
  /** What handlers are told about listeners: the interface this host serves on. */
  private listenerDefaults: ListenerDefaults = LOOPBACK_LISTENER;
  private closed = false;

  constructor(
    private readonly adapter: AdapterInfo,
    private readonly options: AdapterHostOptions,
  ) {
    this.maxHandlers = options.maxHandlers ?? 32;
    this.limits = options.limits ?? DEFAULT_LISTENER_LIMITS;
    this.listener = new GrpcListener(this.limits);
    this.server = new Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024, ...this.listener.serverOptions });
    const definition: Record<string, MethodDefinition<Buffer, Buffer>> = {};
    const implementation: UntypedServiceImplementation = {};
    for (const template of adapter.supportedTemplates) {
      const wire = templateWire(template);
      if (wire === undefined) continue;
      definition[wire.method] = {
        path: wire.path,
        originalName: wire.method,
        requestStream: false,
        responseStream: false,
        requestSerialize: passBytes,
        requestDeserialize: passBytes,
        responseSerialize: passBytes,
        responseDeserialize: passBytes,
      };
      implementation[wire.method] = (call: Call, callback: sendUnaryData<Buffer>) => {
        this.handle(wire, call.request).then(
          (response) => callback(null, response),
          (error: unknown) => callback(this.statusOf(wire, error) as unknown as Partial<StatusObject>, null),
        );
      };
    }
    if (Object.keys(definition).length === 0) throw new TypeError(`adapter '${adapter.name}' supports no template that can be served out of process`);
    this.server.addService(definition, implementation);
  }

  /** The gRPC methods served (`/metric.HandleMetricService/HandleMetric`, ...). */
  get paths(): string[] {
    return this.adapter.supportedTemplates.flatMap((template) => templateWire(template)?.path ?? []);
  }

  /**
   * Listens on `host:port` (0 picks a free port); resolves to `host:port` as bound. Handlers
   * built from then on open their own listeners on `host` by default.
   */
  async listen(host: string, port: number): Promise<string> {
    const bound = await this.listener.listen(this.server, host, port);
    this.listenerMetrics.watch('grpc', bound.server);
    this.listenerDefaults = Object.freeze({ host, limits: this.limits });
    return bound.address;
  }

  /** Stops serving (calls in flight get up to `graceMs`), then closes every handler. */
  async close(graceMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.listener.listening) this.server.forceShutdown();
    await this.listener.close(graceMs);
    const built = [...this.handlers.values()];
    this.handlers.clear();
    await Promise.all(built.map(async (pending) => this.closeHandler(await pending.catch(() => undefined))));
  }

  /**
   * The Prometheus text exposition of every live handler's own metrics (what `env.metrics` holds
   * in process) and of the host's listeners.
   */
  async metricsText(): Promise<string> {
    const hosted = await Promise.all([...this.handlers.values()].map((pending) => pending.catch(() => undefined)));
    const registries = [this.ownMetrics, ...hosted.flatMap((entry) => (entry === undefined ? [] : [entry.metrics]))];
    const families = await Promise.all(registries.map((registry) => registry.getMetricsAsJSON()));
    return AggregatorRegistry.aggregate(families).metrics();
  }

  private async handle(wire: TemplateWire, bytes: Buffer): Promise<Buffer> {
    let request: HandleRequest;
    try {
      request = decodeHandleRequest(wire, bytes);
    } catch (error) {
      if (error instanceof WireFormatError) throw new AdapterHostError(RpcCode.INVALID_ARGUMENT, `malformed Handle${wire.method.slice(6)}Request: ${error.message}`, { cause: error });
      throw error;
    }
    const { handler } = await this.handlerFor(request.adapterConfig);
    const method = (handler as unknown as Record<string, unknown>)[`handle${wire.method.slice('Handle'.length)}`];
    if (typeof method !== 'function') throw new AdapterHostError(RpcCode.UNIMPLEMENTED, `adapter '${this.adapter.name}' has no ${wire.method}`);
    const invoke = method as (...args: unknown[]) => unknown;
    const context = { deduplicationId: request.dedupId };
    switch (wire.variety) {
      case TemplateVariety.REPORT:
        await invoke.call(handler, request.instances);
        return REPORT_RESULT;
      case TemplateVariety.CHECK: {
        const result = (await invoke.call(handler, this.single(wire, request.instances), context)) as CheckResult;
        if (!isCheckResult(result)) throw new AdapterHostError(RpcCode.INTERNAL, `adapter '${this.adapter.name}' returned an invalid check result`);
        return encodeCheckResult(result);
      }
      case TemplateVariety.QUOTA: {
        const instance = this.single(wire, request.instances);
        const ask = request.quotas[0] ?? { name: instance.name, amount: 1, bestEffort: false };
        const args = { deduplicationId: request.dedupId, amount: ask.amount, bestEffort: ask.bestEffort };
        const result = (await invoke.call(handler, instance, args, context)) as QuotaResult;
        if (!isQuotaResult(result)) throw new AdapterHostError(RpcCode.INTERNAL, `adapter '${this.adapter.name}' returned an invalid quota result`);
        return encodeQuotaResult(ask.name, result);
      }
    }
  }

  private single(wire: TemplateWire, instances: readonly TemplateInstance[]): TemplateInstance {
    const instance = instances[0];
    if (instance === undefined) throw new AdapterHostError(RpcCode.INVALID_ARGUMENT, `Handle${wire.method.slice(6)}Request carries no instance`);
    return instance;
  }

  /** The handler for one adapter_config: built on first use, then reused (most recently used kept). */
  private handlerFor(config: AnyMessage | undefined): Promise<HostedHandler> {
    const key = config === undefined ? '' : `${config.typeUrl}\u0000${config.value.toString('base64')}`;
    const existing = this.handlers.get(key);
    if (existing !== undefined) {
      this.handlers.delete(key);
      this.handlers.set(key, existing);
      return existing;
    }
    const pending = this.build(config, key);
    this.handlers.set(key, pending);
    // A build that failed is forgotten, so the next call tries again (the problem may be gone).
    pending.catch(() => {
      if (this.handlers.get(key) === pending) this.handlers.delete(key);
    });
    while (this.handlers.size > this.maxHandlers) {
      const [oldestKey, oldest] = this.handlers.entries().next().value as [string, Promise<HostedHandler>];
      this.handlers.delete(oldestKey);
      void oldest.then((hosted) => this.closeHandler(hosted), () => undefined);
    }
    return pending;
  }

  private async build(config: AnyMessage | undefined, key: string): Promise<HostedHandler> {
    const raw = paramsOf(config);
    const parsed = this.adapter.params.parse(raw);
    if (!parsed.ok) {
      throw new AdapterHostError(RpcCode.INVALID_ARGUMENT, `invalid params for adapter '${this.adapter.name}': ${parsed.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`);
    }
    const handlerConfig = { name: this.adapter.name, params: parsed.value, instances: [] };
    const problems = this.adapter.validate?.(handlerConfig) ?? [];
    if (problems.length > 0) {
      throw new AdapterHostError(RpcCode.INVALID_ARGUMENT, `invalid params for adapter '${this.adapter.name}': ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`);
    }
    const metrics = new Registry();
    // One handler per params value: `config` tells their series apart.
    metrics.setDefaultLabels({ adapter: this.adapter.name, config: createHash('sha256').update(key).digest('hex').slice(0, 12) });
    const environment = new ManagedEnvironment(this.options.logger.child({ adapter: this.adapter.name }), metrics, this.options.clock, this.listenerDefaults);
    try {
      const handler = await this.adapter.build(handlerConfig, environment);
      this.options.logger.info({ adapter: this.adapter.name }, 'handler built for a new adapter_config');
      return { handler, environment, metrics };
    } catch (error) {
      environment.close();
      throw new AdapterHostError(RpcCode.INTERNAL, `adapter '${this.adapter.name}' failed to build a handler: ${(error as Error).message}`, { cause: error });
    }
  }

  private async closeHandler(hosted: HostedHandler | undefined): Promise<void> {
    if (hosted === undefined) return;
    try {
      await hosted.handler.close?.();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'handler close failed');
    } finally {
      hosted.environment.close();
    }
  }

  private statusOf(wire: TemplateWire, error: unknown): { code: number; details: string } {
    if (error instanceof AdapterHostError) {
      if (error.rpcCode === RpcCode.INTERNAL) this.options.logger.warn({ method: wire.method, err: error }, 'call failed');
      return { code: error.rpcCode, details: error.message };
    }
    this.options.logger.warn({ method: wire.method, err: error }, 'adapter failed');
    return { code: RpcCode.INTERNAL, details: `adapter '${this.adapter.name}': ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The handler params in an adapter_config: a google.protobuf.Struct, or none (the adapter's defaults). */
function paramsOf(config: AnyMessage | undefined): unknown {
  if (config === undefined || (config.typeUrl === '' && config.value.length === 0)) return {};
  if (config.typeUrl !== STRUCT_TYPE_URL) {
    throw new AdapterHostError(RpcCode.INVALID_ARGUMENT, `adapter_config of type '${config.typeUrl}' cannot be read: this host takes the handler params as ${STRUCT_TYPE_URL}`);
  }
  try {
    return decodeStruct(config.value);
  } catch (error) {
    throw new AdapterHostError(RpcCode.INVALID_ARGUMENT, `malformed adapter_config: ${(error as Error).message}`, { cause: error });
  }
}

function isCheckResult(value: unknown): value is CheckResult {
  const result = value as CheckResult | undefined;
  return typeof result === 'object' && result !== null && typeof result.status?.code === 'number' && typeof result.validDurationMs === 'number' && typeof result.validUseCount === 'number';
}

function isQuotaResult(value: unknown): value is QuotaResult {
  const result = value as QuotaResult | undefined;
  return typeof result === 'object' && result !== null && typeof result.status?.code === 'number' && typeof result.grantedAmount === 'number' && typeof result.validDurationMs === 'number';
}
