import type { FastifyInstance } from 'fastify';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import type { AdapterModule } from '../../adapters/sdk/define-adapter.js';
import { AdapterSources } from '../config/adapter-sources.js';
import { TemplateRegistry } from '../../templates/registry.js';
import type { ConfigStatus, ConfigStatusSource, RejectedChange } from '../api/config-status.js';
import { createHttpApi } from '../api/http-api.js';
import { MixerMetrics } from '../api/mixer-metrics.js';
import { createMonitoringServer } from '../api/monitoring-server.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { formatConfigError } from '../config/config-error.js';
import { ConfigStore, isSnapshotAcceptable } from '../config/config-store.js';
import type { ConfigWatcher } from '../config/config-watcher.js';
import type { Snapshot } from '../config/snapshot.js';
import { TOKENS } from '../di/tokens.js';
import { Dispatcher } from '../runtime/dispatcher.js';
import { MixerRuntime } from '../runtime/mixer-runtime.js';
import { AdapterLoadError } from '../config/adapter-module-loader.js';
import { GrpcApi } from '../grpc/grpc-api.js';
import { mixerServiceDefinition } from '../grpc/mixer-service.js';
import { loadMixerProtos } from '../grpc/proto-files.js';
import { closeWithin } from '../net/http-server-limits.js';
import { listenAs } from '../net/listen-error.js';
import { ListenerMetrics } from '../net/listener-metrics.js';
import type { ServerOptions } from './server-options.js';

/** How long closing lets requests in flight finish before their connections are cut. */
const SHUTDOWN_GRACE_MS = 5000;

/** Where the started servers listen (ports resolved when 0 was asked for). */
export interface ServerAddresses {
  /** `grpc://host:port` of the istio.mixer.v1.Mixer API. */
  readonly grpc: string;
  readonly http: string;
  readonly monitoring: string;
}

/**
 * The composition root of `mixer server`: the DI container (logger, metrics registry, options,
 * adapters, templates), the config store and its watcher, the runtime that swaps snapshots,
 * the dispatcher, and the gRPC, HTTP and monitoring servers. Owns their lifecycle: `start`, `close`.
 */
export class MixerServer implements ConfigStatusSource {
  readonly container = new Container();
  readonly runtime: MixerRuntime;
  readonly dispatcher: Dispatcher;
  readonly metrics: MixerMetrics;
  private readonly store: ConfigStore;
  private readonly grpcApi: GrpcApi;
  private readonly httpApi: FastifyInstance;
  private readonly monitoring: FastifyInstance;
  private readonly listenerMetrics: ListenerMetrics;
  private watcher: ConfigWatcher | undefined;
  private listening: ServerAddresses | undefined;
  private lastRejected: RejectedChange | undefined;
  private readonly standardManifest = AttributeManifest.standard();

  constructor(
    readonly options: ServerOptions,
    private readonly logger: Logger,
    /** Third-party adapters: `--adapter` modules and `--adapter-dir` directories, or just modules. */
    extraAdapters: AdapterSources | readonly AdapterModule[] = [],
  ) {
    const sources = extraAdapters instanceof AdapterSources ? extraAdapters : AdapterSources.of(extraAdapters);
    const registry = new Registry();
    this.container.bind(TOKENS.Logger).toConstantValue(logger);
    this.container.bind(TOKENS.MetricsRegistry).toConstantValue(registry);
    this.container.bind(TOKENS.ServerOptions).toConstantValue(options);
    this.container.bind(TOKENS.Clock).toConstantValue(Date.now);
    const names = new Set<string>();
    for (const adapter of [...BUILT_IN_ADAPTERS, ...sources.modules]) {
      if (names.has(adapter.info.name)) throw new AdapterLoadError(`adapter '${adapter.info.name}' is registered twice`);
      names.add(adapter.info.name);
      this.container.load(adapter.module);
    }
    const adapters = this.container.getAll<AdapterInfo>(TOKENS.AdapterInfo);

    this.metrics = new MixerMetrics(registry);
    this.listenerMetrics = new ListenerMetrics(registry);
    this.runtime = new MixerRuntime({ logger, defaultNamespace: options.defaultNamespace, listener: { host: options.host, limits: options.limits } });
    this.dispatcher = new Dispatcher(this.runtime, { logger, handlerTimeoutMs: options.handlerTimeoutMs, observer: this.metrics });
    this.store = new ConfigStore(options.configPath, { adapters, templates: new TemplateRegistry(), defaultNamespace: options.defaultNamespace, adapterSources: sources });
    this.grpcApi = new GrpcApi({
      dispatcher: this.dispatcher,
      manifest: () => this.runtime.snapshot?.manifest ?? this.standardManifest,
      metrics: this.metrics,
      logger,
      ready: () => this.runtime.snapshot !== undefined,
      service: mixerServiceDefinition(loadMixerProtos()),
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
      limits: options.limits,
    });
    this.httpApi = createHttpApi({
      dispatcher: this.dispatcher,
      manifest: () => this.runtime.snapshot?.manifest ?? this.standardManifest,
      status: this,
      metrics: this.metrics,
      logger,
      ready: () => this.runtime.snapshot !== undefined,
      limits: options.limits,
    });
    this.monitoring = createMonitoringServer({
      registry,
      handlerRegistries: () => this.runtime.handlers.all().map((built) => built.metrics),
      status: this,
      logger,
      limits: options.limits,
    });
    this.listenerMetrics.watch('http', this.httpApi.server);
    this.listenerMetrics.watch('monitoring', this.monitoring.server);
  }

