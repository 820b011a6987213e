import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import type { LogEntryInstance, MetricInstance } from '../../templates/definitions.js';
import type { InstanceValue } from '../../templates/template.js';
import { AdapterConfigError, configProblems, instanceConfig, ManualEnvironment } from '../sdk/testing/index.js';
import { buildStdioHandler } from './build-handler.js';
import { stdio } from './index.js';

const info = stdio.info;
const START = Date.UTC(2020, 0, 2, 3, 4, 5, 678);

/** A stream that records what was written to it, one entry per write call. */
class CapturedStream extends Writable {
  readonly writes: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.writes.push(chunk.toString('utf8'));
    callback();
  }

  get lines(): string[] {
    return this.writes.join('').split('\n').filter((line) => line !== '');
  }
}

async function build(params: unknown) {
  const parsed = info.params.parse(params);
  if (!parsed.ok) throw new AdapterConfigError(parsed.problems);
  const problems = info.validate?.({ name: 'h', params: parsed.value, instances: [] }) ?? [];
  if (problems.length > 0) throw new AdapterConfigError(problems);
  const env = new ManualEnvironment({ startMs: START });
  const stdout = new CapturedStream();
  const stderr = new CapturedStream();
  const handler = await buildStdioHandler({ name: 'handler.stdio.istio-system', params: parsed.value, instances: [] }, env, { stdout, stderr });
  return { env, handler, stdout, stderr };
}

function logEntry(variables: Record<string, InstanceValue>, extra: Partial<LogEntryInstance> = {}): LogEntryInstance {
  return {
    name: 'accesslog.instance.istio-system',
    variables,
    timestamp: Timestamp.parse('2019-05-06T07:08:09.123456789Z'),
    severity: 'Info',
    monitoredResourceType: undefined,
    monitoredResourceDimensions: {},
    ...extra,
  };
}

function metric(value: InstanceValue, dimensions: Record<string, InstanceValue>): MetricInstance {
  return { name: 'requestcount.instance.istio-system', value, dimensions, monitoredResourceType: undefined, monitoredResourceDimensions: {} };
}

describe('stdio params', () => {
  it('defaults to JSON on stdout at INFO', async () => {
    const parsed = info.params.parse(undefined);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.logStream, 'STDOUT');
    assert.equal(parsed.value.outputAsJson, true);
    assert.equal(parsed.value.metricLevel, 'INFO');
    assert.equal(parsed.value.outputLevel, 'INFO');
    assert.deepEqual([parsed.value.maxMegabytesBeforeRotation, parsed.value.maxDaysBeforeRotation, parsed.value.maxRotatedFiles], [100, 30, 1000]);
    const { handler, stdout } = await build({});
    await handler.handleMetric([metric(1, {})]);
    await handler.flush();
    assert.equal(stdout.lines.length, 1);
  });

  it('accepts snake_case and lowerCamelCase', async () => {
    for (const params of [
      { log_stream: 'STDERR', output_as_json: false, metric_level: 'WARNING', severity_levels: { notice: 'ERROR' } },
      { logStream: 1, outputAsJson: false, metricLevel: 1, severityLevels: { notice: 2 } },
    ]) {
      const { handler, stdout, stderr } = await build(params);
      await handler.handleMetric([metric(1, {})]);
      await handler.handleLogEntry([logEntry({}, { severity: 'notice' })]);
      await handler.flush();
      assert.equal(stdout.writes.length, 0);
      assert.deepEqual(stderr.lines, [
        '2020-01-02T03:04:05.678000Z\twarn\trequestcount.instance.istio-system\t{"value":1}',
        '2019-05-06T07:08:09.123456Z\terror\taccesslog.instance.istio-system',
      ]);
    }
  });

  it('validates the output path against the stream, with Istio\'s messages', () => {
    assert.deepEqual(configProblems(info, { params: { logStream: 'STDOUT', outputPath: '/tmp/x.log' } }), [
      { field: 'params.outputPath', message: 'cannot specify an output path when using a STDOUT or STDERR log stream' },
    ]);
    assert.deepEqual(configProblems(info, { params: { logStream: 'STDERR', outputPath: '/tmp/x.log' } }).length, 1);
    assert.deepEqual(configProblems(info, { params: { logStream: 'FILE' } }), [
      { field: 'params.outputPath', message: 'need a valid output path when using a FILE or ROTATED_FILE log stream' },
    ]);
    assert.deepEqual(configProblems(info, { params: { logStream: 'ROTATED_FILE' } }).length, 1);
    assert.deepEqual(configProblems(info, { params: { logStream: 'ROTATED_FILE', outputPath: '/tmp/x.log' } }), []);
  });

  it('reports schema problems with their paths', () => {
    const problems = configProblems(info, {
      params: { logStream: 'SOCKET', severityLevels: { debug: 'DEBUG' }, maxRotatedFiles: -1, color: true },
      instances: [instanceConfig('accesslog.instance.istio-system', 'logentry')],
    });
    assert.deepEqual([...new Set(problems.map((problem) => problem.field))].sort(), [
      'params.color', 'params.logStream', 'params.maxRotatedFiles', 'params.severityLevels.debug',
    ]);
  });
});

