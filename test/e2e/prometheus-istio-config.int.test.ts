import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';

import type { PrometheusHandler } from '../../adapters/prometheus/handler.js';
import { samplesOf, scrape, valueOf, type Exposition } from '../../adapters/prometheus/testing/scrape.js';
import { conformanceDirectory } from '../support/conformance.js';
import { startMixer, type RunningMixer } from '../support/mixer-harness.js';
import { requirePrometheus, startPrometheus } from '../support/prometheus-server.js';

// Istio 1.4's default Mixer config (the helm chart's, rendered) in a real Mixer: its metric
// instances, prometheus handler and rules give Istio's metric names and labels.
//
// The snapshot does not tolerate the kubernetesenv resources (this build has no kubernetesenv
// adapter or kubernetes template, and Mixer never applies a config with errors), so the
// kubernetesenv handler, its `attributes` instance and the two rules using it are removed; the
// attributes that adapter would add (workload names, labels, ...) are reported directly instead.
// The prometheus handler gets `address: 127.0.0.1, port: 0` (tests never take :42422) and stdio
// writes to a file instead of the test's stdout. Everything else is Istio's file as it is.

const CONFIG = join(conformanceDirectory(), 'istio-config', 'helm-mixer-1.4', 'config.rendered.yaml');
const KUBERNETESENV = new Set(['handler/kubernetesenv', 'instance/attributes', 'rule/kubeattrgenrulerule', 'rule/tcpkubeattrgenrulerule']);
const HANDLER = 'prometheus.handler.istio-system';

/** Istio's label names for HTTP and TCP metrics (config.rendered.yaml's label_names, sorted). */
const HTTP_LABELS = [
  'connection_security_policy', 'destination_app', 'destination_principal', 'destination_service', 'destination_service_name',
  'destination_service_namespace', 'destination_version', 'destination_workload', 'destination_workload_namespace',
  'permissive_response_code', 'permissive_response_policyid', 'reporter', 'request_protocol', 'response_code', 'response_flags',
  'source_app', 'source_principal', 'source_version', 'source_workload', 'source_workload_namespace',
];
const TCP_LABELS = [
  'connection_security_policy', 'destination_app', 'destination_principal', 'destination_service', 'destination_service_name',
  'destination_service_namespace', 'destination_version', 'destination_workload', 'destination_workload_namespace',
  'reporter', 'response_flags', 'source_app', 'source_principal', 'source_version', 'source_workload', 'source_workload_namespace',
];

async function istioDefaultConfig(logFile: string): Promise<string> {
  const documents = parseAllDocuments(await readFile(CONFIG, 'utf8'));
  const kept: string[] = [];
  for (const document of documents) {
    const resource = document.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { params?: Record<string, unknown> } } | null;
    if (resource === null || resource.kind === undefined) continue;
    if (KUBERNETESENV.has(`${resource.kind}/${resource.metadata?.name}`)) continue;
    if (resource.kind === 'handler' && resource.metadata?.name === 'prometheus') Object.assign(resource.spec!.params!, { address: '127.0.0.1', port: 0 });
    if (resource.kind === 'handler' && resource.metadata?.name === 'stdio') Object.assign(resource.spec!.params!, { logStream: 'FILE', outputPath: logFile });
    kept.push(stringify(resource));
  }
  return kept.join('---\n');
}

/** What a sidecar reports for an HTTP request (the workload attributes kubernetesenv would have added included). */
function httpRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'context.protocol': 'http',
    'context.reporter.kind': 'inbound',
    'source.workload.name': 'productpage-v1',
    'source.workload.namespace': 'default',
    'source.principal': 'cluster.local/ns/default/sa/bookinfo-productpage',
    'source.labels': { app: 'productpage', version: 'v1' },
    'destination.workload.name': 'reviews-v2',
    'destination.workload.namespace': 'default',
    'destination.principal': 'cluster.local/ns/default/sa/bookinfo-reviews',
    'destination.labels': { app: 'reviews', version: 'v2' },
    'destination.service.host': 'reviews.default.svc.cluster.local',
    'destination.service.name': 'reviews',
    'destination.service.namespace': 'default',
    'request.host': 'reviews:9080',
    'request.useragent': 'Go-http-client/1.1',
    'request.size': 120,
    'response.size': 2048,
    'response.code': 200,
    'response.duration': '35ms',
    'connection.mtls': true,
    ...overrides,
  };
}

