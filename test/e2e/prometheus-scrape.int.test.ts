import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { PrometheusHandler } from '../../adapters/prometheus/handler.js';
import { DictBag } from '../../core/attribute/dict-bag.js';
import { Duration } from '../../core/attribute/duration.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { MixerClient } from '../../core/client/mixer-client.js';
import { GrpcMixerTransport } from '../../core/grpc/grpc-mixer-transport.js';
import { resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';
import { requirePrometheus, startPrometheus } from '../support/prometheus-server.js';

// A real Prometheus scraping Mixer's prometheus handler: what Mixer recorded is what
// Prometheus's query API answers.

const CONFIG = [
  resource(
    'handler',
    'prometheus',
    [
      'compiledAdapter: prometheus',
      'params:',
      '  address: 127.0.0.1',
      '  port: 0',
      '  metrics:',
      '  - name: requests_total',
      '    instance_name: requestcount.instance.istio-system',
      '    kind: COUNTER',
      '    label_names: [ destination_app, response_code ]',
      '  - name: request_duration_seconds',
      '    instance_name: requestduration.instance.istio-system',
      '    kind: DISTRIBUTION',
      '    label_names: [ destination_app ]',
      '    buckets: { explicit_buckets: { bounds: [ 0.01, 0.1, 1 ] } }',
    ].join('\n'),
  ),
  resource('instance', 'requestcount', 'compiledTemplate: metric\nparams:\n  value: "1"\n  dimensions:\n    destination_app: destination.labels["app"] | "unknown"\n    response_code: response.code | 200'),
  resource('instance', 'requestduration', 'compiledTemplate: metric\nparams:\n  value: response.duration | "0ms"\n  dimensions:\n    destination_app: destination.labels["app"] | "unknown"'),
  resource('rule', 'promhttp', 'match: context.protocol == "http"\nactions:\n- handler: prometheus\n  instances: [ requestcount, requestduration ]'),
].join('');

function handlerUrl(mixer: RunningMixer): URL {
  const built = mixer.server.runtime.handlers.get('prometheus.handler.istio-system');
  assert.ok(built !== undefined, 'the prometheus handler was built');
  return new URL((built.handler as PrometheusHandler).url);
}

describe('prometheus adapter scraped by a real Prometheus', () => {
  test('N reported requests are exactly N in istio_requests_total, as Prometheus answers it', async (context) => {
    const binary = requirePrometheus(context);
    if (binary === undefined) return;
    const mixer = await startMixer({ 'telemetry.yaml': CONFIG });
    try {
      const target = handlerUrl(mixer);
      const prometheus = await startPrometheus(binary, { targets: [target.host], metricsPath: target.pathname, scrapeIntervalMs: 200 });
      try {
        const request = (code: number, duration: string) => ({
          'context.protocol': 'http',
          'destination.labels': { app: 'reviews' },
          'response.code': code,
          'response.duration': duration,
        });
        // 37 requests in batches of different sizes: 30 answered 200, 7 answered 503.
        const batches = [
          [...Array.from({ length: 10 }, () => request(200, '5ms'))],
          [...Array.from({ length: 13 }, () => request(200, '50ms')), request(503, '2s')],
          [...Array.from({ length: 7 }, () => request(200, '500ms')), ...Array.from({ length: 6 }, () => request(503, '1ms'))],
        ];
        for (const batch of batches) assert.equal((await mixer.report(batch)).status, 200);
        const reported = Date.now();

        await prometheus.waitForScrapeAfter(reported);

        const ok = await prometheus.query('istio_requests_total{destination_app="reviews",response_code="200"}');
        assert.equal(ok.length, 1, JSON.stringify(ok));
        assert.equal(ok[0]!.value, 30);
        assert.equal(ok[0]!.metric['job'], 'mixer');
        assert.equal(ok[0]!.metric['instance'], target.host);
        const failed = await prometheus.query('istio_requests_total{response_code="503"}');
        assert.deepEqual(failed.map((series) => series.value), [7]);
        assert.deepEqual((await prometheus.query('sum(istio_requests_total)')).map((series) => series.value), [37]);
        assert.deepEqual((await prometheus.query('istio_request_duration_seconds_count')).map((series) => series.value), [37]);
        assert.deepEqual((await prometheus.query('istio_request_duration_seconds_bucket{le="0.01"}')).map((series) => series.value), [16]);
        assert.deepEqual((await prometheus.query('istio_request_duration_seconds_bucket{le="0.1"}')).map((series) => series.value), [29]);
      } finally {
        await prometheus.close();
      }
    } finally {
      await mixer.close();
    }
  });

  test("N requests reported by the Mixer client over gRPC (Istio's wire API, batched) are exactly N", async (context) => {
    const binary = requirePrometheus(context);
    if (binary === undefined) return;
    const mixer = await startMixer({ 'telemetry.yaml': CONFIG });
    try {
      const target = handlerUrl(mixer);
      const prometheus = await startPrometheus(binary, { targets: [target.host], metricsPath: target.pathname });
      try {
        const client = new MixerClient({ transport: new GrpcMixerTransport({ target: mixer.grpcAddress }), report: { maxBatchEntries: 40 } });
        const apps = ['reviews', 'ratings', 'details'];
        const reported = new Map<string, number>();
        const total = 250;
        for (let i = 0; i < total; i++) {
          const app = apps[i % apps.length]!;
          const code = i % 10 === 0 ? 500 : 200;
          reported.set(`${app}/${code}`, (reported.get(`${app}/${code}`) ?? 0) + 1);
          client.report(
            DictBag.of({
              'context.protocol': 'http',
              'destination.labels': StringMap.fromObject({ app }),
              'response.code': code,
              'response.duration': Duration.parse(`${i}ms`),
            }),
          );
        }
        await client.close(); // flushes every batch
        const statistics = client.statistics().report;
        assert.equal(statistics.dropped, 0);
        assert.ok(statistics.batchesSent >= Math.ceil(total / 40), `${statistics.batchesSent} batches`);
        await prometheus.waitForScrapeAfter(Date.now());

        assert.deepEqual((await prometheus.query('sum(istio_requests_total)')).map((series) => series.value), [total]);
        const byLabels = new Map((await prometheus.query('istio_requests_total')).map((series) => [`${series.metric['destination_app']}/${series.metric['response_code']}`, series.value]));
        assert.deepEqual(byLabels, reported);
        assert.deepEqual((await prometheus.query('sum(istio_request_duration_seconds_count)')).map((series) => series.value), [total]);
        // Durations 0..249 ms: 11 at or under 10 ms, 101 at or under 100 ms, all under 1 s.
        const bucket = async (le: string) => (await prometheus.query(`sum(istio_request_duration_seconds_bucket{le="${le}"})`)).map((series) => series.value);
        assert.deepEqual(await bucket('0.01'), [11]);
        assert.deepEqual(await bucket('0.1'), [101]);
        assert.deepEqual(await bucket('1'), [total]);
      } finally {
        await prometheus.close();
      }
    } finally {
      await mixer.close();
    }
  });
});
