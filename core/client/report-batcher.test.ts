import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AttributeBag } from '../attribute/bag.js';
import { ChildBag } from '../attribute/child-bag.js';
import { TrackingBag } from '../attribute/tracking-bag.js';
import { RpcCode } from '../status/rpc-code.js';
import { bag, scriptedClient } from './testing/client-fixture.js';
import { connectionRefused, unavailable } from './testing/scripted-transport.js';
import { silentLogger } from './client-logger.js';
import { DEFAULT_REPORT } from './client-options.js';
import { ReportBatcher } from './report-batcher.js';
import { ManualClock } from './testing/manual-clock.js';
import { TransportError, type ReportBatchBuilder } from './transport.js';

// Report batching (§4.4) against a scripted transport standing in for Mixer; time is manual.

const entry = (index: number) => bag({ 'request.path': `/${index}` });
const paths = (batches: readonly (readonly AttributeBag[])[]) => batches.map((batch) => batch.map((attributes) => attributes.get('request.path')));

describe('report batching', () => {
  test('a batch goes out when it reaches maxBatchEntries', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 3 } });
    for (let index = 0; index < 7; index++) client.report(entry(index));
    await clock.advance(0);
    assert.deepEqual(paths(transport.reports), [
      ['/0', '/1', '/2'],
      ['/3', '/4', '/5'],
    ]);
    assert.equal(client.statistics().report.buffered, 1);
  });

  test('the first entry of a batch starts a one-shot maxBatchTimeMs timer', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchTimeMs: 1000 } });
    client.report(entry(0));
    await clock.advance(500);
    client.report(entry(1));
    await clock.advance(499);
    assert.equal(transport.reports.length, 0);
    await clock.advance(1);
    assert.deepEqual(paths(transport.reports), [['/0', '/1']]);
    client.report(entry(2));
    await clock.advance(999);
    assert.equal(transport.reports.length, 1, 'the next batch has its own timer');
    await clock.advance(1);
    assert.deepEqual(paths(transport.reports), [['/0', '/1'], ['/2']]);
  });

  test('maxBatchEntries 0 sends every report on its own', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 0 } });
    client.report(entry(0));
    client.report(entry(1));
    await clock.advance(0);
    assert.deepEqual(paths(transport.reports), [['/0'], ['/1']]);
  });

  test('close flushes what is pending, then later reports are dropped', async () => {
    const { client, transport } = scriptedClient();
    client.report(entry(0));
    client.report(entry(1));
    await client.close();
    assert.deepEqual(paths(transport.reports), [['/0', '/1']]);
    client.report(entry(2));
    assert.equal(client.statistics().report.dropped, 1);
  });

  test('a report is a copy: later changes to the caller’s bag do not reach it', async () => {
    const { client, transport } = scriptedClient();
    const attributes = new ChildBag(bag({ 'request.path': '/a' }));
    client.report(attributes);
    attributes.set('request.path', '/changed');
    await client.close();
    assert.deepEqual(paths(transport.reports), [['/a']]);
  });
});

