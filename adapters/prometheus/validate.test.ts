import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { configProblems } from '../sdk/testing/index.js';
import { prometheus } from './index.js';
import { metricSpec } from './metric-spec.js';

const info = prometheus.info;

function parse(params: unknown) {
  const parsed = info.params.parse(params);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.value;
}

const counter = (extra: Record<string, unknown> = {}) => ({ name: 'requests_total', instance_name: 'requestcount.instance.istio-system', kind: 'COUNTER', ...extra });

describe('prometheus params', () => {
  it('defaults: no metrics, no expiry, served on :42422 on every interface', () => {
    const params = parse(undefined);
    assert.deepEqual(params.metrics, []);
    assert.equal(params.metricsExpirationPolicy, undefined);
    assert.equal(params.port, 42422);
    assert.equal(params.address, '');
    assert.deepEqual(configProblems(info), []);
  });

  it("reads Istio's snake_case and lowerCamelCase, enums by name or number", () => {
    for (const raw of [
      {
        metrics_expiration_policy: { metrics_expiry_duration: '10m', expiry_check_interval_duration: '1m' },
        metrics: [{ name: 'request_bytes', instance_name: 'requestsize.instance.istio-system', kind: 'DISTRIBUTION', label_names: ['reporter'], buckets: { exponential_buckets: { num_finite_buckets: 8, scale: 1, growth_factor: 10 } } }],
      },
      {
        metricsExpirationPolicy: { metricsExpiryDuration: '10m', expiryCheckIntervalDuration: '1m' },
        metrics: [{ name: 'request_bytes', instanceName: 'requestsize.instance.istio-system', kind: 3, labelNames: ['reporter'], buckets: { exponentialBuckets: { numFiniteBuckets: 8, scale: 1, growthFactor: 10 } } }],
      },
    ]) {
      const params = parse(raw);
      assert.equal(params.metricsExpirationPolicy?.metricsExpiryDuration?.toString(), '10m0s');
      assert.equal(params.metricsExpirationPolicy?.expiryCheckIntervalDuration?.toString(), '1m0s');
      const spec = metricSpec(params.metrics[0]!);
      assert.deepEqual(
        { ...spec, definition: undefined },
        {
          instanceName: 'requestsize.instance.istio-system',
          fullName: 'istio_request_bytes',
          help: 'request_bytes',
          kind: 'DISTRIBUTION',
          labelNames: ['reporter'],
          buckets: [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8],
          definition: undefined,
        },
      );
    }
  });

  it('names a metric after its instance when it has no name, and sanitises label names', () => {
    const spec = metricSpec(parse({ metrics: [{ instanceName: 'my-count.instance.default', kind: 'GAUGE', description: 'things', labelNames: ['source.app', 'dest-app'] }] }).metrics[0]!);
    assert.equal(spec.fullName, 'istio_mycount_instance_default');
    assert.equal(spec.help, 'things');
    assert.deepEqual(spec.labelNames, ['source_app', 'destapp']);
    assert.equal(spec.buckets, undefined);
  });

  it('reports schema problems with their paths', () => {
    const problems = configProblems(info, { params: { metrics: [{ instance_name: 'x', kind: 'HISTOGRAM', colour: 1 }], port: 70000 } });
    assert.deepEqual([...new Set(problems.map((problem) => problem.field))].sort(), ['params.metrics[0].colour', 'params.metrics[0].kind', 'params.port']);
  });
});

