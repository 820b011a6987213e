import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { SourcePositions } from '../config/source-positions.js';
import { buildProxyConfig, loadProxyConfig } from '../../proxy/proxy-config-loader.js';
import { formatProblem, ProxyConfigError, type ProxyConfigProblem } from '../../proxy/proxy-config-error.js';
import type { ProxyConfig } from '../../proxy/proxy-config.js';
import { SidecarProxy } from '../../proxy/sidecar-proxy.js';
import { EXIT_OK, EXIT_USAGE, UsageError, type Command, type CommandIo } from './command.js';
import { parseLogLevel, serveUntilSignal } from './long-running.js';


/** The flags as a partial config document, so flags and file go through one validation. */
function flagOverrides(values: Readonly<Record<string, string | boolean | string[] | undefined>>): Record<string, unknown> {
  const overrides: Record<string, Record<string, unknown>> = {};
  const set = (section: string, key: string, value: unknown): void => {
    if (value === undefined) return;
    overrides[section] ??= {};
    overrides[section][key] = value;
  };
  set('workload', 'name', values['name']);
  set('workload', 'namespace', values['namespace']);
  set('workload', 'uid', values['uid']);
  set('workload', 'principal', values['principal']);
  const labels = values['label'];
  if (Array.isArray(labels)) {
    const parsed: Record<string, string> = {};
    for (const pair of labels) {
      const equals = pair.indexOf('=');
      if (equals <= 0) throw new UsageError(`--label ${pair}: expected key=value`);
      parsed[pair.slice(0, equals)] = pair.slice(equals + 1);
    }
    set('workload', 'labels', parsed);
  }
  if (values['service-host'] !== undefined) set('workload', 'service', { host: values['service-host'] });
  set('inbound', 'listen', values['inbound']);
  set('inbound', 'app', values['app']);
  set('inbound', 'protocol', values['inbound-protocol']);
  set('outbound', 'listen', values['outbound']);
  set('outbound', 'grpcListen', values['outbound-grpc']);
  set('mixer', 'address', values['mixer']);
  set('mixer', 'failPolicy', values['fail-policy']);
  set('limits', 'maxConnections', values['max-connections']);
  set('limits', 'headerTimeoutMs', values['header-timeout-ms']);
  set('limits', 'idleTimeoutMs', values['idle-timeout-ms']);
  set('limits', 'tcpIdleTimeoutMs', values['tcp-idle-timeout-ms']);
  const result: Record<string, unknown> = { ...overrides };
  if (values['registry'] !== undefined) result['registry'] = values['registry'];
  return result;
}

/** Where the config comes from when there is no --config file. */
const FLAGS_SOURCE = '<flags>';

/** The flag that sets each config field, to name it in errors about a config made of flags only. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  workload: '--name',
  'workload.name': '--name',
  'workload.namespace': '--namespace',
  'workload.uid': '--uid',
  'workload.principal': '--principal',
  'workload.labels': '--label',
  'workload.service.host': '--service-host',
  'inbound.listen': '--inbound',
  'inbound.app': '--app',
  'inbound.protocol': '--inbound-protocol',
  'outbound.listen': '--outbound',
  'outbound.grpcListen': '--outbound-grpc',
  'mixer.address': '--mixer',
  'mixer.failPolicy': '--fail-policy',
  'limits.maxConnections': '--max-connections',
  'limits.headerTimeoutMs': '--header-timeout-ms',
  'limits.idleTimeoutMs': '--idle-timeout-ms',
  'limits.tcpIdleTimeoutMs': '--tcp-idle-timeout-ms',
  registry: '--registry',
};

/** A problem in a config file as file:line: field: why; in flags as `--flag (field): why`. */
function describeProblem(problem: ProxyConfigProblem): string {
  if (problem.file !== FLAGS_SOURCE) return formatProblem(problem);
  const flag = FLAG_OF_FIELD[problem.field];
  return `${flag === undefined ? problem.field : `${flag} (${problem.field})`}: ${problem.message}`;
}