describe('report failures', () => {
  test('a retryable failure is resent after a backoff, before newer batches', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 2, baseRetryMs: 100, maxRetryMs: 1000, maxInFlight: 1 } });
    transport.reportAnswers = [unavailable()];
    client.report(entry(0));
    client.report(entry(1)); // batch A fails
    await clock.advance(0);
    client.report(entry(2));
    client.report(entry(3)); // batch B waits behind the pause
    await clock.advance(99);
    assert.equal(transport.reports.length, 0);
    await clock.advance(1);
    assert.deepEqual(paths(transport.reports), [
      ['/0', '/1'],
      ['/2', '/3'],
    ]);
    assert.equal(client.statistics().report.retries, 1);
    assert.equal(client.statistics().report.dropped, 0);
  });

  test('backoff grows while Mixer stays away, and resets after a success', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 1, baseRetryMs: 100, maxRetryMs: 1000 }, random: () => 0.9999 });
    transport.reportAnswers = [unavailable(), unavailable(), unavailable()];
    client.report(entry(0));
    await clock.advance(0);
    const sentAt: number[] = [];
    for (let elapsed = 0; elapsed < 2000 && transport.reports.length === 0; elapsed += 10) {
      await clock.advance(10);
      if (transport.reports.length > 0) sentAt.push(elapsed + 10);
    }
    assert.equal(transport.failedReports.length, 3);
    assert.deepEqual(sentAt, [100 + 200 + 400], 'delays of 100, 200 and 400 ms');
  });

  test('while Mixer stays away one batch at a time probes it; the rest wait without spending retries', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 1, maxInFlight: 4, baseRetryMs: 100, maxRetryMs: 100 } });
    transport.reportAnswers = [unavailable(), unavailable(), unavailable(), unavailable()];
    client.report(entry(0));
    await clock.advance(0);
    for (let index = 1; index < 4; index++) client.report(entry(index));
    await clock.advance(1000);
    assert.deepEqual(paths(transport.failedReports).flat(), ['/0', '/0', '/0', '/0']);
    assert.deepEqual(paths(transport.reports).flat(), ['/0', '/1', '/2', '/3']);
    assert.equal(client.statistics().report.retries, 4);
  });

  test('retries are bounded: the batch is dropped after maxRetries resends', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 2, maxRetries: 2 } });
    transport.reportAnswers = [unavailable(), unavailable(), unavailable(), undefined];
    client.report(entry(0));
    client.report(entry(1));
    await clock.advance(60_000);
    assert.equal(transport.failedReports.length, 3);
    assert.equal(transport.reports.length, 0);
    assert.equal(client.statistics().report.dropped, 2);
  });

  test('sends that never reached Mixer (it is down or restarting) spend no retries: the batch waits and goes out once Mixer is back', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 2, maxRetries: 2, baseRetryMs: 100, maxRetryMs: 1000 }, random: () => 0.9999 });
    transport.reportAnswers = Array.from({ length: 30 }, () => connectionRefused());
    client.report(entry(0));
    client.report(entry(1));
    await clock.advance(0);
    for (let elapsed = 0; elapsed < 60_000 && transport.reports.length === 0; elapsed += 100) await clock.advance(100);
    assert.equal(transport.failedReports.length, 30, 'Mixer was probed while it was away');
    assert.deepEqual(paths(transport.reports), [['/0', '/1']]);
    assert.equal(client.statistics().report.dropped, 0);
  });

  test('while Mixer is away the probes slow down to one every maxRetryMs, not faster', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 1, baseRetryMs: 100, maxRetryMs: 1000 }, random: () => 0 });
    transport.reportAnswers = Array.from({ length: 10 }, () => connectionRefused());
    client.report(entry(0));
    await clock.advance(0);
    await clock.advance(100 + 100 + 100 + 100); // the floor: base each time
    const probed = transport.failedReports.length;
    await clock.advance(10_000);
    assert.ok(transport.failedReports.length - probed <= 10, `${transport.failedReports.length - probed} probes in 10 s`);
    assert.equal(client.statistics().report.dropped, 0);
  });

  test('a send that may have reached Mixer (connection lost after sending) still spends a retry, after any number of unsent ones', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 2, maxRetries: 2 } });
    transport.reportAnswers = [connectionRefused(), connectionRefused(), connectionRefused(), unavailable(), unavailable(), unavailable(), undefined];
    client.report(entry(0));
    client.report(entry(1));
    await clock.advance(60_000);
    assert.equal(transport.failedReports.length, 6);
    assert.equal(transport.reports.length, 0);
    assert.equal(client.statistics().report.dropped, 2);
  });

  test('a failure that is not retryable (a rejected request) is dropped at once', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 1 } });
    transport.reportAnswers = [new TransportError(RpcCode.INVALID_ARGUMENT, 'bad attribute')];
    client.report(entry(0));
    client.report(entry(1));
    await clock.advance(0);
    assert.equal(client.statistics().report.dropped, 1);
    assert.deepEqual(paths(transport.reports), [['/1']]);
  });

  test('past maxBufferedEntries the oldest reports are dropped and counted', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 2, maxBufferedEntries: 5, baseRetryMs: 100, maxInFlight: 1 } });
    transport.reportAnswers = [unavailable()];
    for (let index = 0; index < 2; index++) client.report(entry(index));
    await clock.advance(0); // [/0 /1] failed, waits for its retry
    for (let index = 2; index < 9; index++) client.report(entry(index));
    assert.equal(client.statistics().report.dropped, 4);
    assert.equal(client.statistics().report.buffered, 5);
    await clock.advance(2000);
    assert.deepEqual(paths(transport.reports).flat(), ['/4', '/5', '/6', '/7', '/8']);
  });

  test('a failed batch put back counts once against the buffer cap: a full (not overfull) buffer drops nothing', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 2, maxBufferedEntries: 4, maxInFlight: 1, baseRetryMs: 100 } });
    transport.reportAnswers = [unavailable()];
    for (let index = 0; index < 4; index++) client.report(entry(index)); // [/0 /1] in flight, [/2 /3] queued
    await clock.advance(0); // [/0 /1] failed and is queued again
    assert.equal(client.statistics().report.dropped, 0);
    assert.equal(client.statistics().report.buffered, 4);
    await clock.advance(1000);
    assert.deepEqual(paths(transport.reports).flat(), ['/0', '/1', '/2', '/3']);
  });

  test('a Report call that hangs times out and is retried', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 1, timeoutMs: 1000 } });
    let hung = true;
    transport.report = (batch) => {
      if (hung) {
        hung = false;
        return new Promise(() => undefined);
      }
      transport.reports.push(batch);
      return Promise.resolve();
    };
    client.report(entry(0));
    await clock.advance(999);
    assert.equal(transport.reports.length, 0);
    await clock.advance(2000);
    assert.deepEqual(paths(transport.reports), [['/0']]);
    assert.equal(client.statistics().report.batchFailures, 1);
  });

  test('adoptReport batches the very bag handed over (no copy), unwrapped from a TrackingBag, as report batches a copy', async () => {
    const { client, transport, clock } = scriptedClient(undefined, { report: { maxBatchEntries: 2 } });
    const copied = entry(0);
    const adopted = entry(1);
    const tracking = new TrackingBag(adopted);
    client.report(copied);
    client.adoptReport(tracking);
    await clock.advance(0);
    assert.deepEqual(paths(transport.reports), [['/0', '/1']]);
    const [first, second] = transport.reports[0]!;
    assert.notEqual(first, copied, 'report copies');
    assert.equal(second, adopted, 'adoptReport hands the bag on as it is');
    assert.deepEqual(tracking.referenced.toStrings(), [], 'the client read nothing through the tracking bag');
  });
});

