import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Timestamp } from '../../core/attribute/timestamp.js';
import { IndexNamer, indexNameProblem } from './index-name.js';

function namer(prefix: string, format: string): IndexNamer {
  const compiled = IndexNamer.compile(prefix, format);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled;
}

describe('IndexNamer', () => {
  it("names the index after the entry's UTC date, not the local one", () => {
    const daily = namer('istio-logs-', 'YYYY.MM.DD');
    assert.equal(daily.nameFor(Timestamp.parse('2019-05-06T07:08:09Z')), 'istio-logs-2019.05.06');
    assert.equal(daily.nameFor(Timestamp.parse('2019-12-31T23:30:00-01:00')), 'istio-logs-2020.01.01');
    assert.equal(daily.nameFor(Timestamp.parse('2020-01-01T00:59:59+01:00')), 'istio-logs-2019.12.31');
    assert.equal(daily.nameFor(Timestamp.parse('0999-02-03T04:05:06Z')), 'istio-logs-0999.02.03');
  });

  it('switches names at the hour and the day boundary, whatever order entries come in', () => {
    const hourly = namer('mesh-', 'YYYY-MM-DD.HH');
    const times = ['2020-02-29T23:59:59.999Z', '2020-03-01T00:00:00Z', '2020-02-29T23:00:00Z', '2020-03-01T00:00:00Z'];
    assert.deepEqual(times.map((text) => hourly.nameFor(Timestamp.parse(text))), ['mesh-2020-02-29.23', 'mesh-2020-03-01.00', 'mesh-2020-02-29.23', 'mesh-2020-03-01.00']);
  });

  it('keeps other characters literally, and allows no date at all', () => {
    assert.equal(namer('logs-', 'YYYY.MM').nameFor(Timestamp.parse('2020-07-01T00:00:00Z')), 'logs-2020.07');
    assert.equal(namer('logs', '').nameFor(Timestamp.parse('2020-07-01T00:00:00Z')), 'logs');
  });

  it('refuses prefixes and patterns that make invalid index names', () => {
    assert.deepEqual(IndexNamer.compile('', ''), { error: 'makes index names like "", which is empty' });
    assert.match((IndexNamer.compile('logs', 'YYYY/MM') as { error: string }).error, /contains "\/"/);
    assert.match((IndexNamer.compile('-logs', 'YYYY') as { error: string }).error, /starts with -, _ or \+/);
    assert.equal(indexNameProblem('x'.repeat(256)), 'is longer than 255 bytes');
    assert.equal(indexNameProblem('istio-logs-2020.01.01'), undefined);
  });
});