function hostPortText(address: { host: string; port: number } | undefined): string {
  return address === undefined ? '-' : `${address.host}:${address.port}`;
}

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'run the sidecar: inbound and outbound listeners with Mixer Check/Report',
  usage: `Usage: mixer proxy [--config FILE] [--name NAME] [--inbound HOST:PORT --app HOST:PORT] [--outbound HOST:PORT --registry FILE] [--mixer ADDRESS]

Runs the sidecar proxy of one workload. The inbound listener sits in front of the local app;
the outbound listener takes the app's calls (Host header = service name) and sends them to an
endpoint of that service from the registry file, round-robin. Every request is checked with
Mixer before it is forwarded and reported after the response.
Flags override the config file's fields; without --config, flags are the whole config.

Options:
  --config FILE            proxy config YAML (workload, inbound, outbound, mixer, quotaSpecs, mixerAttributes, limits, registry)
  --name NAME              workload instance name (source.name / destination.name)
  --namespace NS           workload namespace (default "default")
  --uid UID                workload uid (default kubernetes://NAME.NAMESPACE)
  --label KEY=VALUE        a workload label (repeatable)
  --principal ID           workload principal (spiffe://...)
  --service-host HOST      the service this workload serves (default APP.NAMESPACE.svc.cluster.local)
  --inbound HOST:PORT      inbound listener (port 0 picks a free one)
  --app HOST:PORT          the local application behind the inbound listener
  --inbound-protocol P     http (default: HTTP/1.1, WebSocket, and h2c by prior knowledge), grpc (h2c only) or tcp
  --outbound HOST:PORT     outbound listener: HTTP/1.1 and h2c (gRPC) on one port
  --outbound-grpc HOST:PORT an extra outbound listener for h2c (gRPC) only
  --registry FILE          static service registry YAML (service host -> endpoints)
  --mixer ADDRESS          grpc://HOST:PORT (istio.mixer.v1, default wire) or http://HOST:PORT
  --fail-policy POLICY     FAIL_OPEN or FAIL_CLOSE (default FAIL_CLOSE) when Mixer is unreachable
  --log-level LEVEL        fatal, error, warn, info (default), debug, trace, silent
  -h, --help               show this help

Connection limits, on every listener (limits: in the config file; a timeout of 0 turns it off):
  --max-connections N      open connections per listener; more are closed at once (default 4096)
  --header-timeout-ms MS   a new connection must send its first bytes (HTTP/2: open a stream)
                           within MS, and each request head must be complete within MS of its
                           first byte (default 10000)
  --idle-timeout-ms MS     an HTTP/1.1 connection with no request, an HTTP/2 connection with
                           no stream, is closed after MS (default 60000)
  --tcp-idle-timeout-ms MS a TCP connection or WebSocket tunnel with no bytes either way is
                           closed after MS (default 3600000)`,

  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const { values } = parseArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
        uid: { type: 'string' },
        label: { type: 'string', multiple: true },
        principal: { type: 'string' },
        'service-host': { type: 'string' },
        inbound: { type: 'string' },
        app: { type: 'string' },
        'inbound-protocol': { type: 'string' },
        outbound: { type: 'string' },
        'outbound-grpc': { type: 'string' },
        registry: { type: 'string' },
        mixer: { type: 'string' },
        'fail-policy': { type: 'string' },
        'max-connections': { type: 'string' },
        'header-timeout-ms': { type: 'string' },
        'idle-timeout-ms': { type: 'string' },
        'tcp-idle-timeout-ms': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      io.stdout(`${proxyCommand.usage}\n`);
      return EXIT_OK;
    }
    const level = parseLogLevel(values['log-level']);
    const overrides = flagOverrides(values);
    let config: ProxyConfig;
    try {
      config =
        values.config !== undefined
          ? loadProxyConfig(resolve(values.config), overrides)
          : buildProxyConfig({ file: FLAGS_SOURCE, value: overrides, positions: SourcePositions.at(0) }, process.cwd());
    } catch (error) {
      if (error instanceof ProxyConfigError) {
        io.stderr(`mixer proxy: invalid config:\n${error.problems.map(describeProblem).join('\n')}\n`);
        return EXIT_USAGE;
      }
      throw error;
    }
    const logger = pino({ level, base: { service: 'mixer-proxy', workload: config.workload.uid } });
    let proxy: SidecarProxy;
    try {
      proxy = await SidecarProxy.start(config, { logger });
    } catch (error) {
      if (error instanceof ProxyConfigError) {
        io.stderr(`mixer proxy: invalid registry:\n${error.message}\n`);
        return EXIT_USAGE;
      }
      throw error;
    }
    const tcp = [...proxy.addresses.outboundTcp].map(([host, address]) => `\n  outbound tcp ${hostPortText(address)} -> ${host}`).join('');
    io.stderr(
      `mixer proxy: ${config.workload.uid} (mixer ${config.mixer.address}, ${config.mixer.failPolicy})\n  inbound  ${hostPortText(proxy.addresses.inbound)} -> ${hostPortText(config.inbound?.app)}\n  outbound ${hostPortText(proxy.addresses.outbound)}${proxy.addresses.outboundGrpc === undefined ? '' : `\n  outbound grpc ${hostPortText(proxy.addresses.outboundGrpc)}`}${tcp}\n`,
    );
    await serveUntilSignal(logger, () => proxy.close());
    return EXIT_OK;
  },
};