describe('stdio JSON lines', () => {
  it('writes one line per logentry instance with typed values', async () => {
    const { handler, stdout } = await build({});
    await handler.handleLogEntry([
      logEntry({
        text: 'GET /a "quoted"',
        count: 42,
        big: 9007199254740993n,
        ratio: 0.25,
        nan: Number.NaN,
        ok: true,
        sourceIp: IpAddress.parse('10.1.2.3'),
        v6: IpAddress.parse('2001:db8::1'),
        at: Timestamp.parse('2019-05-06T07:08:09.5Z'),
        latency: Duration.parse('1.5s'),
        headers: StringMap.fromObject({ 'x-b': '2', 'x-a': '1' }),
        raw: new Uint8Array([1, 2, 3]),
        missing: undefined,
      }),
    ]);
    await handler.flush();
    assert.deepEqual(stdout.lines, [
      '{"level":"info","time":"2019-05-06T07:08:09.123456Z","instance":"accesslog.instance.istio-system",' +
        '"at":"2019-05-06T07:08:09.5Z","big":9007199254740993,"count":42,"headers":{"x-a":"1","x-b":"2"},"latency":"1.5s",' +
        '"nan":"NaN","ok":true,"ratio":0.25,"raw":"AQID","sourceIp":"10.1.2.3","text":"GET /a \\"quoted\\"","v6":"2001:db8::1"}',
    ]);
  });

  it('maps severities (Istio\'s names plus configured ones; unknown is info) and stamps unset times with the clock', async () => {
    const { handler, stdout } = await build({ severityLevels: { critical: 'ERROR', warning: 'ERROR' } });
    await handler.handleLogEntry([
      logEntry({}, { severity: 'WARN' }),
      logEntry({}, { severity: 'fatal' }),
      logEntry({}, { severity: 'critical' }),
      logEntry({}, { severity: 'warning' }),
      logEntry({}, { severity: 'whatever' }),
      logEntry({}, { severity: undefined, timestamp: undefined }),
    ]);
    await handler.flush();
    const parsed = stdout.lines.map((line) => JSON.parse(line) as { level: string; time: string });
    assert.deepEqual(parsed.map((line) => line.level), ['warn', 'error', 'error', 'error', 'info', 'info']);
    assert.equal(parsed[5]!.time, '2020-01-02T03:04:05.678000Z');
  });

  it('writes metrics with the value, then sorted dimensions, at metricLevel and the current time', async () => {
    const { env, handler, stdout } = await build({ metricLevel: 'ERROR' });
    await env.advance(1);
    await handler.handleMetric([metric(Duration.parse('20ms'), { source: 'a', code: 200 }), metric(undefined, {})]);
    await handler.flush();
    assert.deepEqual(stdout.lines, [
      '{"level":"error","time":"2020-01-02T03:04:05.679000Z","instance":"requestcount.instance.istio-system","value":"20ms","code":200,"source":"a"}',
      '{"level":"error","time":"2020-01-02T03:04:05.679000Z","instance":"requestcount.instance.istio-system","value":null}',
    ]);
  });

  it('skips lines below outputLevel', async () => {
    const { handler, stdout } = await build({ outputLevel: 'WARNING' });
    await handler.handleLogEntry([logEntry({ n: 1 }, { severity: 'info' }), logEntry({ n: 2 }, { severity: 'warning' }), logEntry({ n: 3 }, { severity: 'error' })]);
    await handler.handleMetric([metric(1, {})]);
    await handler.flush();
    assert.deepEqual(stdout.lines.map((line) => (JSON.parse(line) as { n: number }).n), [2, 3]);
  });

  it('hands a whole batch to the stream in one write', async () => {
    const { handler, stdout } = await build({});
    await handler.handleLogEntry([logEntry({ n: 1 }), logEntry({ n: 2 }), logEntry({ n: 3 })]);
    await handler.handleLogEntry([]);
    await handler.flush();
    assert.equal(stdout.writes.length, 1);
    assert.equal(stdout.lines.length, 3);
  });
});

