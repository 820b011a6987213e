import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register as globalRegistry } from 'prom-client';

import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import type { MetricInstance } from '../../templates/definitions.js';
import type { InstanceValue } from '../../templates/template.js';
import { DEFAULT_LISTENER_LIMITS } from '../../core/net/listener-limits.js';
import { tryConnect } from '../../test/support/listening-sockets.js';
import { freePort } from '../../test/support/prometheus-server.js';
import { buildForTest, instanceConfig, ManualEnvironment } from '../sdk/testing/index.js';
import { MetricValuesError } from './errors.js';
import type { PrometheusHandler } from './handler.js';
import { createPrometheusAdapter } from './index.js';
import { MetricsListenerPool } from './listener-pool.js';
import { samplesOf, scrape, valueOf } from './testing/scrape.js';

const COUNT = 'requestcount.instance.istio-system';
const DURATION = 'requestduration.instance.istio-system';
const GAUGE = 'connections.instance.istio-system';

const METRICS = [
  { name: 'requests_total', instance_name: COUNT, kind: 'COUNTER', label_names: ['source_app', 'response_code'] },
  {
    name: 'request_duration_seconds',
    instance_name: DURATION,
    kind: 'DISTRIBUTION',
    label_names: ['source_app'],
    buckets: { explicit_buckets: { bounds: [0.01, 0.1, 1] } },
  },
  { name: 'open-connections', namespace: 'mesh', instance_name: GAUGE, kind: 'GAUGE', description: 'Open connections.', label_names: ['peer.ip'] },
];

function metric(name: string, value: InstanceValue, dimensions: Record<string, InstanceValue>): MetricInstance {
  return { name, value, dimensions, monitoredResourceType: undefined, monitoredResourceDimensions: {} };
}

async function build(params: Record<string, unknown>, options: { pool?: MetricsListenerPool; env?: ManualEnvironment } = {}) {
  const adapter = createPrometheusAdapter(options.pool ?? new MetricsListenerPool()).info;
  const env = options.env ?? new ManualEnvironment();
  const { handler } = await buildForTest(adapter, env, {
    name: 'prometheus.handler.istio-system',
    params: { address: '127.0.0.1', port: 0, ...params },
    instances: [instanceConfig(COUNT, 'metric'), instanceConfig(DURATION, 'metric'), instanceConfig(GAUGE, 'metric')],
  });
  return { handler: handler as PrometheusHandler, env };
}

