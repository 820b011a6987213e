// The report bench's config: Istio's default telemetry instances (a request count, a duration
// distribution and an access log with the standard dimensions), and one variant per backend.

function doc(kind: string, name: string, spec: string): string {
  return `apiVersion: config.istio.io/v1alpha2\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: istio-system\nspec:\n${spec
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\n---\n`;
}

const DIMENSIONS = [
  'reporter: conditional((context.reporter.kind | "inbound") == "outbound", "source", "destination")',
  'source_workload: source.workload.name | "unknown"',
  'source_app: source.labels["app"] | "unknown"',
  'destination_workload: destination.workload.name | "unknown"',
  'destination_service: destination.service.host | "unknown"',
  'request_protocol: api.protocol | context.protocol | "unknown"',
  'response_code: response.code | 200',
  'response_flags: context.proxy_error_code | "-"',
];
const LABELS = ['reporter', 'source_workload', 'source_app', 'destination_workload', 'destination_service', 'request_protocol', 'response_code', 'response_flags'];

const INSTANCES = [
  doc('instance', 'requestcount', `compiledTemplate: metric\nparams:\n  value: "1"\n  dimensions:\n${DIMENSIONS.map((line) => `    ${line}`).join('\n')}\n  monitored_resource_type: '"UNSPECIFIED"'`),
  doc(
    'instance',
    'requestduration',
    `compiledTemplate: metric\nparams:\n  value: response.duration | "0ms"\n  dimensions:\n${DIMENSIONS.map((line) => `    ${line}`).join('\n')}\n  monitored_resource_type: '"UNSPECIFIED"'`,
  ),
  doc(
    'instance',
    'accesslog',
    [
      'compiledTemplate: logentry',
      'params:',
      '  severity: \'"Info"\'',
      '  timestamp: request.time',
      '  variables:',
      '    source_workload: source.workload.name | ""',
      '    destination_service: destination.service.host | ""',
      '    method: request.method | ""',
      '    url: request.path | ""',
      '    response_code: response.code | 0',
      '    response_size: response.size | 0',
      '    latency: response.duration | "0ms"',
      '    user_agent: request.useragent | ""',
    ].join('\n'),
  ),
];

/** The backends a variant sends the instances to. */
export type ReportBackend = 'none' | 'stdio' | 'prometheus' | 'oop';

/** Instances per attribute set for `backends` (each set makes one instance per routed instance). */
export function instancesPerSet(backends: readonly ReportBackend[]): number {
  let count = 0;
  if (backends.includes('stdio')) count += 2; // requestcount + accesslog
  if (backends.includes('prometheus')) count += 2; // requestcount + requestduration
  if (backends.includes('oop')) count += 2; // requestcount + requestduration
  return count;
}

/**
 * The config of one variant: the instances, and a handler plus rule per backend. `none` has the
 * instances but no rule (the ceiling: decoding and bag building only). `oopAddress` is where the
 * out-of-process metric adapter listens.
 */
export function reportConfig(backends: readonly ReportBackend[], oopAddress = ''): string {
  const parts = [...INSTANCES];
  if (backends.includes('stdio')) {
    parts.push(
      doc('handler', 'stdio', 'compiledAdapter: stdio\nparams:\n  outputAsJson: true\n  logStream: FILE\n  outputPath: /dev/null'),
      doc('rule', 'stdio', 'match: context.protocol == "http"\nactions:\n- handler: stdio\n  instances: [ requestcount, accesslog ]'),
    );
  }
  if (backends.includes('prometheus')) {
    const metric = (name: string, instance: string, kind: string) =>
      `  - name: ${name}\n    instance_name: ${instance}.instance.istio-system\n    kind: ${kind}\n    label_names: [ ${LABELS.join(', ')} ]`;
    parts.push(
      doc(
        'handler',
        'prometheus',
        `compiledAdapter: prometheus\nparams:\n  port: 0\n  metrics:\n${metric('requests_total', 'requestcount', 'COUNTER')}\n${metric('request_duration_seconds', 'requestduration', 'DISTRIBUTION')}`,
      ),
      doc('rule', 'promhttp', 'match: context.protocol == "http"\nactions:\n- handler: prometheus\n  instances: [ requestcount, requestduration ]'),
    );
  }
  if (backends.includes('oop')) {
    parts.push(
      doc('adapter', 'null-metric', 'description: counts metric instances, out of process\ntemplates: [ metric ]'),
      doc('handler', 'remote', `adapter: null-metric\nconnection:\n  address: "${oopAddress}"\n  timeout: 5s\nparams:\n  label: bench`),
      doc('rule', 'remote', 'match: context.protocol == "http"\nactions:\n- handler: remote\n  instances: [ requestcount, requestduration ]'),
    );
  }
  return parts.join('');
}

const WORKLOADS = ['productpage-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'ratings-v1', 'details-v1'];
const CODES = [200, 200, 200, 200, 201, 204, 302, 404, 500, 503];

/** The `index`-th attribute set of the load: Envoy-like request attributes, varied over a bounded set of label values. */
export function attributeSet(index: number): Record<string, unknown> {
  const source = WORKLOADS[index % WORKLOADS.length]!;
  const destination = WORKLOADS[(index * 7 + 3) % WORKLOADS.length]!;
  return {
    'context.protocol': 'http',
    'context.reporter.kind': index % 2 === 0 ? 'inbound' : 'outbound',
    'source.workload.name': source,
    'source.labels': { app: source.split('-')[0]!, version: source.split('-')[1]! },
    'destination.workload.name': destination,
    'destination.service.host': `${destination.split('-')[0]!}.default.svc.cluster.local`,
    'request.method': index % 5 === 0 ? 'POST' : 'GET',
    'request.path': `/api/v1/items/${index % 100}`,
    'request.useragent': 'Mozilla/5.0 (bench)',
    'request.time': '2026-11-25T12:00:00.000Z',
    'request.size': 200 + (index % 50),
    'response.code': CODES[index % CODES.length]!,
    'response.size': 1000 + (index % 300),
    'response.duration': `${1 + (index % 40)}ms`,
  };
}