describe('prometheus validation', () => {
  it("checks Istio's expiry rule", () => {
    assert.deepEqual(configProblems(info, { params: { metricsExpirationPolicy: { expiryCheckIntervalDuration: '1m' } } }), [
      { field: 'params.metricsExpirationPolicy.metricsExpiryDuration', message: 'metricsExpiryDuration 0s is invalid, must be > 0' },
    ]);
    assert.deepEqual(configProblems(info, { params: { metricsExpirationPolicy: { metricsExpiryDuration: '-1s' } } }), [
      { field: 'params.metricsExpirationPolicy.metricsExpiryDuration', message: 'metricsExpiryDuration -1s is invalid, must be > 0' },
    ]);
    assert.deepEqual(configProblems(info, { params: { metricsExpirationPolicy: { metricsExpiryDuration: '1m' } } }), [], 'the interval defaults to half the expiry');
    assert.deepEqual(configProblems(info, { params: { metricsExpirationPolicy: { metricsExpiryDuration: '1m', expiryCheckIntervalDuration: '-1s' } } }), [
      { field: 'params.metricsExpirationPolicy.expiryCheckIntervalDuration', message: 'expiryCheckIntervalDuration -1s is invalid, must be >= 0' },
    ]);
  });

  it('requires an instance name and a kind', () => {
    assert.deepEqual(configProblems(info, { params: { metrics: [{ name: 'a', kind: 'COUNTER' }, { instanceName: 'b.instance.ns' }] } }), [
      { field: 'params.metrics[0].instanceName', message: 'instanceName is required' },
      { field: 'params.metrics[1].kind', message: 'unknown metric kind (UNSPECIFIED): must be GAUGE, COUNTER or DISTRIBUTION' },
    ]);
  });

  it('rejects names Prometheus would not register', () => {
    assert.deepEqual(
      configProblems(info, { params: { metrics: [counter({ name: 'a+b', label_names: ['ok', '__reserved', 'a:b', 'ok', 'o-k'] })] } }),
      [
        { field: 'params.metrics[0].name', message: "'istio_a+b' is not a valid Prometheus metric name" },
        { field: 'params.metrics[0].labelNames[1]', message: "'__reserved' is not a valid Prometheus label name" },
        { field: 'params.metrics[0].labelNames[2]', message: "'a:b' is not a valid Prometheus label name" },
        { field: 'params.metrics[0].labelNames[3]', message: "duplicate label name 'ok' (labelNames[0])" },
        { field: 'params.metrics[0].labelNames[4]', message: "duplicate label name 'o-k' (sanitised 'ok') (labelNames[0])" },
      ],
    );
    assert.deepEqual(configProblems(info, { params: { metrics: [counter({ kind: 'DISTRIBUTION', label_names: ['le'] })] } }), [
      { field: 'params.metrics[0].labelNames[0]', message: "'le' is reserved for the bucket bound of a DISTRIBUTION" },
    ]);
    assert.deepEqual(configProblems(info, { params: { metrics: [counter({ label_names: ['le'] })] } }), [], 'le is only reserved for histograms');
  });

  it('rejects buckets Prometheus could not use, only for a DISTRIBUTION', () => {
    const distribution = (buckets: unknown) => ({ metrics: [counter({ kind: 'DISTRIBUTION', buckets })] });
    assert.deepEqual(configProblems(info, { params: distribution({ linear_buckets: { num_finite_buckets: 3, width: 0 } }) }), [
      { field: 'params.metrics[0].buckets.linearBuckets.width', message: 'must be > 0, got 0' },
    ]);
    assert.deepEqual(configProblems(info, { params: distribution({ exponentialBuckets: { numFiniteBuckets: -1, growthFactor: 1, scale: 0 } }) }), [
      { field: 'params.metrics[0].buckets.exponentialBuckets.numFiniteBuckets', message: 'must be >= 0, got -1' },
      { field: 'params.metrics[0].buckets.exponentialBuckets.growthFactor', message: 'must be > 1, got 1' },
      { field: 'params.metrics[0].buckets.exponentialBuckets.scale', message: 'must be > 0, got 0' },
    ]);
    assert.deepEqual(configProblems(info, { params: distribution({ explicitBuckets: { bounds: [1, 3, 2] } }) }), [
      { field: 'params.metrics[0].buckets.explicitBuckets.bounds', message: 'bucket bounds must be strictly increasing, got 3 then 2' },
    ]);
    assert.deepEqual(configProblems(info, { params: distribution({ exponentialBuckets: { numFiniteBuckets: 2000, growthFactor: 10, scale: 1 } }) }), [
      { field: 'params.metrics[0].buckets.exponentialBuckets', message: 'bucket bound Infinity is not a finite number' },
    ]);
    assert.deepEqual(configProblems(info, { params: distribution({ linearBuckets: { numFiniteBuckets: 1, width: 1 }, explicitBuckets: { bounds: [1] } }) }), [
      { field: 'params.metrics[0].buckets', message: 'only one of linearBuckets, exponentialBuckets and explicitBuckets may be set, got linearBuckets and explicitBuckets' },
    ]);
    assert.deepEqual(configProblems(info, { params: distribution({ explicitBuckets: { bounds: [] } }) }), [], 'no bounds: the default buckets');
    assert.deepEqual(configProblems(info, { params: { metrics: [counter({ buckets: { linearBuckets: { numFiniteBuckets: 3, width: 0 } } })] } }), [], 'ignored for a COUNTER');
  });

  it('lets two instances feed one metric only with the same definition, and one instance have one metric', () => {
    const same = { metrics: [counter({ instance_name: 'a.instance.ns' }), counter({ instance_name: 'b.instance.ns' })] };
    assert.deepEqual(configProblems(info, { params: same }), []);
    assert.deepEqual(configProblems(info, { params: { metrics: [counter({ instance_name: 'a.instance.ns' }), counter({ instance_name: 'b.instance.ns', label_names: ['x'] })] } }), [
      { field: 'params.metrics[1].name', message: "metric 'istio_requests_total' is already defined differently by metrics[0]" },
    ]);
    assert.deepEqual(configProblems(info, { params: { metrics: [counter(), counter({ name: 'other_total' })] } }), [
      { field: 'params.metrics[1].instanceName', message: "instance 'requestcount.instance.istio-system' already has a metric (metrics[0])" },
    ]);
  });
});
