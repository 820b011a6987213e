import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import MockModule from '@elastic/elasticsearch-mock';
import { MockElasticsearchServer } from '../../adapters/elasticsearch/testing/mock-elasticsearch-server.js';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// Elasticsearch cannot run here: a real Mixer (in-process, real HTTP Report API, real
// elasticsearch adapter and client over real HTTP) indexes into MockElasticsearchServer, whose
// answers come from the official @elastic/elasticsearch-mock. The tests assert the exact NDJSON
// bulk bodies that arrived.

// The mock is CommonJS (`module.exports = Mocker`) with typings that declare a default export.
const Mock = MockModule as unknown as typeof MockModule.default;

interface BulkLine {
  readonly index?: { readonly _index: string };
  readonly [field: string]: unknown;
}

/** A mock answering every bulk item with the next scripted statuses (201 once the script runs out). */
function bulkMock(script: number[][]) {
  const mock = new Mock();
  mock.add({ method: 'POST', path: '/_bulk' }, (params) => {
    const lines = params.body as unknown as BulkLine[];
    const statuses = script.shift() ?? [];
    const items = lines
      .filter((line) => line.index !== undefined)
      .map((line, position) => {
        const status = statuses[position] ?? 201;
        return { index: { _index: line.index!._index, status, ...(status >= 300 ? { error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } : {}) } };
      });
    return { took: 1, errors: items.some((item) => item.index.status >= 300), items };
  });
  return mock;
}

function handlerYaml(url: string, extra = ''): string {
  return resource('handler', 'es', `compiledAdapter: elasticsearch\nparams:\n  urls: [ "${url}" ]\n  pushIntervalDuration: 20ms\n  initialBackoffDuration: 50ms\n  maxBackoffDuration: 100ms${extra}`);
}

const ACCESSLOG = resource(
  'instance',
  'accesslog',
  'compiledTemplate: logentry\nparams:\n  severity: \'"info"\'\n  timestamp: request.time\n  variables:\n    path: request.path | "/"\n    code: response.code | 0\n    latency: response.duration | "0ms"\n    sourceIp: source.ip | ip("0.0.0.0")',
);

async function metricsText(mixer: RunningMixer): Promise<string> {
  return (await fetch(`${mixer.monitoringUrl}/metrics`)).text();
}

