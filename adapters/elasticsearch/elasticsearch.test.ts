import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRequire } from 'node:module';
import type * as esm from '@elastic/elasticsearch';
import {
  type ConnectionRequestOptions,
  type ConnectionRequestOptionsAsStream,
  type ConnectionRequestParams,
  type ConnectionRequestResponse,
  type ConnectionRequestResponseAsStream,
} from '@elastic/elasticsearch';
import MockModule from '@elastic/elasticsearch-mock';
import { Duration } from '../../core/attribute/duration.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { Timestamp } from '../../core/attribute/timestamp.js';
import { ValueType } from '../../core/attribute/value-type.js';
import type { LogEntryInstance, TraceSpanInstance } from '../../templates/definitions.js';
import type { InstanceValue } from '../../templates/template.js';
import { configProblems, ManualEnvironment } from '../sdk/testing/index.js';
import { buildElasticsearchHandler } from './build-handler.js';
import type { ClientOverrides } from './client.js';
import { elasticsearch } from './index.js';

// Elasticsearch cannot run here. These tests run the real client against the official
// @elastic/elasticsearch-mock connection and assert the exact NDJSON bulk bodies the client
// sends (recorded before the mock parses them). Buffer timers run on a ManualEnvironment clock.

// The mock is CommonJS and recognises only the CommonJS build's error classes in answers.
const { errors } = createRequire(import.meta.url)('@elastic/elasticsearch') as { errors: typeof esm.errors };
// The mock is CommonJS (`module.exports = Mocker`) with typings that declare a default export.
const Mock = MockModule as unknown as typeof MockModule.default;
const info = elasticsearch.info;
const INSTANCE = 'accesslog.instance.istio-system';

interface BulkItemAnswer {
  readonly status: number;
  readonly type?: string;
}

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

