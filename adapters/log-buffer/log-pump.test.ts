import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { ManualEnvironment } from '../sdk/testing/manual-environment.js';
import type { BatchSink, SendOutcome } from './batch-sink.js';
import type { Sized } from './bounded-queue.js';
import { LogPump, type LogPumpOptions } from './log-pump.js';
import { PumpMetrics } from './pump-metrics.js';

type Entry = Sized<string>;
type Answer = (batch: readonly Entry[], signal: AbortSignal) => Promise<SendOutcome<Entry>> | SendOutcome<Entry>;

/**
 * A BatchSink whose answers the test scripts (a stand-in for the network endpoints, which the
 * fluentd and elasticsearch tests cover for real). Records every batch it was given.
 */
class ScriptedSink implements BatchSink<Entry> {
  readonly batches: string[][] = [];
  closed = false;
  answer: Answer = () => ({ retry: [], rejected: 0 });

  send(batch: readonly Entry[], signal: AbortSignal): Promise<SendOutcome<Entry>> {
    this.batches.push(batch.map((entry) => entry.value));
    return Promise.resolve(this.answer(batch, signal));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

const OPTIONS: LogPumpOptions = {
  adapter: 'test',
  maxBufferedEntries: 5,
  maxBatchEntries: 3,
  maxBatchBytes: 100,
  pushIntervalMs: 1000,
  pushTimeoutMs: 500,
  backoff: { initialMs: 100, maxMs: 400 },
};

function setup(options: Partial<LogPumpOptions> = {}) {
  const logs: Array<{ msg: string; dropped?: number; entries?: number }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line) as { msg: string }) });
  const env = new ManualEnvironment({ logger });
  const sink = new ScriptedSink();
  const metrics = new PumpMetrics(env.metrics, 'test');
  const pump = new LogPump<string>({ ...OPTIONS, ...options }, sink, env, metrics);
  const offer = (...values: string[]): void => pump.offer(values.map((value) => ({ value, bytes: value.length })));
  /** Moves the clock, then waits for the deliveries that started to finish. */
  const step = async (ms: number): Promise<void> => {
    await env.advance(ms);
    await pump.settled();
  };
  return { env, sink, metrics, pump, offer, logs, step };
}

const down: Answer = (batch) => ({ retry: batch, rejected: 0, error: new Error('connection refused') });

