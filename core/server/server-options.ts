import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../net/listener-limits.js';

/** What `mixer server` is started with, validated at the command line. */
export interface ServerOptions {
  /** Directory (or file) of YAML config, watched for changes. */
  readonly configPath: string;
  /** The interface of the gRPC and HTTP/JSON APIs, and the default of adapters' own listeners. */
  readonly host: string;
  /**
   * The interface of the monitoring port (/metrics, /debug/config): loopback unless told
   * otherwise, whatever `host` is, since what it shows is for operators only.
   */
  readonly monitoringHost: string;
  /**
   * The gRPC API, istio.mixer.v1.Mixer. `mixer server` defaults it to Istio's API port,
   * DEFAULT_GRPC_PORT (9091); 0, or unset (a server embedded in a process, a test), picks a free
   * port, so in-process servers never contend for the well-known port.
   */
  readonly grpcPort?: number;
  /** The HTTP/JSON Check and Report API (9092, beside the gRPC API). 0 picks a free port. */
  readonly httpPort: number;
  /** Self-monitoring: /metrics, /debug/config (Istio's monitoring port: 15014). 0 picks a free port. */
  readonly monitoringPort: number;
  /** What every listener keeps to: connection cap, idle, header and request timeouts. */
  readonly limits: ListenerLimits;
  /** Third-party adapters: module paths or package names (`--adapter`). */
  readonly adapterModules: readonly string[];
  /** Directories config may load adapter modules from (`--adapter-dir`). */
  readonly adapterDirectories: readonly string[];
  readonly defaultNamespace: string;
  /** How long a handler may take to answer a call. */
  readonly handlerTimeoutMs: number;
  readonly watch: boolean;
}

/** Istio's Mixer API port: where `mixer server` serves the gRPC API unless told otherwise. */
export const DEFAULT_GRPC_PORT = 9091;

export const DEFAULT_SERVER_OPTIONS: Omit<ServerOptions, 'configPath'> = {
  host: '127.0.0.1',
  monitoringHost: '127.0.0.1',
  httpPort: 9092,
  monitoringPort: 15014,
  limits: DEFAULT_LISTENER_LIMITS,
  adapterModules: [],
  adapterDirectories: [],
  defaultNamespace: 'istio-system',
  handlerTimeoutMs: 1000,
  watch: true,
};