describe('elasticsearch end to end', () => {
  let server: MockElasticsearchServer;
  let mixer: RunningMixer;
  before(async () => {
    server = await MockElasticsearchServer.start(bulkMock([[201, 429]]));
    mixer = await startMixer({
      'elasticsearch.yaml': [
        handlerYaml(server.url),
        ACCESSLOG,
        resource(
          'instance',
          'span',
          'compiledTemplate: tracespan\nparams:\n  trace_id: request.headers["x-b3-traceid"] | ""\n  span_id: request.headers["x-b3-spanid"] | ""\n  span_name: request.path | "/"\n  start_time: request.time\n  end_time: response.time\n  http_status_code: response.code | 0',
        ),
        resource('rule', 'toes', 'match: context.protocol == "http"\nactions:\n- handler: es\n  instances: [ accesslog, span ]'),
      ].join(''),
    });
  });
  after(async () => {
    await mixer.close();
    await server.stop();
  });

  test('reported requests are indexed with the bulk API into dated indices; an item refused with 429 is sent again', async () => {
    const { status } = await mixer.report([
      {
        'context.protocol': 'http',
        'request.path': '/a',
        'request.time': '2026-11-25T23:59:59.5Z',
        'response.time': '2026-11-26T00:00:00.25Z',
        'response.code': 200,
        'response.duration': '750ms',
        'source.ip': '10.1.2.3',
        'request.headers': { 'x-b3-traceid': 'abc', 'x-b3-spanid': 'def' },
      },
    ]);
    assert.equal(status, 200);
    await eventually(() => server.requests.length >= 2, 5000, 'the first bulk request and the retry');
    assert.equal(server.requests[0]?.path, '/_bulk');
    const log = {
      '@timestamp': '2026-11-25T23:59:59.5Z',
      instance: 'accesslog.instance.istio-system',
      severity: 'info',
      path: '/a',
      code: 200,
      latency: 750,
      sourceIp: '10.1.2.3',
    };
    const span = {
      '@timestamp': '2026-11-25T23:59:59.5Z',
      instance: 'span.instance.istio-system',
      traceId: 'abc',
      spanId: 'def',
      spanName: '/a',
      startTime: '2026-11-25T23:59:59.5Z',
      endTime: '2026-11-26T00:00:00.25Z',
      durationMs: 750,
      httpStatusCode: 200,
    };
    const lines = (body: string | undefined) => (body ?? '').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);
    const bodies = server.requests.map((request) => lines(request.body));
    const first = bodies[0]!;
    // Instances reach the handler grouped per template; the order of the two groups is the dispatcher's.
    const logFirst = (first[1] as { instance?: string }).instance === log.instance;
    const expectedFirst = logFirst
      ? [{ index: { _index: 'istio-logs-2026.11.25' } }, log, { index: { _index: 'istio-traces-2026.11.25' } }, span]
      : [{ index: { _index: 'istio-traces-2026.11.25' } }, span, { index: { _index: 'istio-logs-2026.11.25' } }, log];
    assert.deepEqual(first, expectedFirst);
    assert.equal(server.requests[0]?.body.endsWith('\n'), true, 'NDJSON ends with a newline');
    assert.deepEqual(bodies[1], expectedFirst.slice(2));
    await eventually(async () => /mixer_adapter_elasticsearch_entries_sent_total\{[^}]*\} 2$/m.test(await metricsText(mixer)), 5000, 'two documents counted as sent');
    assert.match(await metricsText(mixer), /mixer_adapter_elasticsearch_entries_retried_total\{[^}]*\} 1$/m);
  });

  test('while Elasticsearch is down Report still answers; the documents are indexed once it is back', async () => {
    const before = server.requests.length;
    await server.stop();
    const { status } = await mixer.report([{ 'context.protocol': 'http', 'request.path': '/down', 'request.time': '2026-11-26T08:00:00Z' }]);
    assert.equal(status, 200);
    await eventually(async () => /mixer_adapter_elasticsearch_entries_retried_total\{[^}]*\} [2-9]/m.test(await metricsText(mixer)), 5000, 'a failed attempt');
    await server.listen();
    await eventually(() => server.requests.slice(before).some((request) => request.body.includes('"/down"')), 5000, 'the document indexed after the restart');
    const body = server.requests.find((request) => request.body.includes('"/down"'))?.body ?? '';
    assert.ok(body.includes('{"index":{"_index":"istio-logs-2026.11.26"}}\n{"@timestamp":"2026-11-26T08:00:00Z","instance":"accesslog.instance.istio-system","severity":"info","path":"/down","code":0,"latency":0,"sourceIp":"0.0.0.0"}\n'), body);
  });
});

describe('elasticsearch end to end with a bad handler config', () => {
  test('an invalid index prefix is refused with the file, line, field and why', async () => {
    const mixer = await startMixer({
      'bad.yaml': [
        resource('handler', 'badindex', 'compiledAdapter: elasticsearch\nparams:\n  indexPrefix: "Logs/"'),
        ACCESSLOG,
        resource('rule', 'tobad', 'match: "true"\nactions:\n- handler: badindex\n  instances: [ accesslog ]'),
      ].join(''),
    });
    try {
      const { body } = await mixer.getMonitoring('/debug/config');
      const errors = (body as { lastRejected: { errors: string[] } | null }).lastRejected?.errors ?? [];
      assert.ok(
        errors.some((error) => /bad\.yaml:\d+: handler\/istio-system\/badindex: spec\.params\.indexPrefix: .*"Logs\/2019\.12\.31", which contains "L"/.test(error)),
        JSON.stringify(errors),
      );
    } finally {
      await mixer.close();
    }
  });
});
