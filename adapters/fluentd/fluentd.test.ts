import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import { ValueType } from '../../core/attribute/value-type.js';
import type { LogEntryInstance } from '../../templates/definitions.js';
import type { InstanceValue } from '../../templates/template.js';
import { buildForTest, configProblems, ManualEnvironment } from '../sdk/testing/index.js';
import type { FluentdHandler } from './handler.js';
import { fluentd } from './index.js';
import { ForwardReceiver } from './testing/forward-receiver.js';

// Fluentd cannot be installed here. These tests run the adapter's real fluent-logger client
// against ForwardReceiver, a forward-protocol server written for the tests that decodes the
// frames actually sent over TCP. Buffer timers run on a ManualEnvironment clock.

const info = fluentd.info;
const INSTANCE = 'accesslog.instance.istio-system';

function logEntry(variables: Record<string, InstanceValue>, overrides: Partial<LogEntryInstance> = {}): LogEntryInstance {
  return {
    name: INSTANCE,
    variables,
    timestamp: Timestamp.parse('2019-05-06T07:08:09.123456789Z'),
    severity: 'info',
    monitoredResourceType: undefined,
    monitoredResourceDimensions: {},
    ...overrides,
  };
}

const open: Array<{ receiver: ForwardReceiver; handler: FluentdHandler; env: ManualEnvironment }> = [];
afterEach(async () => {
  for (const { receiver, handler, env } of open.splice(0)) {
    await receiver.stop();
    await handler.close();
    env.close();
  }
});

async function setup(params: Record<string, unknown> = {}, receiverOptions: { answerAcks?: boolean } = {}) {
  const receiver = await ForwardReceiver.start(receiverOptions);
  const env = new ManualEnvironment();
  const { handler } = await buildForTest(info, env, { params: { address: receiver.address, pushTimeoutDuration: '2s', ...params } });
  const fluentdHandler = handler as FluentdHandler;
  open.push({ receiver, handler: fluentdHandler, env });
  return { receiver, env, handler: fluentdHandler };
}

describe('fluentd params', () => {
  it("has Istio's defaults and accepts snake_case", () => {
    const parsed = info.params.parse({});
    assert.ok(parsed.ok);
    assert.equal(parsed.value.address, 'localhost:24224');
    assert.equal(parsed.value.integerDuration, false);
    assert.equal(parsed.value.instanceBufferSize, 1024);
    assert.equal(parsed.value.maxBatchSizeBytes, 8 * 1024 * 1024);
    assert.equal(parsed.value.pushIntervalDuration.toString(), '1m0s');
    assert.equal(parsed.value.pushTimeoutDuration.toString(), '1m0s');
    assert.equal(parsed.value.eventMode, 'PackedForward');
    const snake = info.params.parse({ integer_duration: true, instance_buffer_size: 5, push_interval_duration: '5s', require_ack_response: true });
    assert.ok(snake.ok);
    assert.deepEqual([snake.value.integerDuration, snake.value.instanceBufferSize, snake.value.pushIntervalDuration.toString(), snake.value.requireAckResponse], [true, 5, '5s', true]);
  });

  it("validates the address with Istio's messages, and the durations", () => {
    assert.deepEqual(configProblems(info, { params: { address: '' } }), [{ field: 'params.address', message: 'Address is empty' }]);
    assert.deepEqual(configProblems(info, { params: { address: 'fluentd' } }), [
      { field: 'params.address', message: 'Address is malformed: missing port in address "fluentd"' },
    ]);
    assert.equal(configProblems(info, { params: { address: 'fluentd:http' } })[0]?.message, 'Address is malformed: invalid port "http"');
    assert.deepEqual(configProblems(info, { params: { address: '[::1]:24224' } }), []);
    assert.deepEqual(
      configProblems(info, { params: { pushIntervalDuration: '0s', initialBackoffDuration: '2m' } }).map((problem) => problem.field),
      ['params.pushIntervalDuration', 'params.maxBackoffDuration'],
    );
  });

  it('reports schema problems with their paths', () => {
    const problems = configProblems(info, { params: { instanceBufferSize: 0, pushIntervalDuration: 'soon', eventMode: 'Bulk', colour: 1 } });
    assert.deepEqual([...new Set(problems.map((problem) => problem.field))].sort(), [
      'params.colour', 'params.eventMode', 'params.instanceBufferSize', 'params.pushIntervalDuration',
    ]);
  });

  it('refuses a tag variable that is not a string', () => {
    const instances = [{ name: INSTANCE, template: 'logentry' as const, types: { variables: { tag: ValueType.INT64 } } }];
    assert.deepEqual(configProblems(info, { instances }), [
      { field: `instances.${INSTANCE}.variables.tag`, message: 'the tag variable must be a STRING, got INT64' },
    ]);
  });
});

