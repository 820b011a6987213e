import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { MixerServer } from '../../server/mixer-server.js';
import { DEFAULT_SERVER_OPTIONS } from '../../server/server-options.js';

// A real `mixer server` (in-process, every port 0) over a config written for gRPC tests: a
// deny rule, a whitelist, a memory quota, header operations and an access log to a file. The
// gRPC unit tests and the Go interop test share it.

/** Builds one config resource (config.istio.io/v1alpha2, namespace istio-system). */
function resource(kind: string, name: string, spec: string, language?: 'CEL'): string {
  const body = spec
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  const annotations = language === undefined ? '' : `\n  annotations:\n    policy.istio.io/lang: ${language}`;
  return `apiVersion: config.istio.io/v1alpha2\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: istio-system${annotations}\nspec:\n${body}\n---\n`;
}

/** The policy and telemetry config; `logFile` receives the access log (one JSON line per report). */
export function grpcTestConfig(logFile: string): Record<string, string> {
  return {
    'deny.yaml': [
      resource('handler', 'denyv3', 'compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: Not allowed'),
      resource('instance', 'denyv3request', 'compiledTemplate: checknothing'),
      resource('rule', 'denyv3', 'match: destination.labels["app"] == "ratings" && source.labels["version"] == "v3"\nactions:\n- handler: denyv3\n  instances: [ denyv3request ]'),
    ].join(''),
    // Matches only when every typed value arrived intact (int64 beyond 2^53, IPs, a timestamp with
    // nanoseconds, a duration, a bool, a header): then a denial with its own code says so. In CEL,
    // which compares durations.
    'typed.yaml': [
      resource('handler', 'typedvalues', 'compiledAdapter: denier\nparams:\n  status:\n    code: 9\n    message: every typed value matched'),
      resource('instance', 'typedrequest', 'compiledTemplate: checknothing'),
      resource(
        'rule',
        'typedvalues',
        [
          'match: >-',
          '  destination.labels["app"] == "typed" && request.size == 9007199254740993 &&',
          '  source.ip == ip("10.1.2.3") && destination.ip == ip("2001:db8::1") &&',
          '  request.time == timestamp("2019-11-15T17:32:47.123456789Z") && response.duration == duration("1.5s") &&',
          '  connection.mtls && request.headers["user-agent"] == "istio-go-interop" && request.path == "/reviews/1"',
          'actions:',
          '- handler: typedvalues',
          '  instances: [ typedrequest ]',
        ].join('\n'),
        'CEL',
      ),
    ].join(''),
    'whitelist.yaml': [
      resource('handler', 'detailscallers', 'compiledAdapter: listchecker\nparams:\n  overrides: [ productpage ]\n  blacklist: false\n  entryType: STRINGS'),
      resource('instance', 'callerapp', 'compiledTemplate: listentry\nparams:\n  value: source.labels["app"] | "unknown"'),
      resource('rule', 'checkdetails', 'match: destination.labels["app"] == "details"\nactions:\n- handler: detailscallers\n  instances: [ callerapp ]'),
    ].join(''),
    'quota.yaml': [
      resource(
        'handler',
        'quotahandler',
        'compiledAdapter: memquota\nparams:\n  quotas:\n  - name: requestcount.instance.istio-system\n    maxAmount: 3\n    validDuration: 60s',
      ),
      resource('instance', 'requestcount', 'compiledTemplate: quota\nparams:\n  dimensions:\n    destination: destination.labels["app"] | "unknown"'),
      resource('rule', 'quota', 'actions:\n- handler: quotahandler\n  instances: [ requestcount ]'),
    ].join(''),
    'headers.yaml': resource(
      'rule',
      'reviewscaller',
      [
        'match: destination.labels["app"] == "reviews"',
        'requestHeaderOperations:',
        '- name: x-mixer-caller',
        '  values: [ \'source.labels["app"] | "unknown"\' ]',
        'responseHeaderOperations:',
        '- name: x-powered-by',
        '  operation: REMOVE',
      ].join('\n'),
    ),
    'telemetry.yaml': [
      resource('handler', 'filelog', `compiledAdapter: stdio\nparams:\n  logStream: FILE\n  outputPath: ${logFile}\n  outputAsJson: true`),
      resource(
        'instance',
        'accesslog',
        [
          'compiledTemplate: logentry',
          'params:',
          '  severity: \'"Info"\'',
          '  timestamp: request.time | timestamp("2000-01-01T00:00:00Z")',
          '  variables:',
          '    path: request.path | "/"',
          '    code: response.code | 0',
          '    size: request.size | 0',
          '    latency: response.duration | "0ms"',
          '    source: source.ip | ip("0.0.0.0")',
          '    caller: source.labels["app"] | "unknown"',
          '    agent: request.headers["user-agent"] | "-"',
          '    mtls: connection.mtls | false',
        ].join('\n'),
      ),
      resource('rule', 'telemetry', 'match: context.protocol == "http"\nactions:\n- handler: filelog\n  instances: [ accesslog ]'),
    ].join(''),
  };
}

export interface GrpcMixer {
  readonly server: MixerServer;
  /** `host:port` of the gRPC API. */
  readonly grpcTarget: string;
  readonly monitoringUrl: string;
  readonly logFile: string;
  /**
   * The access-log lines (raw JSON text, so int64 values stay exact), once at least `atLeast`
   * are there (the file is written asynchronously); gives up after `timeoutMs`, a bound, not a
   * measurement.
   */
  logLines(atLeast?: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts a Mixer server on free loopback ports over `files` (default: grpcTestConfig). */
export async function startGrpcMixer(files?: (logFile: string) => Record<string, string>): Promise<GrpcMixer> {
  const directory = await mkdtemp(join(tmpdir(), 'mixer-grpc-'));
  const configDirectory = join(directory, 'config');
  const logFile = join(directory, 'access.log');
  await mkdir(configDirectory);
  for (const [file, yaml] of Object.entries((files ?? grpcTestConfig)(logFile))) await writeFile(join(configDirectory, file), yaml);
  const server = new MixerServer(
    { ...DEFAULT_SERVER_OPTIONS, grpcPort: 0, httpPort: 0, monitoringPort: 0, watch: false, configPath: configDirectory },
    pino({ level: process.env['MIXER_TEST_LOG'] ?? 'silent' }),
  );
  const addresses = await server.start();
  return {
    server,
    grpcTarget: addresses.grpc.replace(/^grpc:\/\//, ''),
    monitoringUrl: addresses.monitoring,
    logFile,
    logLines: async (atLeast = 0, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const lines = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');
        if (lines.length >= atLeast || Date.now() > deadline) return lines;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