describe('LogPump', () => {
  it('buffers entries until the push interval, then sends them in batches', async () => {
    const { sink, metrics, offer, step } = setup({ maxBatchEntries: 10 });
    offer('a', 'b');
    offer('c');
    await step(999);
    assert.deepEqual(sink.batches, []);
    await step(1);
    assert.deepEqual(sink.batches, [['a', 'b', 'c']]);
    assert.equal(metrics.totals.sent, 3);
  });

  it('sends as soon as a full batch (by count or bytes) is waiting', async () => {
    const { pump, sink, offer } = setup({ maxBatchBytes: 10 });
    offer('a', 'b');
    assert.deepEqual(sink.batches, []);
    offer('c', 'd');
    await pump.flush();
    assert.deepEqual(sink.batches, [['a', 'b', 'c'], ['d']]);
    offer('0123456789');
    await pump.flush();
    assert.deepEqual(sink.batches.at(-1), ['0123456789']);
  });

  it('never waits on the sink: offer returns while a delivery hangs', async () => {
    const { sink, pump, offer, step } = setup();
    sink.answer = (batch, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ retry: batch, rejected: 0 })));
    offer('a', 'b', 'c');
    assert.equal(sink.batches.length, 1);
    const returned: unknown = pump.offer([{ value: 'd', bytes: 1 }]);
    assert.equal(returned, undefined);
    assert.equal(pump.buffered, 1);
    await step(500);
    assert.equal(pump.buffered, 4);
    assert.equal(pump.backingOff, true);
  });

  it('retries failed batches with exponential backoff, in order, until they are delivered', async () => {
    const { sink, metrics, offer, logs, step } = setup();
    sink.answer = down;
    offer('a', 'b');
    await step(1000);
    assert.equal(sink.batches.length, 1);
    await step(99);
    assert.equal(sink.batches.length, 1);
    await step(1);
    assert.equal(sink.batches.length, 2);
    await step(200);
    assert.equal(sink.batches.length, 3);
    offer('c');
    sink.answer = () => ({ retry: [], rejected: 0 });
    await step(400);
    assert.deepEqual(sink.batches.at(-1), ['a', 'b', 'c']);
    assert.equal(metrics.totals.sent, 3);
    assert.equal(metrics.totals.retried, 6);
    assert.equal(logs.filter((line) => line.msg.startsWith('log delivery failed')).length, 3);
    assert.equal(logs.filter((line) => line.msg === 'log endpoint accepts entries again').length, 1);
  });

  it('re-sends only what the sink could not deliver', async () => {
    const { sink, metrics, offer, step } = setup();
    sink.answer = (batch) => ({ retry: batch.slice(1), rejected: 0, error: new Error('cut') });
    offer('a', 'b', 'c');
    await step(1);
    sink.answer = () => ({ retry: [], rejected: 0 });
    await step(100);
    assert.deepEqual(sink.batches, [['a', 'b', 'c'], ['b', 'c']]);
    assert.equal(metrics.totals.sent, 3);
  });

  it('drops the oldest entries when the buffer is full, counting them with one log line per interval', async () => {
    const { env, sink, metrics, pump, offer, logs, step } = setup({ maxBatchEntries: 100 });
    sink.answer = down;
    for (let index = 0; index < 20; index++) offer(`e${index}`);
    assert.equal(pump.buffered, 5);
    assert.equal(metrics.totals.dropped.buffer_full, 15);
    const dropLines = () => logs.filter((line) => line.msg.startsWith('log buffer full'));
    assert.equal(dropLines().length, 1);
    await step(1000);
    assert.equal(dropLines().length, 2);
    assert.equal(dropLines().reduce((total, line) => total + (line.dropped ?? 0), 0), 15);
    sink.answer = () => ({ retry: [], rejected: 0 });
    await step(100);
    assert.deepEqual(sink.batches.at(-1), ['e15', 'e16', 'e17', 'e18', 'e19']);
    assert.match(await env.metrics.getSingleMetricAsString('mixer_adapter_test_entries_dropped_total'), /reason="buffer_full"} 15$/m);
  });

  it('drops rejected entries with a counter instead of retrying them', async () => {
    const { sink, metrics, offer, step } = setup();
    sink.answer = (batch) => ({ retry: [], rejected: batch.length - 1, error: new Error('mapper_parsing_exception') });
    offer('a', 'b', 'c');
    await step(1000);
    assert.equal(sink.batches.length, 1);
    assert.deepEqual(metrics.totals, { sent: 1, retried: 0, dropped: { buffer_full: 0, rejected: 2, closed: 0 } });
  });

  it('abandons a delivery after the push timeout and retries it', async () => {
    const { env, sink, offer, step } = setup();
    let aborted = 0;
    sink.answer = (batch, signal) =>
      new Promise((resolve) =>
        signal.addEventListener('abort', () => {
          aborted++;
          resolve({ retry: batch, rejected: 0, error: signal.reason as Error });
        }),
      );
    offer('a');
    await env.advance(1000);
    await env.advance(499);
    assert.equal(aborted, 0);
    await step(1);
    assert.equal(aborted, 1);
    sink.answer = () => ({ retry: [], rejected: 0 });
    await step(100);
    assert.deepEqual(sink.batches, [['a'], ['a']]);
  });

  it('retries (rather than loses) a batch when the sink throws', async () => {
    const { sink, metrics, offer, step } = setup();
    sink.answer = () => {
      throw new Error('bug');
    };
    offer('a');
    await step(1000);
    sink.answer = () => ({ retry: [], rejected: 0 });
    await step(100);
    assert.equal(metrics.totals.sent, 1);
  });

  it('flushes on close and closes the sink; later offers are dropped as closed', async () => {
    const { env, sink, metrics, pump, offer } = setup();
    offer('a', 'b');
    const closing = pump.close();
    assert.equal(pump.close(), closing, 'closing twice is closing once');
    await closing;
    assert.deepEqual(sink.batches, [['a', 'b']]);
    assert.equal(sink.closed, true);
    assert.equal(env.pendingTimers, 0);
    offer('c');
    assert.equal(metrics.totals.dropped.closed, 1);
  });

  it('does not wait for a failing endpoint on close: what is left is dropped as closed', async () => {
    const { env, sink, metrics, pump, offer, step } = setup();
    sink.answer = down;
    offer('a', 'b');
    await step(1000);
    await pump.close();
    assert.equal(sink.batches.length, 1);
    assert.equal(metrics.totals.dropped.closed, 2);
    assert.equal(env.pendingTimers, 0);
  });

  it('gives up on a hanging delivery after min(push timeout, 5s) when closing', async () => {
    const { env, sink, metrics, pump, offer } = setup({ pushTimeoutMs: 60_000 });
    sink.answer = (batch, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ retry: batch, rejected: 0 })));
    offer('a', 'b', 'c');
    let closed = false;
    const closing = pump.close().then(() => (closed = true));
    await env.advance(4999);
    assert.equal(closed, false);
    await env.advance(1);
    await closing;
    assert.equal(sink.closed, true);
    assert.equal(metrics.totals.dropped.closed, 3);
    assert.equal(env.pendingTimers, 0);
  });
});
