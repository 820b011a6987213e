import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AggregatorRegistry, Registry } from 'prom-client';
import { HotCounter, HotHistogram } from './hot-path-metrics.js';

test('hot-path counters and histograms expose the Prometheus text format through a registry', async () => {
  const registry = new Registry();
  const counter = new HotCounter('demo_total', 'Demo calls.', ['code']).registerOn(registry);
  const histogram = new HotHistogram('demo_seconds', 'Demo latency.', ['handler'], [0.1, 1]).registerOn(registry);
  counter.cell({ code: 'OK' }).inc();
  counter.cell({ code: 'OK' }).inc(2);
  counter.cell({ code: 'INTERNAL' }).inc();
  const cell = histogram.cell({ handler: 'h' });
  for (const value of [0.05, 0.1, 0.5, 3]) cell.observe(value);
  const text = await registry.metrics();
  for (const line of [
    '# TYPE demo_total counter',
    'demo_total{code="OK"} 3',
    'demo_total{code="INTERNAL"} 1',
    '# TYPE demo_seconds histogram',
    'demo_seconds_bucket{handler="h",le="0.1"} 2',
    'demo_seconds_bucket{handler="h",le="1"} 3',
    'demo_seconds_bucket{handler="h",le="+Inf"} 4',
    'demo_seconds_sum{handler="h"} 3.65',
    'demo_seconds_count{handler="h"} 4',
  ]) {
    assert.ok(text.includes(line), `missing ${line} in\n${text}`);
  }
  // They aggregate with other registries like prom-client's own metrics.
  const merged = AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), await registry.getMetricsAsJSON()]);
  assert.ok((await merged.metrics()).includes('demo_total{code="OK"} 6'));
});
