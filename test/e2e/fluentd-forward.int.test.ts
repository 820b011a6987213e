import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { ForwardReceiver } from '../../adapters/fluentd/testing/forward-receiver.js';
import { conformanceDirectory } from '../support/conformance.js';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// Fluentd cannot be installed here: a real Mixer (in-process, real HTTP Report API, real
// fluentd adapter and fluent-logger client) delivers to ForwardReceiver, a forward-protocol
// TCP server written for the tests that decodes the frames actually sent.

const ISTIO_FLUENTD_CONFIG = 'istio-config/bookinfo-telemetry-1.4/fluentd-istio.yaml';

/** Istio's bookinfo fluentd config with the address pointed at the receiver and a short push interval. */
function istioFluentdConfig(context: TestContext, address: string): string | undefined {
  const path = join(conformanceDirectory(), ISTIO_FLUENTD_CONFIG);
  if (!existsSync(path)) {
    if (process.env['CI'] === 'true') throw new Error(`conformance data missing under CI: ${path}`);
    context.skip(`conformance data not found at ${path}`);
    return undefined;
  }
  const yaml = readFileSync(path, 'utf8');
  const pointed = yaml.replace('address: "fluentd-es.logging:24224"', `address: "${address}"\n    pushIntervalDuration: 20ms`);
  assert.notEqual(pointed, yaml, 'the address line of the Istio config was found');
  return pointed;
}

async function metricsText(mixer: RunningMixer): Promise<string> {
  const response = await fetch(`${mixer.monitoringUrl}/metrics`);
  return response.text();
}

describe("fluentd end to end with Istio's bookinfo fluentd config", () => {
  let receiver: ForwardReceiver;
  let mixer: RunningMixer | undefined;
  before(async () => {
    receiver = await ForwardReceiver.start();
  });
  after(async () => {
    await mixer?.close();
    await receiver.stop();
  });

  test('a reported request arrives as a newlog event with the rule, instance and handler of the Istio config', async (context) => {
    const config = istioFluentdConfig(context, receiver.address);
    if (config === undefined) return;
    mixer = await startMixer({ 'fluentd-istio.yaml': config });
    const { status } = await mixer.report([
      {
        'request.time': '2026-11-25T10:00:00.250Z',
        'source.labels': { app: 'productpage' },
        'source.user': 'cluster.local/ns/default/sa/bookinfo-productpage',
        'destination.workload.name': 'reviews-v1',
        'response.code': 200,
        'response.size': 1234,
        'response.duration': '15ms',
      },
      { 'request.time': '2026-11-25T10:00:01Z' },
    ]);
    assert.equal(status, 200);
    const events = await receiver.waitForEvents(2);
    assert.deepEqual(
      events.map((event) => event.tag),
      ['newlog.instance.istio-system', 'newlog.instance.istio-system'],
    );
    assert.deepEqual(events[0]?.record, {
      source: 'productpage',
      user: 'cluster.local/ns/default/sa/bookinfo-productpage',
      destination: 'reviews-v1',
      responseCode: 200,
      responseSize: 1234,
      latency: '15ms',
      severity: 'info',
    });
    assert.equal(events[0]?.time.seconds, Date.UTC(2026, 10, 25, 10, 0, 0) / 1000);
    assert.deepEqual(events[1]?.record, { source: 'unknown', user: 'unknown', destination: 'unknown', responseCode: 0, responseSize: 0, latency: '0s', severity: 'info' });
    await eventually(async () => /mixer_adapter_fluentd_entries_sent_total\{[^}]*handler="handler\.handler\.istio-system"[^}]*\} 2$/m.test(await metricsText(mixer!)), 5000, 'the sent counter on /metrics');
  });
});