function tcpEvent(event: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'context.protocol': 'tcp',
    'context.reporter.kind': 'inbound',
    'connection.event': event,
    'source.workload.name': 'ratings-v2',
    'source.workload.namespace': 'default',
    'source.principal': 'cluster.local/ns/default/sa/bookinfo-ratings-v2',
    'source.labels': { app: 'ratings', version: 'v2' },
    'destination.workload.name': 'mongodb-v1',
    'destination.workload.namespace': 'default',
    'destination.principal': 'cluster.local/ns/default/sa/default',
    'destination.labels': { app: 'mongodb', version: 'v1' },
    'destination.service.host': 'mongodb.default.svc.cluster.local',
    'destination.service.name': 'mongodb',
    'destination.service.namespace': 'default',
    'connection.mtls': true,
    ...overrides,
  };
}

const labelNames = (exposition: Exposition, name: string): string[][] =>
  [...new Set(samplesOf(exposition, name).map((sample) => JSON.stringify(Object.keys(sample.labels).sort())))].map((text) => JSON.parse(text) as string[]);

describe("Istio's default telemetry config with the prometheus adapter", () => {
  let mixer: RunningMixer | undefined;
  let logDirectory = '';
  let url = '';

  before(async () => {
    if (!existsSync(CONFIG)) {
      if (process.env['CI'] === 'true') throw new Error(`conformance data missing under CI: ${CONFIG}`);
      return;
    }
    logDirectory = await mkdtemp(join(tmpdir(), 'mixer-prom-istio-'));
    mixer = await startMixer({ 'istio-default.yaml': await istioDefaultConfig(join(logDirectory, 'access.log')) });
    const debug = (await mixer.getMonitoring('/debug/config')).body as { lastRejected: unknown; active: { handlerFailures: unknown[]; rules: unknown[] } | null };
    assert.equal(debug.lastRejected, null, JSON.stringify(debug.lastRejected));
    assert.deepEqual(debug.active?.handlerFailures, []);
    assert.equal(debug.active.rules.length, 6, 'stdio, stdiotcp, promhttp, promtcp, promtcpconnectionopen, promtcpconnectionclosed');
    const built = mixer.server.runtime.handlers.get(HANDLER);
    assert.ok(built !== undefined, `${HANDLER} was built`);
    url = (built.handler as PrometheusHandler).url;
  });
  after(async () => {
    await mixer?.close();
    if (logDirectory !== '') await rm(logDirectory, { recursive: true, force: true });
  });

  test('HTTP requests: istio_requests_total, istio_request_duration_seconds, istio_request_bytes, istio_response_bytes with Istio\'s labels', async (context) => {
    if (mixer === undefined) return context.skip(`conformance data not found at ${CONFIG}`);
    const { status } = await mixer.report([
      httpRequest(),
      httpRequest({ 'response.duration': '150ms' }),
      httpRequest({ 'response.duration': '2s', 'request.size': 5 }),
      httpRequest({ 'response.code': 503, 'context.proxy_error_code': 'UF', 'connection.mtls': false }),
      httpRequest({ 'context.reporter.kind': 'outbound' }),
      httpRequest({ 'request.useragent': 'kube-probe/1.16' }),
      httpRequest({ 'request.useragent': 'Prometheus/2.42.0' }),
    ]);
    assert.equal(status, 200);
    const scraped = await scrape(url);

    for (const name of ['istio_requests_total', 'istio_request_duration_seconds', 'istio_request_bytes', 'istio_response_bytes']) {
      assert.equal(scraped.types.get(name), name === 'istio_requests_total' ? 'counter' : 'histogram', name);
    }
    assert.deepEqual(labelNames(scraped, 'istio_requests_total'), [HTTP_LABELS]);
    assert.deepEqual(labelNames(scraped, 'istio_request_duration_seconds_count'), [HTTP_LABELS]);

    const inbound = {
      reporter: 'destination',
      source_app: 'productpage',
      source_version: 'v1',
      source_principal: 'cluster.local/ns/default/sa/bookinfo-productpage',
      source_workload: 'productpage-v1',
      source_workload_namespace: 'default',
      destination_app: 'reviews',
      destination_version: 'v2',
      destination_principal: 'cluster.local/ns/default/sa/bookinfo-reviews',
      destination_workload: 'reviews-v2',
      destination_workload_namespace: 'default',
      destination_service: 'reviews.default.svc.cluster.local',
      destination_service_name: 'reviews',
      destination_service_namespace: 'default',
      request_protocol: 'http',
      response_code: '200',
      response_flags: '-',
      permissive_response_code: 'none',
      permissive_response_policyid: 'none',
      connection_security_policy: 'mutual_tls',
    };
    const requests = samplesOf(scraped, 'istio_requests_total');
    assert.deepEqual(requests.find((sample) => sample.labels['response_code'] === '200' && sample.labels['reporter'] === 'destination'), { name: 'istio_requests_total', labels: inbound, value: 3 });
    assert.equal(valueOf(scraped, 'istio_requests_total', { response_code: '503', response_flags: 'UF', connection_security_policy: 'none' }), 1);
    assert.equal(valueOf(scraped, 'istio_requests_total', { reporter: 'source', connection_security_policy: 'unknown' }), 1);
    assert.equal(requests.reduce((sum, sample) => sum + sample.value, 0), 5, 'kube-probe and Prometheus requests are not counted (rule promhttp)');

    const durations = samplesOf(scraped, 'istio_request_duration_seconds_bucket', inbound);
    assert.deepEqual(
      durations.map((sample) => [sample.labels['le'], sample.value]),
      [['0.005', 0], ['0.01', 0], ['0.025', 0], ['0.05', 1], ['0.1', 1], ['0.25', 2], ['0.5', 2], ['1', 2], ['2.5', 3], ['5', 3], ['10', 3], ['+Inf', 3]],
    );
    assert.equal(valueOf(scraped, 'istio_request_duration_seconds_sum', inbound), 2.185);
    assert.deepEqual(
      samplesOf(scraped, 'istio_request_bytes_bucket', inbound).map((sample) => [sample.labels['le'], sample.value]),
      // client_golang's bound text (Go's %g): what Istio's series were named.
      [['1', 0], ['10', 1], ['100', 1], ['1000', 3], ['10000', 3], ['100000', 3], ['1e+06', 3], ['1e+07', 3], ['1e+08', 3], ['+Inf', 3]],
    );
    assert.equal(valueOf(scraped, 'istio_response_bytes_sum', inbound), 3 * 2048);
  });

  test('TCP connections: istio_tcp_sent_bytes_total, istio_tcp_received_bytes_total, istio_tcp_connections_opened_total and _closed_total', async (context) => {
    if (mixer === undefined) return context.skip(`conformance data not found at ${CONFIG}`);
    const { status } = await mixer.report([
      tcpEvent('open', { 'connection.sent.bytes': 0, 'connection.received.bytes': 0 }),
      tcpEvent('continue', { 'connection.sent.bytes': 1500, 'connection.received.bytes': 300 }),
      tcpEvent('close', { 'connection.sent.bytes': 500, 'connection.received.bytes': 20 }),
    ]);
    assert.equal(status, 200);
    const scraped = await scrape(url);
    const labels = {
      reporter: 'destination',
      source_app: 'ratings',
      source_version: 'v2',
      source_principal: 'cluster.local/ns/default/sa/bookinfo-ratings-v2',
      source_workload: 'ratings-v2',
      source_workload_namespace: 'default',
      destination_app: 'mongodb',
      destination_version: 'v1',
      destination_principal: 'cluster.local/ns/default/sa/default',
      destination_workload: 'mongodb-v1',
      destination_workload_namespace: 'default',
      destination_service: 'mongodb.default.svc.cluster.local',
      destination_service_name: 'mongodb',
      destination_service_namespace: 'default',
      connection_security_policy: 'mutual_tls',
      response_flags: '-',
    };
    for (const name of ['istio_tcp_sent_bytes_total', 'istio_tcp_received_bytes_total', 'istio_tcp_connections_opened_total', 'istio_tcp_connections_closed_total']) {
      assert.equal(scraped.types.get(name), 'counter', name);
      assert.deepEqual(labelNames(scraped, name), [TCP_LABELS], name);
    }
    assert.deepEqual(samplesOf(scraped, 'istio_tcp_sent_bytes_total'), [{ name: 'istio_tcp_sent_bytes_total', labels, value: 2000 }]);
    assert.deepEqual(samplesOf(scraped, 'istio_tcp_received_bytes_total'), [{ name: 'istio_tcp_received_bytes_total', labels, value: 320 }]);
    assert.deepEqual(samplesOf(scraped, 'istio_tcp_connections_opened_total'), [{ name: 'istio_tcp_connections_opened_total', labels, value: 1 }]);
    assert.deepEqual(samplesOf(scraped, 'istio_tcp_connections_closed_total'), [{ name: 'istio_tcp_connections_closed_total', labels, value: 1 }]);
  });

  test('scraped by a real Prometheus: the series and their labels are named as Istio named them', async (context) => {
    if (mixer === undefined) return context.skip(`conformance data not found at ${CONFIG}`);
    const binary = requirePrometheus(context);
    if (binary === undefined) return;
    const target = new URL(url);
    const prometheus = await startPrometheus(binary, { targets: [target.host], metricsPath: target.pathname });
    try {
      const reported = [
        httpRequest({ 'response.code': 404 }),
        httpRequest({ 'response.code': 404 }),
        tcpEvent('open'),
        tcpEvent('close', { 'connection.sent.bytes': 10, 'connection.received.bytes': 5 }),
      ];
      assert.equal((await mixer.report(reported)).status, 200);
      const scraped = await scrape(url);
      await prometheus.waitForScrapeAfter(Date.now());

      const names = (await prometheus.query('count by (__name__) ({__name__=~"istio_.+"})')).map((series) => series.metric['__name__']).sort();
      assert.deepEqual(names, [
        'istio_request_bytes_bucket', 'istio_request_bytes_count', 'istio_request_bytes_sum',
        'istio_request_duration_seconds_bucket', 'istio_request_duration_seconds_count', 'istio_request_duration_seconds_sum',
        'istio_requests_total',
        'istio_response_bytes_bucket', 'istio_response_bytes_count', 'istio_response_bytes_sum',
        'istio_tcp_connections_closed_total', 'istio_tcp_connections_opened_total', 'istio_tcp_received_bytes_total', 'istio_tcp_sent_bytes_total',
      ]);
      const labelsOf = async (expression: string): Promise<string[][]> =>
        [...new Set((await prometheus.query(expression)).map((series) => JSON.stringify(Object.keys(series.metric).filter((label) => !['__name__', 'job', 'instance'].includes(label)).sort())))].map((text) => JSON.parse(text) as string[]);
      assert.deepEqual(await labelsOf('istio_requests_total'), [HTTP_LABELS]);
      assert.deepEqual(await labelsOf('istio_request_duration_seconds_bucket'), [[...HTTP_LABELS, 'le'].sort()]);
      assert.deepEqual(await labelsOf('istio_tcp_connections_opened_total'), [TCP_LABELS]);

      // What Prometheus stored is what the endpoint served, and Istio's dashboards' queries work on it.
      const served = samplesOf(scraped, 'istio_requests_total').reduce((sum, sample) => sum + sample.value, 0);
      assert.deepEqual((await prometheus.query('sum(istio_requests_total)')).map((series) => series.value), [served]);
      assert.deepEqual((await prometheus.query('sum(istio_requests_total{reporter="destination",response_code="404"})')).map((series) => series.value), [2]);
      const p50 = await prometheus.query('histogram_quantile(0.5, sum(istio_request_duration_seconds_bucket{reporter="destination"}) by (le))');
      assert.equal(p50.length, 1);
      assert.ok(p50[0]!.value > 0 && p50[0]!.value <= 10, `p50 ${p50[0]!.value}`);
      assert.deepEqual((await prometheus.query('count(istio_request_bytes_bucket{le="1e+06"})')).map((series) => series.value), [samplesOf(scraped, 'istio_request_bytes_count').length]);
    } finally {
      await prometheus.close();
    }
  });
});