describe('fluentd delivery to a forward receiver', () => {
  it('sends each entry with the instance name as tag, the entry time and the variables plus severity', async () => {
    const { receiver, handler } = await setup();
    handler.handleLogEntry([
      logEntry({
        path: '/a',
        code: 200,
        big: 9007199254740993n,
        ratio: 0.25,
        ok: true,
        latency: Duration.parse('1.5s'),
        sourceIp: IpAddress.parse('10.1.2.3'),
        at: Timestamp.parse('2019-05-06T07:08:09.5Z'),
        headers: StringMap.fromObject({ 'x-a': '1' }),
        raw: new Uint8Array([1, 2, 3]),
        missing: undefined,
      }),
    ]);
    await handler.flush();
    const [event] = await receiver.waitForEvents(1);
    assert.equal(event?.tag, INSTANCE);
    assert.deepEqual(event?.time, { seconds: Timestamp.parse('2019-05-06T07:08:09Z').seconds, nanos: 0, eventTime: false });
    assert.deepEqual(event?.record, {
      path: '/a',
      code: 200,
      big: '9007199254740993',
      ratio: 0.25,
      ok: true,
      latency: '1.5s',
      sourceIp: '10.1.2.3',
      at: '2019-05-06T07:08:09.5Z',
      headers: { 'x-a': '1' },
      raw: Buffer.from([1, 2, 3]),
      severity: 'info',
    });
    assert.equal(event?.mode, 'PackedForward');
    assert.equal(handler.stats.sent, 1);
  });

  it('uses the tag variable as tag (adding the instance name as name), integer durations and sub-second times when asked', async () => {
    const { receiver, env, handler } = await setup({ integerDuration: true, subSecondPrecision: true });
    handler.handleLogEntry([
      logEntry({ tag: 'istio.access', latency: Duration.parse('1.5s') }),
      logEntry({ n: 2 }, { timestamp: undefined, severity: undefined }),
    ]);
    await handler.flush();
    const events = await receiver.waitForEvents(2);
    const byTag = new Map(events.map((event) => [event.tag, event]));
    assert.deepEqual(byTag.get('istio.access')?.record, { latency: 1500, severity: 'info', name: INSTANCE });
    assert.deepEqual(byTag.get('istio.access')?.time, { seconds: Timestamp.parse('2019-05-06T07:08:09Z').seconds, nanos: 123456789, eventTime: true });
    assert.deepEqual(byTag.get(INSTANCE)?.record, { n: 2, severity: '' });
    assert.deepEqual(byTag.get(INSTANCE)?.time, { seconds: env.now() / 1000, nanos: 0, eventTime: true });
  });

  for (const eventMode of ['Message', 'PackedForward', 'CompressedPackedForward'] as const) {
    it(`delivers a batch in ${eventMode} mode, in order`, async () => {
      const { receiver, handler } = await setup({ eventMode });
      handler.handleLogEntry([1, 2, 3].map((n) => logEntry({ n })));
      await handler.flush();
      const events = await receiver.waitForEvents(3);
      assert.deepEqual(events.map((event) => [event.mode, event.record['n']]), [[eventMode, 1], [eventMode, 2], [eventMode, 3]]);
      assert.equal(receiver.frames.length, eventMode === 'Message' ? 3 : 1);
    });
  }

  it('waits for the push interval, or sends at once when maxBatchSizeBytes are buffered', async () => {
    const { receiver, env, handler } = await setup({ pushIntervalDuration: '10s', maxBatchSizeBytes: 2000 });
    handler.handleLogEntry([logEntry({ n: 1 })]);
    await env.advance(9999);
    assert.equal(handler.stats.sent, 0);
    await env.advance(1);
    await receiver.waitForEvents(1);
    handler.handleLogEntry([logEntry({ blob: 'x'.repeat(3000) })]);
    await receiver.waitForEvents(2);
    assert.equal(receiver.events[1]?.record['blob'], 'x'.repeat(3000));
  });

  it('with requireAckResponse, counts an entry as sent only once acked, and retries what was not acked', async () => {
    const { receiver, env, handler } = await setup({ requireAckResponse: true, eventMode: 'Message', pushTimeoutDuration: '300ms' }, { answerAcks: false });
    handler.handleLogEntry([logEntry({ n: 1 })]);
    const delivery = handler.flush();
    await receiver.waitForEvents(1);
    assert.ok(receiver.frames[0]?.chunk !== undefined);
    await env.advance(300);
    await delivery;
    assert.equal(handler.stats.sent, 0);
    assert.equal(handler.stats.retried, 1);
    receiver.answerAcks = true;
    await env.advance(1000);
    await handler.flush();
    await receiver.waitForEvents(2);
    assert.equal(handler.stats.sent, 1);
    assert.deepEqual(receiver.events.map((event) => event.record['n']), [1, 1]);
  });

  it('keeps entries while the receiver is down (dropping the oldest beyond the buffer) and delivers them once it is up', async () => {
    const { receiver, env, handler } = await setup({ instanceBufferSize: 3, eventMode: 'Message' });
    await receiver.stop();
    for (let n = 1; n <= 5; n++) {
      const returned: unknown = handler.handleLogEntry([logEntry({ n })]);
      assert.equal(returned, undefined, 'handleLogEntry returns at once, without waiting on the network');
    }
    await handler.flush();
    assert.equal(handler.stats.retried, 3, 'the failed delivery is queued for a retry');
    assert.equal(handler.buffered, 3);
    assert.equal(handler.stats.dropped.buffer_full, 2);
    await receiver.listen();
    await env.advance(1000);
    await handler.flush();
    const events = await receiver.waitForEvents(3);
    assert.deepEqual(events.map((event) => event.record['n']), [3, 4, 5]);
    assert.equal(handler.stats.sent, 3);
    const metric = await env.metrics.getSingleMetricAsString('mixer_adapter_fluentd_entries_dropped_total');
    assert.match(metric, /reason="buffer_full"} 2$/m);
  });

  it('backs off exponentially while the receiver stays down', async () => {
    const { receiver, env, handler } = await setup({ initialBackoffDuration: '100ms', maxBackoffDuration: '250ms' });
    await receiver.stop();
    handler.handleLogEntry([logEntry({ n: 1 })]);
    await handler.flush();
    const attempts = async (): Promise<number> => {
      await handler.flush();
      return handler.stats.retried;
    };
    assert.equal(await attempts(), 1);
    await env.advance(99);
    assert.equal(await attempts(), 1);
    await env.advance(1);
    assert.equal(await attempts(), 2);
    await env.advance(200);
    assert.equal(await attempts(), 3);
    await env.advance(250);
    assert.equal(await attempts(), 4);
  });

  it('with acks, delivers every entry at least once when the receiver goes down mid-stream and comes back', async () => {
    const { receiver, env, handler } = await setup({ requireAckResponse: true, eventMode: 'Message', initialBackoffDuration: '10ms' });
    handler.handleLogEntry([logEntry({ n: 1 })]);
    await handler.flush();
    await receiver.waitForEvents(1);
    handler.handleLogEntry(Array.from({ length: 50 }, (_, index) => logEntry({ n: index + 2 })));
    const delivery = handler.flush();
    await receiver.waitForEvents(3);
    await receiver.stop();
    await delivery;
    await receiver.listen();
    for (let round = 0; round < 50 && handler.stats.sent < 51; round++) {
      await env.advance(1000);
      await handler.flush();
    }
    assert.equal(handler.stats.sent, 51);
    const numbers = new Set(receiver.events.map((event) => event.record['n']));
    assert.equal(numbers.size, 51, 'every entry arrived at least once');
    assert.ok(receiver.accepted >= 2, 'a new connection was opened');
  });

  it('without acks, notices a connection the receiver closed and delivers later entries on a new one', async () => {
    const { receiver, env, handler } = await setup({ eventMode: 'Message', initialBackoffDuration: '10ms' });
    handler.handleLogEntry([logEntry({ n: 1 })]);
    await handler.flush();
    await receiver.waitForEvents(1);
    await receiver.stop();
    await receiver.listen();
    // Entries written before the client sees the close are lost: the forward protocol without acks is at most once.
    for (let n = 2; receiver.events.length < 2 && n < 200; n++) {
      handler.handleLogEntry([logEntry({ n })]);
      await env.advance(1000);
      await handler.flush();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(receiver.events.length, 2);
    assert.equal(receiver.accepted, 2);
  });

  it('flushes what is buffered on close', async () => {
    const { receiver, handler } = await setup();
    handler.handleLogEntry([logEntry({ n: 1 }), logEntry({ n: 2 })]);
    await handler.close();
    const events = await receiver.waitForEvents(2);
    assert.deepEqual(events.map((event) => event.record['n']), [1, 2]);
  });
});
