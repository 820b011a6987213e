import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import { AdapterLoadError, loadAdapterModule } from '../config/adapter-module-loader.js';
import { closeWithin, httpServerOptions } from '../net/http-server-limits.js';
import { ListenError, listenAs } from '../net/listen-error.js';
import type { ListenerLimits } from '../net/listener-limits.js';
import { AdapterHost } from '../oop/adapter-host.js';
import { templateWire } from '../oop/template-wire.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type CommandIo } from './command.js';
import { LISTENER_LIMIT_OPTIONS, LISTENER_LIMIT_USAGE, parseListenerLimits } from './listener-options.js';
import { parseLogLevel, parsePortOption, serveUntilSignal } from './long-running.js';


/** The line `serve` prints once it listens; tests and scripts read the address from it. */
export const LISTENING_PREFIX = 'mixer adapter: listening on ';
/** How long stopping lets calls in flight finish before their connections are cut. */
const SHUTDOWN_GRACE_MS = 5000;
/** The line `serve --monitoring-port` prints with the URL of the adapter's own metrics. */
export const METRICS_PREFIX = 'mixer adapter: metrics on ';

/** GET /metrics: the hosted handlers' own metrics (what `env.metrics` collects), in Prometheus text format. */
async function serveMetrics(host: AdapterHost, interfaceName: string, port: number, limits: ListenerLimits): Promise<{ server: Server; url: string }> {
  const server = createServer(httpServerOptions(limits), (request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the adapter serves GET /metrics\n');
      return;
    }
    host.metricsText().then(
      (text) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  server.maxConnections = limits.maxConnections;
  host.listenerMetrics.watch('monitoring', server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, interfaceName, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return { server, url: `http://${interfaceName.includes(':') ? `[${interfaceName}]` : interfaceName}:${bound}/metrics` };
}

export const adapterCommand: Command = {
  name: 'adapter',
  summary: 'serve an SDK adapter out of process (gRPC, Istio\'s Handle<Template> services)',
  usage: `Usage: mixer adapter serve MODULE [--port 0] [--host 127.0.0.1] [--monitoring-port PORT] [--monitoring-host 127.0.0.1] [--log-level info]

Serves a TypeScript/JavaScript adapter written against the adapter SDK (a module exporting
defineAdapter()) as an out-of-process adapter: a gRPC server with Istio's template services
(/metric.HandleMetricService/HandleMetric, /authorization.HandleAuthorizationService/...)
for the templates the adapter supports. Mixer reaches it through a handler with
'adapter: <name>' and 'connection: {address: host:port}'; the handler's params arrive with
every call and are parsed, validated and built by the adapter exactly as in process.

Options:
  --port PORT        port to listen on (default 0: a free one, printed at start)
  --host HOST        interface to listen on, and of the adapter's own listeners (default
                     127.0.0.1; 0.0.0.0 for all)
  --monitoring-port PORT
                     also serve the adapter's own metrics at http://MONITORING-HOST:PORT/metrics
  --monitoring-host HOST
                     interface of the metrics (default 127.0.0.1, whatever --host is)
${LISTENER_LIMIT_USAGE}
  --log-level LEVEL  fatal, error, warn, info (default), debug, trace, silent
  -h, --help         show this help`,

  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'monitoring-port': { type: 'string' },
        'monitoring-host': { type: 'string' },
        ...LISTENER_LIMIT_OPTIONS,
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      io.stdout(`${adapterCommand.usage}\n`);
      return EXIT_OK;
    }
    const [action, specifier, ...extra] = positionals;
    if (action !== 'serve') throw new UsageError(action === undefined ? 'missing action: serve' : `unknown action '${action}' (expected serve)`);
    if (specifier === undefined) throw new UsageError('missing MODULE: the adapter module to serve (a path or package exporting defineAdapter())');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const port = parsePortOption('port', values.port ?? '0');
    const monitoringPort = values['monitoring-port'] === undefined ? undefined : parsePortOption('monitoring-port', values['monitoring-port']);
    const level = parseLogLevel(values['log-level']);
    const limits = parseListenerLimits(values);

    let info: AdapterInfo;
    try {
      ({ info } = await loadAdapterModule(specifier));
    } catch (error) {
      if (error instanceof AdapterLoadError) throw new UsageError(error.message.replace('--adapter ', ''));
      throw error;
    }
    const logger = pino({ level, base: { service: 'mixer-adapter', adapter: info.name } }, pino.destination(2));
    const unsupported = info.supportedTemplates.filter((template) => templateWire(template) === undefined);
    if (unsupported.length > 0) logger.warn({ templates: unsupported }, 'templates that cannot be served out of process are left out');
    const host = new AdapterHost(info, { logger, limits });
    const interfaceName = values.host ?? '127.0.0.1';
    const monitoringHost = values['monitoring-host'] ?? '127.0.0.1';
    let address: string;
    let monitoring: Awaited<ReturnType<typeof serveMetrics>> | undefined;
    try {
      address = await listenAs('the adapter (--host, --port)', interfaceName, port, () => host.listen(interfaceName, port));
      if (monitoringPort !== undefined) {
        monitoring = await listenAs('its metrics (--monitoring-host, --monitoring-port)', monitoringHost, monitoringPort, () => serveMetrics(host, monitoringHost, monitoringPort, limits));
      }
    } catch (error) {
      await host.close();
      if (!(error instanceof ListenError)) throw error;
      io.stderr(`mixer adapter: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    io.stderr(`${LISTENING_PREFIX}${address} (adapter '${info.name}': ${host.paths.join(', ')})\n`);
    if (monitoring !== undefined) io.stderr(`${METRICS_PREFIX}${monitoring.url}\n`);
    await serveUntilSignal(logger, async () => {
      const metricsClosed = monitoring === undefined ? undefined : closeWithin(monitoring.server, () => new Promise((resolve) => monitoring.server.close(() => resolve())), SHUTDOWN_GRACE_MS);
      await host.close(SHUTDOWN_GRACE_MS);
      await metricsClosed;
    });
    return EXIT_OK;
  },
};
