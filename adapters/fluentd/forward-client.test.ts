import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { Sized } from '../log-buffer/bounded-queue.js';
import type { FluentEvent, RecordValue } from './fluent-event.js';
import { ForwardClient, ForwardDeliveryError } from './forward-client.js';
import { ForwardReceiver } from './testing/forward-receiver.js';

// Runs the real fluent-logger client against ForwardReceiver, the forward-protocol server
// written for the tests (Fluentd cannot be installed here).

function event(n: number, extra: Record<string, unknown> = {}): Sized<FluentEvent> {
  const record = { n, ...extra } as Record<string, RecordValue>;
  return { value: { tag: 'test.tag', time: Timestamp.parse('2020-01-01T00:00:00Z'), record }, bytes: 10 };
}

describe('ForwardClient', () => {
  let receiver: ForwardReceiver;
  let client: ForwardClient;
  before(async () => {
    receiver = await ForwardReceiver.start();
    client = new ForwardClient(
      { endpoint: { host: '127.0.0.1', port: receiver.port }, eventMode: 'Message', requireAckResponse: false, subSecondPrecision: false, ackTimeoutMs: 1000, maxBatchBytes: 1 << 20 },
      pino({ level: 'silent' }),
    );
  });
  after(async () => {
    await client.close();
    await receiver.stop();
  });

  it('refuses for good an event fluent-logger cannot encode, and delivers the rest of the batch', async () => {
    // A bigint reaches the record only through a bug (fluent-event converts them); msgpack-lite throws on it.
    const outcome = await client.send([event(1), event(2, { bad: 5n }), event(3)], new AbortController().signal);
    assert.equal(outcome.rejected, 1);
    assert.deepEqual(outcome.retry, []);
    assert.ok(outcome.error instanceof ForwardDeliveryError);
    assert.match(outcome.error.message, /Unsupported type "bigint"/);
    const events = await receiver.waitForEvents(2);
    assert.deepEqual(events.map((received) => received.record['n']), [1, 3]);
  });

  it('returns the whole batch for a retry when the delivery is aborted before it starts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('push timeout'));
    const batch = [event(7)];
    const outcome = await client.send(batch, controller.signal);
    assert.deepEqual(outcome.retry, batch);
    assert.match(outcome.error?.message ?? '', /abandoned: push timeout/);
  });
});