describe('dropped reports are never silent', () => {
  function batcherLogging(options: Partial<typeof DEFAULT_REPORT>, answers: (TransportError | undefined)[] = []) {
    const clock = new ManualClock();
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }), debug: () => undefined };
    const batcher = new ReportBatcher(
      () => {
        const answer = answers.shift();
        return answer === undefined ? Promise.resolve() : Promise.reject(answer);
      },
      { ...DEFAULT_REPORT, ...options },
      clock,
      () => 0,
      logger,
    );
    const drops = () => warnings.filter((warning) => warning.message === 'Mixer reports dropped').map((warning) => warning.fields);
    return { batcher, clock, drops };
  }

  test('the first drop is a warning at once, with its reason; later ones at most every 10 s, with the count since', async () => {
    const { batcher, clock, drops } = batcherLogging({ maxBatchEntries: 2, maxBufferedEntries: 2, maxInFlight: 1, baseRetryMs: 60_000, maxRetryMs: 60_000 }, [connectionRefused()]);
    batcher.add(entry(0));
    batcher.add(entry(1));
    await clock.advance(0); // failed: waits for its retry, holding the whole buffer
    batcher.add(entry(2));
    assert.deepEqual(drops(), [{ reason: 'buffer full', entries: 1, droppedSinceLastWarning: 1, droppedTotal: 1 }]);
    for (let index = 3; index < 50; index++) batcher.add(entry(index));
    assert.equal(drops().length, 1, 'one warning, not one per report');
    await clock.advance(10_000);
    batcher.add(entry(50));
    assert.deepEqual(drops()[1], { reason: 'buffer full', entries: 1, droppedSinceLastWarning: 48, droppedTotal: 49 });
    assert.equal(batcher.statistics().dropped, 49);
  });

  test('a batch out of retries is a warning even when the failure log is quiet (1 in 100)', async () => {
    const { batcher, clock, drops } = batcherLogging({ maxBatchEntries: 1, maxRetries: 1 }, [unavailable(), unavailable()]);
    batcher.add(entry(0));
    await clock.advance(60_000);
    assert.deepEqual(drops(), [{ reason: 'out of retries', entries: 1, droppedSinceLastWarning: 1, droppedTotal: 1 }]);
  });
});

