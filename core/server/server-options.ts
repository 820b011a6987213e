/** What `mixer server` is started with, validated at the command line. */
export interface ServerOptions {
  /** Directory (or file) of YAML config, watched for changes. */
  readonly configPath: string;
  readonly host: string;
  /** The HTTP/JSON Check and Report API (Istio's API port: 9091). 0 picks a free port. */
  readonly httpPort: number;
  /** Self-monitoring: /metrics (Istio's monitoring port: 15014). 0 picks a free port. */
  readonly monitoringPort: number;
  /** Third-party adapters: module paths or package names. */
  readonly adapterModules: readonly string[];
  readonly defaultNamespace: string;
  /** How long a handler may take to answer a call. */
  readonly handlerTimeoutMs: number;
  readonly watch: boolean;
}

export const DEFAULT_SERVER_OPTIONS: Omit<ServerOptions, 'configPath'> = {
  host: '127.0.0.1',
  httpPort: 9091,
  monitoringPort: 15014,
  adapterModules: [],
  defaultNamespace: 'istio-system',
  handlerTimeoutMs: 1000,
  watch: true,
};