describe('prometheus handler', () => {
  it('adds COUNTER values, observes DISTRIBUTION values, sets GAUGE values, labelled by the dimensions', async () => {
    const { handler } = await build({ metrics: METRICS });
    try {
      handler.handleMetric([
        metric(COUNT, 1, { source_app: 'productpage', response_code: 200 }),
        metric(COUNT, 1, { source_app: 'productpage', response_code: 200 }),
        metric(COUNT, 2n, { source_app: 'reviews', response_code: 503 }),
        metric(DURATION, Duration.parse('50ms'), { source_app: 'productpage' }),
        metric(DURATION, '0.5', { source_app: 'productpage' }),
        metric(DURATION, 7, { source_app: 'productpage' }),
        metric(GAUGE, 3, { 'peer.ip': IpAddress.parse('10.0.0.1') }),
        metric(GAUGE, 5.5, { 'peer.ip': IpAddress.parse('10.0.0.1') }),
      ]);
      const scraped = await scrape(handler.url);
      assert.equal(valueOf(scraped, 'istio_requests_total', { source_app: 'productpage', response_code: '200' }), 2);
      assert.equal(valueOf(scraped, 'istio_requests_total', { source_app: 'reviews', response_code: '503' }), 2);
      assert.deepEqual(
        samplesOf(scraped, 'istio_request_duration_seconds_bucket').map((sample) => [sample.labels['le'], sample.value]),
        [['0.01', 0], ['0.1', 1], ['1', 2], ['+Inf', 3]],
      );
      assert.equal(valueOf(scraped, 'istio_request_duration_seconds_count'), 3);
      assert.equal(valueOf(scraped, 'istio_request_duration_seconds_sum'), 7.55);
      assert.deepEqual(samplesOf(scraped, 'mesh_openconnections'), [{ name: 'mesh_openconnections', labels: { peer_ip: '10.0.0.1' }, value: 5.5 }]);
      assert.equal(scraped.types.get('istio_requests_total'), 'counter');
      assert.equal(scraped.types.get('istio_request_duration_seconds'), 'histogram');
      assert.equal(scraped.types.get('mesh_openconnections'), 'gauge');
      assert.equal(scraped.help.get('istio_requests_total'), 'requests_total');
      assert.equal(scraped.help.get('mesh_openconnections'), 'Open connections.');
      assert.ok(handler.registry.getSingleMetric('istio_requests_total') !== undefined, "the handler's own registry");
      assert.deepEqual(globalRegistry.getMetricsAsArray().filter((entry) => entry.name.startsWith('istio_') || entry.name.startsWith('mesh_')), [], "nothing in prom-client's global registry");
    } finally {
      await handler.close();
    }
  });

  it('records the values it can and reports the others in one error, counted per instance and reason', async () => {
    const { handler, env } = await build({ metrics: METRICS });
    try {
      const error = (() => {
        try {
          handler.handleMetric([
            metric('unknown.instance.istio-system', 1, {}),
            metric(COUNT, 'lots', { source_app: 'a', response_code: 200 }),
            metric(COUNT, 1, { source_app: 'a' }),
            metric(COUNT, 1, { source_app: 'a', response_code: 200, extra: 'x' }),
            metric(COUNT, -1, { source_app: 'a', response_code: 200 }),
            metric(COUNT, 1, { source_app: 'a', response_code: 200 }),
          ]);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      assert.ok(error instanceof MetricValuesError);
      assert.equal(error.code, 'PROMETHEUS_ERR_VALUES');
      assert.equal(error.total, 6);
      assert.deepEqual(error.rejected, [
        { instance: 'unknown.instance.istio-system', reason: 'unknown_instance', message: 'could not find metric info from adapter config for unknown.instance.istio-system' },
        { instance: COUNT, reason: 'value', message: `could not get value for metric ${COUNT}: strconv.ParseFloat: parsing "lots": invalid syntax` },
        { instance: COUNT, reason: 'labels', message: `could not get labels for metric ${COUNT}: no dimension for label response_code of istio_requests_total` },
        { instance: COUNT, reason: 'labels', message: `could not get labels for metric ${COUNT}: dimension 'extra' is not a label of istio_requests_total (labels: source_app, response_code)` },
        { instance: COUNT, reason: 'record', message: `could not record metric ${COUNT}: counter istio_requests_total cannot add -1 (counters take finite values >= 0)` },
      ]);
      assert.match(error.message, /^5 of 6 metric values not recorded: could not find metric info .*; and 2 more$/);
      const scraped = await scrape(handler.url);
      assert.deepEqual(samplesOf(scraped, 'istio_requests_total'), [{ name: 'istio_requests_total', labels: { source_app: 'a', response_code: '200' }, value: 1 }]);
      const counted = (await env.metrics.getMetricsAsJSON()).find((family) => family.name === 'mixer_adapter_prometheus_rejected_values_total');
      assert.deepEqual(
        counted?.values.map((value) => [value.labels['instance'], value.labels['reason'], value.value]).sort(),
        [
          [COUNT, 'labels', 2],
          [COUNT, 'record', 1],
          [COUNT, 'value', 1],
          ['unknown.instance.istio-system', 'unknown_instance', 1],
        ],
      );
    } finally {
      await handler.close();
    }
  });

  it('matches dimension names to label names after sanitising them', async () => {
    const { handler } = await build({ metrics: [{ name: 'c_total', instance_name: COUNT, kind: 'COUNTER', label_names: ['source-app'] }] });
    try {
      handler.handleMetric([metric(COUNT, 1, { 'source-app': 'x' }), metric(COUNT, 1, { sourceapp: 'x' })]);
      assert.equal(valueOf(await scrape(handler.url), 'istio_c_total', { sourceapp: 'x' }), 2);
    } finally {
      await handler.close();
    }
  });

  it('drops series not updated within metricsExpiryDuration, checked every expiryCheckIntervalDuration (default half)', async () => {
    const env = new ManualEnvironment({ startMs: 0 });
    const { handler } = await build({ metrics: METRICS, metricsExpirationPolicy: { metricsExpiryDuration: '10s' } }, { env });
    try {
      const count = (app: string) => metric(COUNT, 1, { source_app: app, response_code: 200 });
      const apps = async () => samplesOf(await scrape(handler.url), 'istio_requests_total').map((sample) => sample.labels['source_app']).sort();
      handler.handleMetric([count('old'), count('kept')]);
      await env.advance(6_000);
      handler.handleMetric([count('kept'), count('young')]);
      await env.advance(4_000); // t=10s: check; 'old' was last updated 10 s ago
      assert.deepEqual(await apps(), ['kept', 'young']);
      await env.advance(5_000); // t=15s: 'kept' and 'young' are 9 s old
      assert.deepEqual(await apps(), ['kept', 'young']);
      await env.advance(5_000); // t=20s
      assert.deepEqual(await apps(), []);
      handler.handleMetric([count('old')]);
      assert.equal(valueOf(await scrape(handler.url), 'istio_requests_total', { source_app: 'old' }), 1, 'an expired series starts again from zero');
    } finally {
      await handler.close();
    }
    const custom = new ManualEnvironment({ startMs: 0 });
    const second = await build({ metrics: METRICS, metricsExpirationPolicy: { metricsExpiryDuration: '10s', expiryCheckIntervalDuration: '1s' } }, { env: custom });
    try {
      second.handler.handleMetric([metric(COUNT, 1, { source_app: 'a', response_code: 200 })]);
      await custom.advance(10_000);
      assert.deepEqual(samplesOf(await scrape(second.handler.url), 'istio_requests_total'), []);
    } finally {
      await second.handler.close();
    }
    const none = new ManualEnvironment();
    const third = await build({ metrics: METRICS }, { env: none });
    assert.equal(none.pendingTimers, 0, 'no policy, no timer');
    await third.handler.close();
  });

  it('keeps a metric whose definition a rebuilt handler keeps, and resets one whose definition changed', async () => {
    const pool = new MetricsListenerPool();
    const port = await freePort();
    const first = await build({ port, metrics: METRICS }, { pool });
    first.handler.handleMetric([
      metric(COUNT, 5, { source_app: 'a', response_code: 200 }),
      metric(GAUGE, 3, { 'peer.ip': '10.0.0.1' }),
    ]);
    // The new handler is built while the old one serves; then the old one closes.
    const changed = METRICS.map((entry) => (entry.instance_name === GAUGE ? { ...entry, description: 'Open connections, now documented differently.' } : entry));
    const second = await build({ port, metrics: changed }, { pool });
    await first.handler.close();
    try {
      second.handler.handleMetric([metric(COUNT, 1, { source_app: 'a', response_code: 200 })]);
      const scraped = await scrape(second.handler.url);
      assert.equal(valueOf(scraped, 'istio_requests_total', { source_app: 'a', response_code: '200' }), 6, 'the counter continued');
      assert.deepEqual(samplesOf(scraped, 'mesh_openconnections'), [], 'the redefined gauge started empty');
      assert.equal(scraped.help.get('mesh_openconnections'), 'Open connections, now documented differently.');
    } finally {
      await second.handler.close();
    }
    assert.equal(pool.size, 0);
    await assert.rejects(fetch(second.handler.url));
  });

  it('publishes several instances into one metric when their definitions agree', async () => {
    const { handler } = await build({
      metrics: [
        { name: 'requests_total', instance_name: COUNT, kind: 'COUNTER', label_names: ['app'] },
        { name: 'requests_total', instance_name: GAUGE, kind: 'COUNTER', label_names: ['app'] },
      ],
    });
    try {
      handler.handleMetric([metric(COUNT, 1, { app: 'x' }), metric(GAUGE, 2, { app: 'x' })]);
      assert.equal(valueOf(await scrape(handler.url), 'istio_requests_total', { app: 'x' }), 3);
    } finally {
      await handler.close();
    }
  });

  it('observes bucket bounds inclusively, escapes label values, and answers the registry\'s JSON too', async () => {
    const { handler } = await build({ metrics: METRICS });
    try {
      const tricky = 'a "quoted"\\ value\nwith a newline';
      handler.handleMetric([
        metric(DURATION, 0.01, { source_app: tricky }),
        metric(DURATION, 0.0100001, { source_app: tricky }),
        metric(DURATION, 1, { source_app: tricky }),
        metric(DURATION, 1.5, { source_app: tricky }),
        metric(DURATION, -3, { source_app: tricky }),
        metric(COUNT, 0, { source_app: tricky, response_code: 200 }),
      ]);
      const scraped = await scrape(handler.url);
      assert.deepEqual(
        samplesOf(scraped, 'istio_request_duration_seconds_bucket', { source_app: tricky }).map((sample) => [sample.labels['le'], sample.value]),
        [['0.01', 2], ['0.1', 3], ['1', 4], ['+Inf', 5]],
      );
      assert.equal(valueOf(scraped, 'istio_request_duration_seconds_sum', { source_app: tricky }), 0.01 + 0.0100001 + 1 + 1.5 - 3);
      assert.equal(valueOf(scraped, 'istio_requests_total', { source_app: tricky, response_code: '200' }), 0, 'a series added 0 is shown');

      const json = await handler.registry.getMetricsAsJSON();
      const counter = json.find((entry) => entry.name === 'istio_requests_total');
      assert.deepEqual(counter?.values, [{ metricName: 'istio_requests_total', labels: { source_app: tricky, response_code: '200' }, value: 0 }]);
      const histogram = json.find((entry) => entry.name === 'istio_request_duration_seconds');
      assert.deepEqual(
        histogram?.values.map((value) => [(value as { metricName?: string }).metricName, value.labels, value.value]),
        [
          ['istio_request_duration_seconds_bucket', { le: '0.01', source_app: tricky }, 2],
          ['istio_request_duration_seconds_bucket', { le: '0.1', source_app: tricky }, 3],
          ['istio_request_duration_seconds_bucket', { le: '1', source_app: tricky }, 4],
          ['istio_request_duration_seconds_bucket', { le: '+Inf', source_app: tricky }, 5],
          ['istio_request_duration_seconds_sum', { source_app: tricky }, 0.01 + 0.0100001 + 1 + 1.5 - 3],
          ['istio_request_duration_seconds_count', { source_app: tricky }, 5],
        ],
      );
    } finally {
      await handler.close();
    }
  });

  it('with no address, listens on the interface Mixer listens on (env.listener.host), not on every one', async () => {
    // 127.0.0.2 is loopback too on Linux, yet a different address from 127.0.0.1.
    const env = new ManualEnvironment({ listener: { host: '127.0.0.2', limits: DEFAULT_LISTENER_LIMITS } });
    const { handler } = await build({ metrics: METRICS, address: '' }, { env });
    try {
      const url = new URL(handler.url);
      assert.equal(url.hostname, '127.0.0.2');
      assert.equal((await fetch(url)).status, 200);
      assert.equal(await tryConnect('127.0.0.1', Number(url.port)), 'ECONNREFUSED');
    } finally {
      await handler.close();
    }
  });

  it('gives the port back when a build is abandoned', async () => {
    const pool = new MetricsListenerPool();
    const env = new ManualEnvironment();
    env.close();
    await assert.rejects(build({ metrics: METRICS }, { pool, env }), { code: 'PROMETHEUS_ERR_ABANDONED' });
    assert.equal(pool.size, 0);
  });
});
