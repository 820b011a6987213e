import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { PrometheusHandler } from '../../adapters/prometheus/handler.js';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';
import { freePort, requirePrometheus, startPrometheus } from '../support/prometheus-server.js';

// Config changes while a real Prometheus scrapes the prometheus handler's port: the handler is
// rebuilt on the same port, the listener stays up through the swap (no failed scrape), a metric
// whose definition did not change keeps counting, and one whose definition changed starts over.

const HANDLER = 'prometheus.handler.istio-system';

interface Generation {
  /** The label names of istio_requests_total. */
  readonly requestLabels: readonly string[];
  /** Whether istio_request_bytes (a DISTRIBUTION) is defined too. */
  readonly requestBytes: boolean;
}

function telemetryConfig(port: number, generation: Generation): string {
  const metrics = [
    '  - name: requests_total',
    '    instance_name: requestcount.instance.istio-system',
    '    kind: COUNTER',
    `    label_names: [ ${generation.requestLabels.join(', ')} ]`,
  ];
  if (generation.requestBytes) {
    metrics.push(
      '  - name: request_bytes',
      '    instance_name: requestsize.instance.istio-system',
      '    kind: DISTRIBUTION',
      '    label_names: [ destination_app ]',
      '    buckets: { exponentialBuckets: { numFiniteBuckets: 4, scale: 1, growthFactor: 10 } }',
    );
  }
  const dimensions = generation.requestLabels.map((label) => `    ${label}: ${label === 'destination_app' ? 'destination.labels["app"] | "unknown"' : 'response.code | 200'}`);
  return [
    resource('handler', 'prometheus', ['compiledAdapter: prometheus', 'params:', '  address: 127.0.0.1', `  port: ${port}`, '  metrics:', ...metrics].join('\n')),
    resource('instance', 'requestcount', ['compiledTemplate: metric', 'params:', '  value: "1"', '  dimensions:', ...dimensions].join('\n')),
    resource('instance', 'requestsize', 'compiledTemplate: metric\nparams:\n  value: request.size | 0\n  dimensions:\n    destination_app: destination.labels["app"] | "unknown"'),
    resource('rule', 'promhttp', `match: context.protocol == "http"\nactions:\n- handler: prometheus\n  instances: [ ${generation.requestBytes ? 'requestcount, requestsize' : 'requestcount'} ]`),
  ].join('');
}

async function snapshotId(mixer: RunningMixer): Promise<number> {
  return Number((await mixer.get('/readyz')).body['snapshot']);
}

/** Writes the config and waits until it serves; returns the rebuilt handler. */
async function swapTo(mixer: RunningMixer, yaml: string): Promise<PrometheusHandler> {
  const previous = await snapshotId(mixer);
  const handlerBefore = mixer.server.runtime.handlers.get(HANDLER)?.handler;
  await mixer.writeConfig('telemetry.yaml', yaml);
  await eventually(async () => (await snapshotId(mixer)) > previous, 10_000, 'the new config to serve');
  const debug = (await mixer.getMonitoring('/debug/config')).body as { lastRejected: unknown; active: { handlerFailures: unknown[] } };
  assert.equal(debug.lastRejected, null, JSON.stringify(debug.lastRejected));
  assert.deepEqual(debug.active.handlerFailures, []);
  const built = mixer.server.runtime.handlers.get(HANDLER)?.handler;
  assert.ok(built !== undefined && built !== handlerBefore, 'the handler was rebuilt');
  return built as PrometheusHandler;
}

const request = (app: string, size = 100): Record<string, unknown> => ({
  'context.protocol': 'http',
  'destination.labels': { app },
  'response.code': 200,
  'request.size': size,
});