  /** Where the servers listen, once `start` has resolved. */
  get addresses(): ServerAddresses | undefined {
    return this.listening;
  }

  configStatus(): ConfigStatus {
    return { active: this.runtime.snapshot, handlerFailures: this.runtime.handlers.failures, lastRejected: this.lastRejected };
  }

  /**
   * Loads the config (a config with errors is not applied: the server starts, logs the errors
   * and answers 503 until a valid config arrives), starts watching it, then listens. Rejects
   * with ListenError, everything closed again, when a listener cannot be opened.
   */
  async start(): Promise<ServerAddresses> {
    const snapshot = await this.store.load();
    await this.consider(snapshot);
    if (this.options.watch) {
      this.watcher = this.store.watch({
        onSnapshot: (next) => void this.consider(next),
        onError: (error) => this.logger.error({ err: error }, 'config watch failed'),
      });
    }
    const { host, grpcPort = 0, httpPort, monitoringHost, monitoringPort } = this.options;
    let grpc: string, http: string, monitoring: string;
    try {
      const grpcListener = await listenAs('the gRPC API (--host, --grpc-port)', host, grpcPort, () => this.grpcApi.listen(host, grpcPort));
      this.listenerMetrics.watch('grpc', grpcListener.server);
      grpc = `grpc://${grpcListener.address}`;
      http = await listenAs('the HTTP/JSON API (--host, --http-port)', host, httpPort, () => this.httpApi.listen({ host, port: httpPort }));
      monitoring = await listenAs('the monitoring port (--monitoring-host, --monitoring-port)', monitoringHost, monitoringPort, () =>
        this.monitoring.listen({ host: monitoringHost, port: monitoringPort }),
      );
    } catch (error) {
      // What did start must not keep the process serving half a Mixer.
      await this.close();
      throw error;
    }
    this.logger.info({ grpc, http, monitoring, config: this.options.configPath }, 'mixer server listening');
    this.listening = { grpc, http, monitoring };
    return this.listening;
  }

  /** Applies a snapshot without errors; rejects one with errors, keeping the active config. */
  private async consider(snapshot: Snapshot): Promise<void> {
    if (!isSnapshotAcceptable(snapshot)) {
      this.lastRejected = { at: new Date(), errors: snapshot.errors };
      this.metrics.configRejected(snapshot.errors.length);
      this.logger.error(
        { errors: snapshot.errors.map(formatConfigError), keeping: this.runtime.snapshot?.id ?? null },
        `config rejected: ${snapshot.errors.length} error(s); ${this.runtime.snapshot === undefined ? 'no config is active yet' : 'the previous config keeps serving'}`,
      );
      return;
    }
    try {
      // A snapshot superseded by a newer one while it was being built never served: nothing to record.
      if ((await this.runtime.apply(snapshot)).applied) this.metrics.configApplied(snapshot.id, 0);
    } catch (error) {
      this.logger.error({ err: error }, 'config could not be applied');
    }
  }

  /** Stops listening and watching, lets in-flight calls finish, closes every handler. */
  async close(): Promise<void> {
    await this.watcher?.close();
    await Promise.all([
      this.grpcApi.close(),
      ...[this.httpApi, this.monitoring].map((app) => closeWithin(app.server, () => app.close(), SHUTDOWN_GRACE_MS)),
    ]);
    await this.runtime.close();
    this.dispatcher.close();
  }
}