async function setup(rawParams: Record<string, unknown> = {}) {
  const mock = new Mock();
  const bodies: string[] = [];
  const paths: string[] = [];
  let gate: Promise<void> | undefined;
  let closed = 0;
  const MockConnection = mock.getConnection();
  /** The mock's connection, recording each request body as sent (and able to hold requests back). */
  class RecordingConnection extends MockConnection {
    override request(params: ConnectionRequestParams, options: ConnectionRequestOptions): Promise<ConnectionRequestResponse>;
    override request(params: ConnectionRequestParams, options: ConnectionRequestOptionsAsStream): Promise<ConnectionRequestResponseAsStream>;
    override async request(
      params: ConnectionRequestParams,
      options: ConnectionRequestOptions | ConnectionRequestOptionsAsStream,
    ): Promise<ConnectionRequestResponse | ConnectionRequestResponseAsStream> {
      bodies.push(typeof params.body === 'string' ? params.body : JSON.stringify(params.body));
      paths.push(params.querystring === undefined || params.querystring === '' ? params.path : `${params.path}?${String(params.querystring)}`);
      if (gate !== undefined) {
        const signal = options.signal;
        await Promise.race([gate, new Promise((resolve) => signal?.addEventListener('abort', resolve))]);
      }
      return super.request(params, options);
    }

    /** The mock's connection has nothing to close; real connections release their sockets here. */
    override close(): Promise<void> {
      closed++;
      return Promise.resolve();
    }
  }
  let answers: Array<readonly BulkItemAnswer[] | Error> = [];
  mock.add({ method: 'POST', path: '/_bulk' }, (params) => {
    const lines = params.body as unknown as unknown[];
    const next = answers.shift();
    if (next instanceof Error) return next;
    const items = Array.from({ length: lines.length / 2 }, (_, index) => {
      const answer = next?.[index] ?? { status: 201 };
      return { index: { _index: 'x', status: answer.status, ...(answer.type === undefined ? {} : { error: { type: answer.type, reason: `because ${answer.status}` } }) } };
    });
    return { took: 1, errors: items.some((item) => item.index.status >= 300), items };
  });
  const parsed = info.params.parse({ pushIntervalDuration: '1s', ...rawParams });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const env = new ManualEnvironment();
  const handler = await buildElasticsearchHandler({ name: 'es.handler.istio-system', params: parsed.value, instances: [] }, env, {
    // The mock's typings name the CommonJS build's BaseConnection, the adapter the ESM build's; at runtime either works.
    Connection: RecordingConnection as unknown as ClientOverrides['Connection'],
  });
  return {
    env,
    handler,
    bodies,
    paths,
    closedConnections: () => closed,
    /** Scripts the next bulk answers: per-item statuses, or an error for the whole request. */
    answer: (...next: Array<readonly BulkItemAnswer[] | Error>) => {
      answers = next;
    },
    hold: () => {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const ndjson = (...lines: unknown[]): string => lines.map((line) => `${typeof line === 'string' ? line : JSON.stringify(line)}\n`).join('');
const action = (index: string) => ({ index: { _index: index } });

describe('elasticsearch params', () => {
  it('has defaults (so a bare handler points at localhost) and accepts snake_case', () => {
    const parsed = info.params.parse({});
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.urls, ['http://localhost:9200']);
    assert.equal(parsed.value.indexPrefix, 'istio-logs-');
    assert.equal(parsed.value.indexDateFormat, 'YYYY.MM.DD');
    assert.equal(parsed.value.maxBatchEntries, 1000);
    const snake = info.params.parse({ index_prefix: 'mesh-', max_buffered_entries: 7 });
    assert.ok(snake.ok);
    assert.deepEqual([snake.value.indexPrefix, snake.value.maxBufferedEntries], ['mesh-', 7]);
  });

  it('validates URLs, index names, authentication and durations with the field at fault', () => {
    assert.deepEqual(configProblems(info, { params: {} }), []);
    assert.deepEqual(
      configProblems(info, {
        params: { urls: ['ftp://es:21', 'not a url'], indexPrefix: 'Istio-', tracespanIndexPrefix: '_traces', username: 'elastic', apiKey: 'k', pushTimeoutDuration: '0s' },
      }),
      [
        { field: 'params.urls[0]', message: '"ftp://es:21" must be an http or https URL' },
        { field: 'params.urls[1]', message: '"not a url" is not a URL' },
        { field: 'params.indexPrefix', message: 'with indexDateFormat "YYYY.MM.DD" makes index names like "Istio-2019.12.31", which contains "I" (index names are lowercase, without \\ / * ? " < > | space , # :)' },
        { field: 'params.tracespanIndexPrefix', message: 'with indexDateFormat "YYYY.MM.DD" makes index names like "_traces2019.12.31", which starts with -, _ or +' },
        { field: 'params.password', message: 'username and password go together' },
        { field: 'params.apiKey', message: 'use either apiKey or username and password, not both' },
        { field: 'params.pushTimeoutDuration', message: 'must be at least 1ms, got 0s' },
      ],
    );
    assert.equal(configProblems(info, { params: { indexDateFormat: 'YYYY/MM' } })[0]?.field, 'params.indexPrefix');
    assert.deepEqual(configProblems(info, { params: { urls: [] } }).map((problem) => problem.field), ['params.urls']);
  });

  it('refuses logentry variables named like the fields the adapter writes', () => {
    const instances = [{ name: INSTANCE, template: 'logentry' as const, types: { variables: { instance: ValueType.STRING, path: ValueType.STRING } } }];
    assert.deepEqual(configProblems(info, { instances }), [
      { field: `instances.${INSTANCE}.variables.instance`, message: 'collides with the "instance" field the adapter writes; rename the variable' },
    ]);
  });
});

describe('elasticsearch bulk bodies', () => {
  it('indexes a logentry into istio-logs-<UTC date of the entry>, mapping every attribute type to JSON', async () => {
    const { env, handler, bodies, paths } = await setup();
    handler.handleLogEntry([
      logEntry(
        {
          path: '/a',
          code: 200,
          big: 9007199254740993n,
          ratio: 0.25,
          nan: Number.NaN,
          ok: true,
          latency: Duration.parse('1.5s'),
          tiny: Duration.parse('250us'),
          sourceIp: IpAddress.parse('10.1.2.3'),
          v6: IpAddress.parse('2001:db8::1'),
          at: Timestamp.parse('2019-05-06T07:08:09.5Z'),
          headers: StringMap.fromObject({ 'x-a': '1', 'x-b': '"2"' }),
          raw: new Uint8Array([1, 2, 3]),
          missing: undefined,
        },
        { monitoredResourceType: 'k8s_container', monitoredResourceDimensions: { cluster: 'c1' } },
      ),
      logEntry({ n: 2 }, { timestamp: Timestamp.parse('2019-12-31T23:30:00-01:00'), severity: undefined }),
      logEntry({ n: 3 }, { timestamp: undefined }),
    ]);
    await env.advance(1000);
    await handler.flush();
    assert.deepEqual(paths, ['/_bulk']);
    assert.equal(
      bodies[0],
      '{"index":{"_index":"istio-logs-2019.05.06"}}\n' +
        '{"@timestamp":"2019-05-06T07:08:09.123456789Z","instance":"accesslog.instance.istio-system","severity":"info",' +
        '"monitored_resource":{"type":"k8s_container","dimensions":{"cluster":"c1"}},' +
        '"path":"/a","code":200,"big":9007199254740993,"ratio":0.25,"nan":null,"ok":true,"latency":1500,"tiny":0.25,' +
        '"sourceIp":"10.1.2.3","v6":"2001:db8::1","at":"2019-05-06T07:08:09.5Z","headers":{"x-a":"1","x-b":"\\"2\\""},"raw":"AQID"}\n' +
        '{"index":{"_index":"istio-logs-2020.01.01"}}\n' +
        '{"@timestamp":"2020-01-01T00:30:00Z","instance":"accesslog.instance.istio-system","n":2}\n' +
        '{"index":{"_index":"istio-logs-2020.01.01"}}\n' +
        '{"@timestamp":"2020-01-01T00:00:00Z","instance":"accesslog.instance.istio-system","severity":"info","n":3}\n',
    );
    assert.equal(handler.stats.sent, 3);
  });

  it('uses the configured prefixes and date pattern', async () => {
    const { env, handler, bodies } = await setup({ indexPrefix: 'mesh-access-', tracespanIndexPrefix: 'mesh-spans-', indexDateFormat: 'YYYY-MM-DD.HH' });
    handler.handleLogEntry([logEntry({ n: 1 })]);
    await env.advance(1000);
    await handler.flush();
    assert.equal(bodies[0]?.split('\n')[0], JSON.stringify(action('mesh-access-2019-05-06.07')));
  });

  it('writes create actions for data streams and names the ingest pipeline when configured', async () => {
    const { env, handler, bodies, paths } = await setup({ bulkAction: 'create', pipeline: 'geoip', indexPrefix: 'logs-istio-default', indexDateFormat: '' });
    handler.handleLogEntry([logEntry({ n: 1 })]);
    await env.advance(1000);
    await handler.flush();
    assert.deepEqual(paths, ['/_bulk?pipeline=geoip']);
    assert.equal(bodies[0], ndjson({ create: { _index: 'logs-istio-default' } }, { '@timestamp': '2019-05-06T07:08:09.123456789Z', instance: INSTANCE, severity: 'info', n: 1 }));
    assert.equal(handler.stats.sent, 1);
  });

  it('indexes a tracespan into istio-traces-<UTC date of its start>', async () => {
    const { env, handler, bodies } = await setup();
    const span: TraceSpanInstance = {
      name: 'span.instance.istio-system',
      traceId: 'abc',
      spanId: 'def',
      parentSpanId: undefined,
      spanName: 'GET /a',
      startTime: Timestamp.parse('2019-05-06T07:08:09Z'),
      endTime: Timestamp.parse('2019-05-06T07:08:09.0125Z'),
      spanTags: { 'http.method': 'GET', size: 10 },
      httpStatusCode: 200,
      clientSpan: false,
      rewriteClientSpanId: false,
      sourceName: 'productpage',
      sourceIp: IpAddress.parse('10.0.0.1'),
      destinationName: 'reviews',
      destinationIp: undefined,
      requestSize: 0,
      requestTotalSize: undefined,
      responseSize: 512,
      responseTotalSize: undefined,
      apiProtocol: 'http',
    };
    handler.handleTraceSpan([span]);
    await env.advance(1000);
    await handler.flush();
    assert.equal(
      bodies[0],
      ndjson(action('istio-traces-2019.05.06'), {
        '@timestamp': '2019-05-06T07:08:09Z',
        instance: 'span.instance.istio-system',
        traceId: 'abc',
        spanId: 'def',
        spanName: 'GET /a',
        startTime: '2019-05-06T07:08:09Z',
        endTime: '2019-05-06T07:08:09.0125Z',
        durationMs: 12.5,
        httpStatusCode: 200,
        clientSpan: false,
        sourceName: 'productpage',
        sourceIp: '10.0.0.1',
        destinationName: 'reviews',
        requestSize: 0,
        responseSize: 512,
        apiProtocol: 'http',
        spanTags: { 'http.method': 'GET', size: 10 },
      }),
    );
  });

  it('sends a full batch at once and splits by maxBatchEntries and maxBatchSizeBytes', async () => {
    const { handler, bodies } = await setup({ maxBatchEntries: 2, pushIntervalDuration: '1h' });
    handler.handleLogEntry([logEntry({ n: 1 }), logEntry({ n: 2 }), logEntry({ n: 3 })]);
    await handler.flush();
    assert.deepEqual(bodies.map((body) => body.split('\n').length - 1), [4, 2]);
    const small = await setup({ maxBatchSizeBytes: 350, pushIntervalDuration: '1h' });
    small.handler.handleLogEntry([logEntry({ n: 1 }), logEntry({ n: 2 }), logEntry({ n: 3 })]);
    await small.handler.flush();
    assert.deepEqual(small.bodies.map((body) => body.split('\n').length - 1), [4, 2]);
  });
});

describe('elasticsearch failures', () => {
  it('retries items refused with 429 or 5xx and drops (and counts) items refused with another 4xx', async () => {
    const { env, handler, bodies, answer } = await setup();
    answer([{ status: 201 }, { status: 429, type: 'es_rejected_execution_exception' }, { status: 400, type: 'mapper_parsing_exception' }, { status: 503, type: 'unavailable_shards_exception' }]);
    handler.handleLogEntry([1, 2, 3, 4].map((n) => logEntry({ n })));
    await env.advance(1000);
    await handler.flush();
    assert.deepEqual(handler.stats, { sent: 1, retried: 2, dropped: { buffer_full: 0, rejected: 1, closed: 0 } });
    await env.advance(999);
    await handler.flush();
    assert.equal(bodies.length, 1, 'the retry waits for the backoff');
    await env.advance(1);
    await handler.flush();
    const document = (n: number) => ({ '@timestamp': '2019-05-06T07:08:09.123456789Z', instance: INSTANCE, severity: 'info', n });
    assert.equal(bodies[1], ndjson(action('istio-logs-2019.05.06'), document(2), action('istio-logs-2019.05.06'), document(4)));
    assert.deepEqual(handler.stats, { sent: 3, retried: 2, dropped: { buffer_full: 0, rejected: 1, closed: 0 } });
    const metric = await env.metrics.getSingleMetricAsString('mixer_adapter_elasticsearch_entries_dropped_total');
    assert.match(metric, /reason="rejected"} 1$/m);
  });

  it('retries a whole request answered 429 or 5xx, or lost on the way, and drops one answered 4xx', async () => {
    const { env, handler, bodies, answer } = await setup({ initialBackoffDuration: '100ms' });
    const failure = (statusCode: number) => new errors.ResponseError({ body: { error: { type: 'x' }, status: statusCode }, statusCode, headers: {}, warnings: null, meta: {} as never });
    answer(failure(503), failure(429), new errors.ConnectionError('connect ECONNREFUSED'), []);
    handler.handleLogEntry([logEntry({ n: 1 })]);
    for (const wait of [1000, 100, 200, 400]) {
      await env.advance(wait);
      await handler.flush();
    }
    assert.equal(bodies.length, 4);
    assert.ok(bodies.every((body) => body === bodies[0]), 'the same body every time');
    assert.deepEqual(handler.stats, { sent: 1, retried: 3, dropped: { buffer_full: 0, rejected: 0, closed: 0 } });
    answer(failure(400));
    handler.handleLogEntry([logEntry({ n: 2 }), logEntry({ n: 3 })]);
    await env.advance(1000);
    await handler.flush();
    assert.equal(bodies.length, 5);
    assert.equal(handler.stats.dropped.rejected, 2);
    assert.equal(handler.buffered, 0);
  });

  it('never makes Report wait: a hanging request is abandoned after the push timeout and retried', async () => {
    const { env, handler, bodies, hold } = await setup({ pushTimeoutDuration: '2s' });
    const release = hold();
    handler.handleLogEntry([logEntry({ n: 1 })]);
    await env.advance(1000);
    const returned: unknown = handler.handleLogEntry([logEntry({ n: 2 })]);
    assert.equal(returned, undefined);
    assert.equal(handler.buffered, 1);
    await env.advance(2000);
    await handler.flush();
    assert.equal(handler.stats.retried, 1);
    release();
    await env.advance(1000);
    await handler.flush();
    assert.equal(handler.stats.sent, 2);
    assert.equal(bodies.length, 2);
    assert.equal(bodies[1]?.split('\n').length, 5, 'the retried document and the newer one');
  });

  it('keeps at most maxBufferedEntries while Elasticsearch is down, dropping the oldest', async () => {
    const { env, handler, bodies, answer } = await setup({ maxBufferedEntries: 2, initialBackoffDuration: '100ms' });
    answer(new errors.ConnectionError('connect ECONNREFUSED'));
    handler.handleLogEntry([logEntry({ n: 1 })]);
    await env.advance(1000);
    await handler.flush();
    handler.handleLogEntry([logEntry({ n: 2 }), logEntry({ n: 3 })]);
    assert.equal(handler.stats.dropped.buffer_full, 1);
    await env.advance(100);
    await handler.flush();
    assert.deepEqual(bodies[1]?.split('\n').filter((_, index) => index % 2 === 1).map((line) => (JSON.parse(line) as { n: number }).n), [2, 3]);
    assert.equal(handler.stats.sent, 2);
  });

  it('flushes on close, then closes the client', async () => {
    const { handler, bodies, closedConnections } = await setup({ pushIntervalDuration: '1h' });
    handler.handleLogEntry([logEntry({ n: 1 })]);
    await handler.close();
    assert.equal(bodies.length, 1);
    assert.equal(closedConnections(), 1);
    assert.equal(handler.stats.sent, 1);
  });
});