describe('prometheus adapter across config changes, scraped by a real Prometheus', () => {
  test('the port keeps serving through rebuilds; unchanged metrics keep counting, changed ones start over', async (context) => {
    const binary = requirePrometheus(context);
    if (binary === undefined) return;
    const port = await freePort();
    const mixer = await startMixer({ 'telemetry.yaml': telemetryConfig(port, { requestLabels: ['destination_app'], requestBytes: false }) });
    try {
      const first = mixer.server.runtime.handlers.get(HANDLER)?.handler as PrometheusHandler | undefined;
      assert.equal(first?.port, port);
      const prometheus = await startPrometheus(binary, { targets: [`127.0.0.1:${port}`], scrapeIntervalMs: 200 });
      try {
        const started = Date.now();
        for (let i = 0; i < 5; i++) assert.equal((await mixer.report([request('reviews')])).status, 200);
        await prometheus.waitForScrapeAfter(Date.now());

        // Generation 2: a metric is added; istio_requests_total keeps its definition. Reports
        // keep coming while the handler is rebuilt; every one of them is counted once.
        let reporting = true;
        let reportedDuringSwap = 0;
        const failures: string[] = [];
        const reporter = (async () => {
          while (reporting) {
            const { status, body } = await mixer.report([request('reviews')]);
            if (status === 200) reportedDuringSwap++;
            else failures.push(`${status} ${JSON.stringify(body)}`);
          }
        })();
        const second = await swapTo(mixer, telemetryConfig(port, { requestLabels: ['destination_app'], requestBytes: true }));
        reporting = false;
        await reporter;
        assert.deepEqual(failures, []);
        assert.ok(reportedDuringSwap > 0, 'reports ran during the swap');
        assert.equal(second.port, port, 'the rebuilt handler serves on the same port');
        for (const size of [5, 50, 5000]) assert.equal((await mixer.report([request('ratings', size)])).status, 200);

        await prometheus.waitForScrapeAfter(Date.now());
        const total = 5 + reportedDuringSwap + 3;
        assert.deepEqual((await prometheus.query('sum(istio_requests_total)')).map((series) => series.value), [total]);
        assert.deepEqual((await prometheus.query('istio_requests_total{destination_app="ratings"}')).map((series) => series.value), [3]);
        const ratingsBytes = (le: string) => prometheus.query(`istio_request_bytes_bucket{destination_app="ratings",le="${le}"}`);
        assert.deepEqual((await prometheus.query('istio_request_bytes_count{destination_app="ratings"}')).map((series) => series.value), [3]);
        assert.deepEqual((await ratingsBytes('10')).map((series) => series.value), [1]);
        assert.deepEqual((await ratingsBytes('1000')).map((series) => series.value), [2]);
        assert.deepEqual((await ratingsBytes('10000')).map((series) => series.value), [3]);
        // Every scrape since the start succeeded: the listener never went away.
        const window = `${Math.ceil((Date.now() - started) / 1000) + 1}s`;
        assert.deepEqual((await prometheus.query(`min_over_time(up{job="mixer"}[${window}])`)).map((series) => series.value), [1]);
        assert.ok((await prometheus.query(`count_over_time(up{job="mixer"}[${window}])`))[0]!.value >= 2, 'scraped more than once');

        // Generation 3: istio_requests_total gets another label, a new definition: it starts
        // from zero, and the series of the old definition are gone from the exposition.
        await swapTo(mixer, telemetryConfig(port, { requestLabels: ['destination_app', 'response_code'], requestBytes: true }));
        for (let i = 0; i < 2; i++) assert.equal((await mixer.report([request('reviews')])).status, 200);
        await prometheus.waitForScrapeAfter(Date.now());
        const requests = await prometheus.query('istio_requests_total');
        assert.deepEqual(requests.map((series) => [series.metric['destination_app'], series.metric['response_code'], series.value]), [['reviews', '200', 2]]);
        assert.deepEqual((await prometheus.query('istio_request_bytes_count{destination_app="ratings"}')).map((series) => series.value), [3], 'an unchanged metric keeps its series');
      } finally {
        await prometheus.close();
      }
    } finally {
      await mixer.close();
    }
  });
});
