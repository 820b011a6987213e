import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

describe('Report through the HTTP API (stdio to a file)', () => {
  let mixer: RunningMixer;
  let logFile: string;
  let logDirectory: string;
  before(async () => {
    logDirectory = await mkdtemp(join(tmpdir(), 'mixer-log-'));
    logFile = join(logDirectory, 'access.log');
    mixer = await startMixer({
      'telemetry.yaml': [
        resource('handler', 'filelog', `compiledAdapter: stdio\nparams:\n  logStream: FILE\n  outputPath: ${logFile}\n  outputAsJson: true`),
        resource(
          'instance',
          'accesslog',
          'compiledTemplate: logentry\nparams:\n  severity: \'"Warning"\'\n  timestamp: request.time\n  variables:\n    path: request.path | "/"\n    code: response.code | 0\n    latency: response.duration | "0ms"\n    source: source.ip | ip("0.0.0.0")',
        ),
        resource('instance', 'requestcount', 'compiledTemplate: metric\nparams:\n  value: "1"\n  dimensions:\n    code: response.code | 0'),
        resource('rule', 'telemetry', 'match: context.protocol == "http"\nactions:\n- handler: filelog\n  instances: [ accesslog, requestcount ]'),
      ].join(''),
    });
  });
  after(async () => {
    await mixer.close();
    await rm(logDirectory, { recursive: true, force: true });
  });

  test('every reported request becomes a log line and a metric line; unmatched ones do not', async () => {
    const entry = (path: string, code: number) => ({
      'context.protocol': 'http',
      'request.path': path,
      'request.time': '2026-11-25T10:00:00Z',
      'response.code': code,
      'response.duration': '15ms',
      'source.ip': '10.1.2.3',
    });
    const { status } = await mixer.report([entry('/a', 200), entry('/b', 503), { 'context.protocol': 'tcp' }]);
    assert.equal(status, 200);
    let lines: Record<string, unknown>[] = [];
    await eventually(async () => {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      lines = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
      return lines.length >= 4;
    }, 5000, 'four lines in the log file');
    assert.equal(lines.length, 4);
    const logs = lines.filter((line) => JSON.stringify(line).includes('accesslog'));
    const metrics = lines.filter((line) => JSON.stringify(line).includes('requestcount'));
    assert.equal(logs.length, 2);
    assert.equal(metrics.length, 2);
    const text = JSON.stringify(logs);
    for (const expected of ['"/a"', '"/b"', '503', '"15ms"', '"10.1.2.3"']) assert.ok(text.includes(expected), `${expected} in ${text}`);
  });
});
