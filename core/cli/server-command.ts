import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Duration } from '../attribute/duration.js';
import { AdapterLoadError } from '../config/adapter-module-loader.js';
import { AdapterSources } from '../config/adapter-sources.js';
import { ConfigPathError } from '../config/loader.js';
import { MixerServer } from '../server/mixer-server.js';
import { DEFAULT_GRPC_PORT, DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../server/server-options.js';
import { ListenError } from '../net/listen-error.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type CommandIo } from './command.js';
import { LISTENER_LIMIT_OPTIONS, LISTENER_LIMIT_USAGE, parseListenerLimits } from './listener-options.js';
import { parseLogLevel, parsePortOption, serveUntilSignal } from './long-running.js';

/** The example mesh config shipped with Mixer: the default when no --config is given. */
export function embeddedConfigPath(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return join(directory, 'examples', 'bookstore');
}


function port(name: string, value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : parsePortOption(name, value);
}

/** The `--adapter` modules, loaded, and the `--adapter-dir` directories; a bad one is a usage error. */
async function adapterSources(options: ServerOptions): Promise<AdapterSources> {
  try {
    return await AdapterSources.fromCommandLine(options.adapterModules, options.adapterDirectories);
  } catch (error) {
    if (error instanceof AdapterLoadError) throw new UsageError(error.message);
    throw error;
  }
}

export const serverCommand: Command = {
  name: 'server',
  summary: 'run Mixer: the Check/Report API over a watched config directory',
  usage: `Usage: mixer server [--config DIR] [--grpc-port 9091] [--http-port 9092] [--monitoring-port 15014]
                    [--adapter MODULE]... [--adapter-dir DIR]...

Runs Mixer: loads the config (Istio's handler/instance/rule/attributemanifest YAML), watches it
and swaps in every valid change, and serves Istio's gRPC API (istio.mixer.v1.Mixer: Check and
Report with compressed attributes, as Envoy's Mixer filter calls it), the HTTP/JSON API
(POST /v1/check, POST /v1/report, /healthz, /readyz) and, on the monitoring port, Prometheus
metrics (/metrics), the config in use (/debug/config) and the same probes.
A config with errors is not applied: the errors are logged and shown at /debug/config, and the
previous config keeps serving.

Options:
  --config PATH           config directory or file (default: the embedded examples/bookstore)
  --grpc-port PORT        gRPC API port (default 9091, Istio's; 0 picks a free one)
  --http-port PORT        HTTP/JSON API port (default 9092; 0 picks a free one)
  --monitoring-port PORT  /metrics and /debug/config port (default 15014; 0 picks a free one)
  --host HOST             interface of the gRPC and HTTP APIs, and of adapters' own listeners
                          (default 127.0.0.1; 0.0.0.0 for all)
  --monitoring-host HOST  interface of the monitoring port (default 127.0.0.1, whatever --host is)
${LISTENER_LIMIT_USAGE}
  --adapter MODULE        load a third-party adapter at start-up (a path or package exporting
                          defineAdapter()); repeatable
  --adapter-dir DIR       let config load adapter modules (kind: AdapterModule) from files
                          inside DIR; repeatable. Config can load no module from anywhere else
  --default-namespace NS  the config namespace whose rules apply to all requests (istio-system)
  --handler-timeout DUR   how long a handler may take to answer (default 1s)
  --no-watch              load the config once, do not watch it
  --log-level LEVEL       fatal, error, warn, info (default), debug, trace, silent
  -h, --help              show this help`,

  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const { values } = parseArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        'grpc-port': { type: 'string' },
        'http-port': { type: 'string' },
        'monitoring-port': { type: 'string' },
        host: { type: 'string' },
        'monitoring-host': { type: 'string' },
        ...LISTENER_LIMIT_OPTIONS,
        adapter: { type: 'string', multiple: true },
        'adapter-dir': { type: 'string', multiple: true },
        'default-namespace': { type: 'string' },
        'handler-timeout': { type: 'string' },
        'no-watch': { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      io.stdout(`${serverCommand.usage}\n`);
      return EXIT_OK;
    }
    const level = parseLogLevel(values['log-level']);
    const timeout = values['handler-timeout'] === undefined ? undefined : Duration.tryParse(values['handler-timeout']);
    if (values['handler-timeout'] !== undefined && (timeout === undefined || timeout.toMillis() <= 0)) {
      throw new UsageError(`--handler-timeout ${values['handler-timeout']}: expected a positive duration such as 500ms or 2s`);
    }
    const limits = parseListenerLimits(values);
    const configPath = resolve(values.config ?? embeddedConfigPath());
    if (!existsSync(configPath)) throw new UsageError(`--config ${configPath}: no such file or directory`);
    const options: ServerOptions = {
      ...DEFAULT_SERVER_OPTIONS,
      configPath,
      host: values.host ?? DEFAULT_SERVER_OPTIONS.host,
      monitoringHost: values['monitoring-host'] ?? DEFAULT_SERVER_OPTIONS.monitoringHost,
      limits,
      grpcPort: port('grpc-port', values['grpc-port'], DEFAULT_GRPC_PORT),
      httpPort: port('http-port', values['http-port'], DEFAULT_SERVER_OPTIONS.httpPort),
      monitoringPort: port('monitoring-port', values['monitoring-port'], DEFAULT_SERVER_OPTIONS.monitoringPort),
      adapterModules: values.adapter ?? [],
      adapterDirectories: values['adapter-dir'] ?? [],
      defaultNamespace: values['default-namespace'] ?? DEFAULT_SERVER_OPTIONS.defaultNamespace,
      handlerTimeoutMs: timeout?.toMillis() ?? DEFAULT_SERVER_OPTIONS.handlerTimeoutMs,
      watch: values['no-watch'] !== true,
    };
    const logger = pino({ level, base: { service: 'mixer' } });
    const adapters = await adapterSources(options);
    let server: MixerServer;
    try {
      server = new MixerServer(options, logger, adapters);
    } catch (error) {
      // Two adapters of one name (an --adapter module named like a built-in one).
      if (error instanceof AdapterLoadError) throw new UsageError(error.message);
      throw error;
    }
    let addresses: Awaited<ReturnType<MixerServer['start']>>;
    try {
      addresses = await server.start();
    } catch (error) {
      if (!(error instanceof ConfigPathError) && !(error instanceof ListenError)) throw error;
      // start() closes what it opened when a listener fails; a config path error comes first.
      if (error instanceof ConfigPathError) await server.close();
      io.stderr(`mixer server: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    io.stderr(
      `mixer: serving ${options.configPath}\n  gRPC        ${addresses.grpc} (istio.mixer.v1.Mixer)\n  API         ${addresses.http}/v1/check\n  monitoring  ${addresses.monitoring}/metrics\n`,
    );
    await serveUntilSignal(logger, () => server.close());
    return EXIT_OK;
  },
};