describe('stdio console lines', () => {
  it('writes time, level, instance and the fields as JSON, tab-separated', async () => {
    const { handler, stdout } = await build({ outputAsJson: false });
    await handler.handleLogEntry([logEntry({ user: 'alice', code: 200 }, { severity: 'ERROR' })]);
    await handler.handleMetric([metric(1.5, {})]);
    await handler.flush();
    assert.deepEqual(stdout.lines, [
      '2019-05-06T07:08:09.123456Z\terror\taccesslog.instance.istio-system\t{"code":200,"user":"alice"}',
      '2020-01-02T03:04:05.678000Z\tinfo\trequestcount.instance.istio-system\t{"value":1.5}',
    ]);
  });
});

describe('stdio back-pressure', () => {
  it('drops (and counts) batches while the stream is backed up', async () => {
    const stuck = new Writable({ write: () => undefined });
    const env = new ManualEnvironment();
    const parsed = info.params.parse({});
    assert.ok(parsed.ok);
    const handler = await buildStdioHandler({ name: 'h.handler.ns', params: parsed.value, instances: [] }, env, { stdout: stuck, stderr: stuck });
    void handler.handleLogEntry([logEntry({ blob: 'x'.repeat(17 * 1024 * 1024) })]);
    await handler.handleLogEntry([logEntry({ n: 1 }), logEntry({ n: 2 })]);
    const dropped = await env.metrics.getSingleMetricAsString('mixer_adapter_stdio_dropped_lines_total');
    assert.match(dropped, /^mixer_adapter_stdio_dropped_lines_total 2$/m);
  });
});

describe('stdio acknowledges only what it has written (a killed Mixer loses nothing it acknowledged)', () => {
  /** A stream that holds each write until the test lets the OS "take" it. */
  class HeldStream extends Writable {
    readonly held: { chunk: string; done: (error?: Error) => void }[] = [];
    override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error) => void): void {
      this.held.push({ chunk: chunk.toString('utf8'), done: callback });
    }
  }

  async function handlerOver(stream: Writable) {
    const env = new ManualEnvironment();
    const parsed = info.params.parse({});
    assert.ok(parsed.ok);
    const handler = await buildStdioHandler({ name: 'h.handler.ns', params: parsed.value, instances: [] }, env, { stdout: stream, stderr: stream });
    return { env, handler };
  }

  /** Lets the event loop run a few turns (so a settled promise would have been seen settled). */
  async function turns(): Promise<void> {
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  }

  it('handleLogEntry and handleMetric resolve once the stream has written their lines, not before', async () => {
    const stream = new HeldStream();
    const { handler } = await handlerOver(stream);
    let logged = false;
    let measured = false;
    const log = handler.handleLogEntry([logEntry({ n: 1 })]);
    const metered = handler.handleMetric([metric(1, {})]);
    assert.ok(log instanceof Promise && metered instanceof Promise, 'the dispatcher has something to wait for');
    void log.then(() => (logged = true));
    void metered.then(() => (measured = true));
    await turns();
    assert.equal(logged, false, 'not acknowledged while the line is only in memory');
    stream.held[0]!.done();
    await log;
    assert.ok(stream.held[0]!.chunk.includes('"n":1'));
    await turns();
    assert.equal(measured, false, 'the metric line is still held');
    stream.held[1]!.done();
    await metered;
  });

  it('a write that fails rejects (a handler failure for the dispatcher) and counts its lines as dropped', async () => {
    const stream = new HeldStream();
    stream.on('error', () => undefined);
    const { env, handler } = await handlerOver(stream);
    const log = handler.handleLogEntry([logEntry({ n: 1 }), logEntry({ n: 2 })]);
    stream.held[0]!.done(new Error('no space left on device'));
    await assert.rejects(Promise.resolve(log), /no space left on device/);
    assert.match(await env.metrics.getSingleMetricAsString('mixer_adapter_stdio_dropped_lines_total'), /^mixer_adapter_stdio_dropped_lines_total 2$/m);
  });

  it('nothing to write (every line below outputLevel, or no instances) needs no wait', async () => {
    const { handler } = await build({ outputLevel: 'ERROR' });
    assert.equal(handler.handleLogEntry([logEntry({ n: 1 }, { severity: 'info' })]), undefined);
    assert.equal(handler.handleMetric([]), undefined);
  });
});