describe('fluentd end to end while the receiver is down', () => {
  let receiver: ForwardReceiver;
  let mixer: RunningMixer;
  before(async () => {
    receiver = await ForwardReceiver.start();
    await receiver.stop();
    mixer = await startMixer({
      'fluentd.yaml': [
        resource(
          'handler',
          'forward',
          `compiledAdapter: fluentd\nparams:\n  address: "${receiver.address}"\n  instanceBufferSize: 3\n  pushIntervalDuration: 20ms\n  initialBackoffDuration: 50ms\n  maxBackoffDuration: 100ms\n  eventMode: Message`,
        ),
        resource('instance', 'accesslog', 'compiledTemplate: logentry\nparams:\n  severity: \'"info"\'\n  timestamp: request.time\n  variables:\n    path: request.path | "/"\n    tag: \'"istio.access"\''),
        resource('rule', 'tofluentd', 'match: "true"\nactions:\n- handler: forward\n  instances: [ accesslog ]'),
      ].join(''),
    });
  });
  after(async () => {
    await mixer.close();
    await receiver.stop();
  });

  test('Report answers at once; the newest entries are delivered once the receiver is up, the oldest dropped and counted', async () => {
    for (let index = 1; index <= 5; index++) {
      const { status } = await mixer.report([{ 'request.path': `/r${index}`, 'request.time': '2026-11-25T10:00:00Z' }]);
      assert.equal(status, 200);
    }
    await eventually(async () => /mixer_adapter_fluentd_entries_dropped_total\{[^}]*reason="buffer_full"[^}]*\} 2$/m.test(await metricsText(mixer)), 5000, 'two entries dropped');
    await receiver.listen();
    const events = await receiver.waitForEvents(3);
    assert.deepEqual(events.map((event) => [event.tag, event.record['path'], event.record['name']]), [
      ['istio.access', '/r3', 'accesslog.instance.istio-system'],
      ['istio.access', '/r4', 'accesslog.instance.istio-system'],
      ['istio.access', '/r5', 'accesslog.instance.istio-system'],
    ]);
    assert.match(await metricsText(mixer), /mixer_adapter_fluentd_entries_retried_total\{[^}]*\} [1-9]/m);
  });
});

describe('fluentd end to end with a receiver that never acknowledges', () => {
  let receiver: ForwardReceiver;
  let mixer: RunningMixer;
  before(async () => {
    receiver = await ForwardReceiver.start({ answerAcks: false });
    mixer = await startMixer({
      'fluentd.yaml': [
        resource(
          'handler',
          'forward',
          `compiledAdapter: fluentd\nparams:\n  address: "${receiver.address}"\n  pushIntervalDuration: 20ms\n  pushTimeoutDuration: 1h\n  requireAckResponse: true\n  eventMode: Message`,
        ),
        resource('instance', 'accesslog', 'compiledTemplate: logentry\nparams:\n  severity: \'"info"\'\n  variables:\n    path: request.path | "/"'),
        resource('rule', 'tofluentd', 'match: "true"\nactions:\n- handler: forward\n  instances: [ accesslog ]'),
      ].join(''),
    });
  });
  after(async () => {
    await mixer.close();
    await receiver.stop();
  });

  test('Report answers while a delivery waits for its ack', async () => {
    assert.equal((await mixer.report([{ 'request.path': '/first' }])).status, 200);
    await receiver.waitForEvents(1);
    assert.ok(receiver.frames[0]?.chunk !== undefined, 'the frame asks for an ack');
    // The delivery of /first is still waiting for its ack; these Reports must not wait for it.
    for (const path of ['/second', '/third']) assert.equal((await mixer.report([{ 'request.path': path }])).status, 200);
    assert.equal(receiver.events.length, 1, 'nothing else was sent while the ack is outstanding');
    assert.doesNotMatch(await metricsText(mixer), /mixer_adapter_fluentd_entries_sent_total\{[^}]*\} [1-9]/m);
    assert.match(await metricsText(mixer), /mixer_adapter_fluentd_buffered_entries\{[^}]*\} 2$/m);
  });
});