describe('report batches serialized as they fill (ReportBatchBuilder)', () => {
  /** A builder that records what it was given (the transport's real one is ReportRequestBuilder, tested in core/grpc). */
  class RecordingBuilder implements ReportBatchBuilder {
    readonly added: AttributeBag[] = [];
    constructor(private readonly failAt = -1) {}
    add(attributes: AttributeBag): void {
      if (this.added.length === this.failAt) throw new Error('cannot encode');
      this.added.push(attributes);
    }
    get size(): number {
      return this.added.length;
    }
  }

  function batcherWith(options: Partial<typeof DEFAULT_REPORT>, builders: RecordingBuilder[]) {
    const clock = new ManualClock();
    const sent: { entries: readonly AttributeBag[]; built: ReportBatchBuilder | undefined }[] = [];
    let next = 0;
    const batcher = new ReportBatcher(
      (entries, _signal, built) => {
        sent.push({ entries, built });
        return Promise.resolve();
      },
      { ...DEFAULT_REPORT, ...options },
      clock,
      () => 0.5,
      silentLogger,
      () => builders[next++],
    );
    return { batcher, sent, clock };
  }

  test('each batch gets its own builder, fed every entry in order, and is sent with it', async () => {
    const builders = [new RecordingBuilder(), new RecordingBuilder()];
    const { batcher, sent, clock } = batcherWith({ maxBatchEntries: 2 }, builders);
    for (let index = 0; index < 4; index++) batcher.add(entry(index));
    await clock.advance(0);
    assert.equal(sent.length, 2);
    assert.equal(sent[0]!.built, builders[0]);
    assert.equal(sent[1]!.built, builders[1]);
    assert.deepEqual(paths([builders[0]!.added, builders[1]!.added]), [
      ['/0', '/1'],
      ['/2', '/3'],
    ]);
  });

  test('a batch trimmed by the buffer cap is sent without its builder (it no longer matches)', async () => {
    const builders = [new RecordingBuilder()];
    const { batcher, sent, clock } = batcherWith({ maxBatchEntries: 10, maxBufferedEntries: 2 }, builders);
    for (let index = 0; index < 3; index++) batcher.add(entry(index));
    batcher.flush();
    await clock.advance(0);
    assert.deepEqual(paths([sent[0]!.entries]), [['/1', '/2']]);
    assert.equal(sent[0]!.built, undefined);
  });

  test('a builder that fails to encode an entry is dropped; the batch still goes out whole', async () => {
    const builders = [new RecordingBuilder(1)];
    const { batcher, sent, clock } = batcherWith({ maxBatchEntries: 3 }, builders);
    for (let index = 0; index < 3; index++) batcher.add(entry(index));
    await clock.advance(0);
    assert.deepEqual(paths([sent[0]!.entries]), [['/0', '/1', '/2']]);
    assert.equal(sent[0]!.built, undefined);
  });
});