describe('stdio files', () => {
  let directory = '';
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'stdio-test-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it('FILE appends lines to the output path', async () => {
    const outputPath = join(directory, 'out.log');
    await writeFile(outputPath, 'existing\n');
    const { handler } = await build({ logStream: 'FILE', outputPath });
    await handler.handleLogEntry([logEntry({ n: 1 })]);
    await handler.handleMetric([metric(7, { code: 200 })]);
    await handler.close();
    const lines = (await readFile(outputPath, 'utf8')).split('\n');
    assert.equal(lines[0], 'existing');
    assert.deepEqual(JSON.parse(lines[1]!), { level: 'info', time: '2019-05-06T07:08:09.123456Z', instance: 'accesslog.instance.istio-system', n: 1 });
    assert.deepEqual(JSON.parse(lines[2]!), { level: 'info', time: '2020-01-02T03:04:05.678000Z', instance: 'requestcount.instance.istio-system', value: 7, code: 200 });
    assert.equal(lines[3], '');
  });

  it('FILE and ROTATED_FILE: once a batch resolves, its lines are in the file', async () => {
    for (const logStream of ['FILE', 'ROTATED_FILE']) {
      const outputPath = join(directory, `acknowledged-${logStream}.log`);
      const { handler } = await build({ logStream, outputPath });
      for (let batch = 0; batch < 20; batch++) {
        await handler.handleLogEntry([logEntry({ batch, blob: 'z'.repeat(64 * 1024) })]);
        const lines = readFileSync(outputPath, 'utf8').split('\n').filter((line) => line !== '');
        assert.equal(lines.length, batch + 1, `${logStream}: batch ${batch} is in the file when acknowledged`);
      }
      await handler.close();
    }
  });

  it('FILE fails to build when the path cannot be opened', async () => {
    await assert.rejects(build({ logStream: 'FILE', outputPath: join(directory, 'missing-dir', 'out.log') }), { code: 'ENOENT' });
  });

  it('ROTATED_FILE writes to the output path and rotates by size', async () => {
    const outputPath = join(directory, 'rotated', 'access.log');
    const { env, handler } = await build({ logStream: 'ROTATED_FILE', outputPath, maxMegabytesBeforeRotation: 1 });
    const big = 'y'.repeat(600 * 1024);
    await handler.handleLogEntry([logEntry({ big, n: 1 })]);
    await handler.flush();
    await env.advance(1000);
    await handler.handleLogEntry([logEntry({ big, n: 2 })]);
    await handler.close();
    const current = JSON.parse(await readFile(outputPath, 'utf8')) as { n: number };
    assert.equal(current.n, 2);
    const rotated = JSON.parse(await readFile(join(directory, 'rotated', 'access-2020-01-02T03-04-06.678.log'), 'utf8')) as { n: number };
    assert.equal(rotated.n, 1);
  });
});
