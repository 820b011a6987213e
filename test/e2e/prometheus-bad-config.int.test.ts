import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';

import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// Bad prometheus config in a running Mixer: a config problem is rejected with file, line, field
// and reason while the previous config keeps serving; a port that cannot be listened on is a
// handler failure Mixer reports, not a crash.

function telemetry(params: string[]): string {
  return [
    resource('handler', 'prometheus', ['compiledAdapter: prometheus', 'params:', '  address: 127.0.0.1', ...params].join('\n')),
    resource('instance', 'requestcount', 'compiledTemplate: metric\nparams:\n  value: "1"\n  dimensions:\n    destination_app: destination.labels["app"] | "unknown"'),
    resource('rule', 'promhttp', 'match: context.protocol == "http"\nactions:\n- handler: prometheus\n  instances: [ requestcount ]'),
  ].join('');
}

const GOOD = telemetry(['  port: 0', '  metrics:', '  - name: requests_total', '    instance_name: requestcount.instance.istio-system', '    kind: COUNTER', '    label_names: [ destination_app ]']);

interface DebugConfig {
  readonly active: { readonly id: number; readonly handlerFailures: readonly string[] } | null;
  readonly lastRejected: { readonly errors: readonly string[] } | null;
}

async function debugConfig(mixer: RunningMixer): Promise<DebugConfig> {
  return (await mixer.getMonitoring('/debug/config')).body as unknown as DebugConfig;
}

describe('prometheus adapter given bad config', () => {
  test('problems are rejected with file, line, field and reason; the previous config keeps serving', async () => {
    const mixer = await startMixer({ 'telemetry.yaml': GOOD });
    try {
      const before = (await debugConfig(mixer)).active?.id;
      await mixer.writeConfig(
        'telemetry.yaml',
        telemetry([
          '  port: 0',
          '  metricsExpirationPolicy: { metricsExpiryDuration: 0s }',
          '  metrics:',
          '  - name: requests-total',
          '    instance_name: requestcount.instance.istio-system',
          '    kind: DISTRIBUTION',
          '    label_names: [ le ]',
          '    buckets: { exponentialBuckets: { numFiniteBuckets: 3, scale: 1, growthFactor: 1 } }',
        ]),
      );
      await eventually(async () => (await debugConfig(mixer)).lastRejected !== null, 10_000, 'the change to be rejected');
      const debug = await debugConfig(mixer);
      assert.equal(debug.active?.id, before, 'the active config did not change');
      const errors = debug.lastRejected?.errors ?? [];
      // Each at the line of the offending field (the handler document starts at line 1).
      const expected = [
        "telemetry.yaml:11: handler/istio-system/prometheus: spec.params.metricsExpirationPolicy.metricsExpiryDuration: metricsExpiryDuration 0s is invalid, must be > 0",
        "telemetry.yaml:16: handler/istio-system/prometheus: spec.params.metrics[0].labelNames[0]: 'le' is reserved for the bucket bound of a DISTRIBUTION",
        'telemetry.yaml:17: handler/istio-system/prometheus: spec.params.metrics[0].buckets.exponentialBuckets.growthFactor: must be > 1, got 1',
      ];
      const handlerErrors = errors.filter((error) => error.includes('handler/istio-system/prometheus')).map((error) => error.slice(error.lastIndexOf('/telemetry.yaml:') + 1));
      assert.deepEqual(handlerErrors, expected, errors.join('\n'));
      // The previous handler still records.
      assert.equal((await mixer.report([{ 'context.protocol': 'http', 'destination.labels': { app: 'reviews' } }])).status, 200);
    } finally {
      await mixer.close();
    }
  });

  test('a port already in use is a handler failure Mixer reports; requests still succeed, and a free port heals it', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const taken = (blocker.address() as { port: number }).port;
    const mixer = await startMixer({ 'telemetry.yaml': telemetry([`  port: ${taken}`, '  metrics:', '  - name: requests_total', '    instance_name: requestcount.instance.istio-system', '    kind: COUNTER', '    label_names: [ destination_app ]']) });
    try {
      const failures = (await debugConfig(mixer)).active?.handlerFailures ?? [];
      assert.equal(failures.length, 1, failures.join('\n'));
      assert.match(failures[0]!, new RegExp(`^prometheus\\.handler\\.istio-system \\(prometheus\\): could not start prometheus metrics server on 127\\.0\\.0\\.1:${taken}: .*EADDRINUSE`));
      assert.equal((await mixer.report([{ 'context.protocol': 'http', 'destination.labels': { app: 'reviews' } }])).status, 200, 'reports are still answered');

      const before = (await debugConfig(mixer)).active?.id ?? 0;
      await mixer.writeConfig('telemetry.yaml', GOOD);
      await eventually(async () => ((await debugConfig(mixer)).active?.id ?? 0) > before, 10_000, 'the fixed config to serve');
      assert.deepEqual((await debugConfig(mixer)).active?.handlerFailures, []);
    } finally {
      await mixer.close();
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
