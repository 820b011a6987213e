import assert from 'node:assert/strict';
import { connect as connectHttp2 } from 'node:http2';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { AttributeBag } from '../../core/attribute/bag.js';
import { IpAddress } from '../../core/attribute/ip-address.js';
import type { StringMap } from '../../core/attribute/string-map.js';
import { eventually } from '../support/mixer-harness.js';
import { FORWARDED_ATTRIBUTES_HEADER } from '../../proxy/forwarded-attributes.js';
import type { SidecarProxy } from '../../proxy/sidecar-proxy.js';
import { call, freePort, RecordingTransport, startRecordingApp, startSidecar, startTcpEcho, type RecordingApp } from '../../proxy/testing/mesh-fixture.js';

// The attribute set each side of the sidecar sends, pinned name by name against what Envoy's
// Mixer filter sent (mixer-api.md §3), with a recording stand-in for Mixer.

const CHECK_COMMON = [
  'connection.id',
  'connection.mtls',
  'context.protocol',
  'context.reporter.kind',
  'context.reporter.uid',
  'destination.labels',
  'destination.name',
  'destination.namespace',
  'destination.port',
  'destination.service.host',
  'destination.service.name',
  'destination.service.namespace',
  'destination.uid',
  'destination.ip',
  'request.headers',
  'request.host',
  'request.id',
  'request.method',
  'request.path',
  'request.query_params',
  'request.scheme',
  'request.time',
  'request.url_path',
  'request.useragent',
  'request.referer',
  'source.ip',
  'source.namespace',
];
/** Who the caller is: the outbound side knows itself; the inbound side takes none of it from the unauthenticated header. */
const OUTBOUND_SOURCE = ['source.labels', 'source.name', 'source.principal', 'source.uid'];
const REPORT_EXTRA = [
  'check.cache_hit',
  'quota.cache_hit',
  'context.time',
  'request.size',
  'request.total_size',
  'response.code',
  'response.duration',
  'response.headers',
  'response.size',
  'response.time',
  'response.total_size',
];

const names = (bag: AttributeBag): string[] => bag.names().sort();
const sorted = (list: readonly string[]): string[] => [...list].sort();

describe('the attributes a sidecar pair produces', () => {
  let app: RecordingApp;
  let inbound: SidecarProxy;
  let outbound: SidecarProxy;
  const inboundMixer = new RecordingTransport();
  const outboundMixer = new RecordingTransport();

  before(async () => {
    app = await startRecordingApp();
    inbound = await startSidecar(
      `workload:\n  name: ratings-v1-abc\n  namespace: default\n  labels: { app: ratings, version: v1 }\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${app.port}\nmixer:\n  address: grpc://127.0.0.1:1\n  reportBatchEntries: 0\n  checkCacheEntries: 0\n`,
      undefined,
      { transport: inboundMixer },
    );
    outbound = await startSidecar(
      `workload:\n  name: reviews-v2-xyz\n  namespace: default\n  labels: { app: reviews, version: v2 }\n  principal: spiffe://cluster.local/ns/default/sa/reviews\noutbound:\n  listen: 127.0.0.1:0\nmixer:\n  address: grpc://127.0.0.1:1\n  reportBatchEntries: 0\n  checkCacheEntries: 0\nregistry: unused.yaml\n`,
      `services:\n- host: ratings.default.svc.cluster.local\n  endpoints:\n  - address: 127.0.0.1:${inbound.addresses.inbound!.port}\n    name: ratings-v1-abc\n    uid: kubernetes://ratings-v1-abc.default\n    labels: { app: ratings, version: v1 }\n`,
      { transport: outboundMixer },
    );
  });
  after(async () => {
    await outbound.close();
    await inbound.close();
    await app.close();
  });

  test('outbound and inbound Check and Report carry the Istio attribute set', async () => {
    const reply = await call(outbound.addresses.outbound!.port, '/ratings/0?q=a%20b&q=2', {
      host: 'ratings',
      method: 'POST',
      headers: { 'user-agent': 'test-agent', referer: 'http://productpage', 'content-type': 'text/plain' },
      body: 'hello',
    });
    assert.equal(reply.status, 200);
    await eventually(() => inboundMixer.reports.length === 1 && outboundMixer.reports.length === 1, 5000, 'one report per side');

    const outCheck = outboundMixer.checks[0]!;
    const inCheck = inboundMixer.checks[0]!;
    const outboundCheckNames = sorted([...CHECK_COMMON, ...OUTBOUND_SOURCE]);
    assert.deepEqual(names(outCheck), outboundCheckNames);
    // The inbound side takes only source.namespace of the caller's forwarded attributes (no mTLS yet).
    assert.deepEqual(names(inCheck), sorted(CHECK_COMMON));
    assert.deepEqual(names(outboundMixer.reports[0]!), sorted([...outboundCheckNames, ...REPORT_EXTRA]));
    assert.deepEqual(names(inboundMixer.reports[0]!), sorted([...CHECK_COMMON, ...REPORT_EXTRA]));

    assert.equal(outCheck.get('context.reporter.kind'), 'outbound');
    assert.equal(inCheck.get('context.reporter.kind'), 'inbound');
    assert.equal(outCheck.get('context.protocol'), 'http');
    assert.equal(outCheck.get('source.uid'), 'kubernetes://reviews-v2-xyz.default');
    assert.equal(outCheck.get('source.principal'), 'spiffe://cluster.local/ns/default/sa/reviews');
    assert.equal((outCheck.get('source.labels') as StringMap).get('version'), 'v2');
    assert.equal(inCheck.get('source.namespace'), 'default', 'source.namespace forwarded in x-istio-attributes');
    assert.equal(outCheck.get('destination.uid'), 'kubernetes://ratings-v1-abc.default');
    assert.equal(inCheck.get('destination.uid'), 'kubernetes://ratings-v1-abc.default');
    assert.equal(outCheck.get('destination.service.host'), 'ratings.default.svc.cluster.local');
    assert.equal(inCheck.get('destination.service.name'), 'ratings');
    assert.equal(outCheck.get('destination.port'), inbound.addresses.inbound!.port);
    assert.equal(inCheck.get('destination.port'), app.port);
    assert.ok((outCheck.get('destination.ip') as IpAddress).equals(IpAddress.parse('127.0.0.1')));
    assert.equal(outCheck.get('request.path'), '/ratings/0?q=a%20b&q=2');
    assert.equal(outCheck.get('request.url_path'), '/ratings/0');
    assert.equal((outCheck.get('request.query_params') as StringMap).get('q'), 'a b');
    assert.equal(outCheck.get('request.method'), 'POST');
    assert.equal(outCheck.get('request.host'), 'ratings');
    assert.equal(outCheck.get('request.useragent'), 'test-agent');
    assert.equal(outCheck.get('request.referer'), 'http://productpage');
    assert.equal((outCheck.get('request.headers') as StringMap).get('content-type'), 'text/plain');
    const id = outCheck.get('request.id');
    assert.equal(typeof id, 'string');
    assert.equal(inCheck.get('request.id'), id, 'the same x-request-id on both hops');

    const report = inboundMixer.reports[0]!;
    assert.equal(report.get('response.code'), 200);
    assert.equal(report.get('request.size'), 5);
    assert.ok((report.get('request.total_size') as number) > 5);
    const size = report.get('response.size') as number;
    assert.equal(size, Buffer.byteLength(reply.body));
    assert.ok((report.get('response.total_size') as number) > size);
    assert.equal((report.get('response.headers') as StringMap).get('x-powered-by'), 'recording-app');
    assert.equal(report.get('check.cache_hit'), false);

    const seen = app.seen[0]!;
    assert.equal(seen.headers[FORWARDED_ATTRIBUTES_HEADER], undefined, 'the inbound side strips x-istio-attributes');
    assert.equal(seen.headers['x-request-id'], id);
    assert.equal(seen.body, 'hello');
  });

  test('an unknown service host is answered 502 and reported with context.proxy_error_code NR', async () => {
    const before = outboundMixer.reports.length;
    const reply = await call(outbound.addresses.outbound!.port, '/', { host: 'nowhere.example.com' });
    assert.equal(reply.status, 502);
    assert.match(reply.body, /nowhere\.example\.com/);
    await eventually(() => outboundMixer.reports.length === before + 1, 5000, 'the report');
    const report = outboundMixer.reports[before]!;
    assert.equal(report.get('context.proxy_error_code'), 'NR');
    assert.equal(report.get('response.code'), 502);
  });
});

describe('bad input at the sidecar', () => {
  let app: RecordingApp;
  let inbound: SidecarProxy;
  const mixer = new RecordingTransport();

  before(async () => {
    app = await startRecordingApp();
    inbound = await startSidecar(`workload:\n  name: app-v1\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${app.port}\nmixer:\n  address: grpc://127.0.0.1:1\n  reportBatchEntries: 0\n`, undefined, { transport: mixer });
  });
  after(async () => {
    await inbound.close();
    await app.close();
  });

  test('a malformed HTTP request gets 400 and the sidecar keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: inbound.addresses.inbound!.port });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.end('THIS IS NOT HTTP\r\n\r\n');
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    assert.equal((await call(inbound.addresses.inbound!.port, '/still-up')).status, 200);
  });

  test('a malformed x-istio-attributes header is ignored and removed; the request goes on', async () => {
    const before = mixer.checks.length;
    const reply = await call(inbound.addresses.inbound!.port, '/forged', { headers: { [FORWARDED_ATTRIBUTES_HEADER]: 'bm90IGEgbWVzc2FnZQ==!!' } });
    assert.equal(reply.status, 200);
    assert.equal(app.seen.at(-1)?.headers[FORWARDED_ATTRIBUTES_HEADER], undefined);
    assert.equal(mixer.checks[before]?.get('source.uid'), undefined);
  });
});

describe('outbound endpoint selection', () => {
  let app: RecordingApp;
  let inbound: SidecarProxy;
  let outbound: SidecarProxy;
  const mixer = new RecordingTransport();

  before(async () => {
    app = await startRecordingApp();
    inbound = await startSidecar(`workload:\n  name: live-v1\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${app.port}\nmixer:\n  address: grpc://127.0.0.1:1\n  disableReport: true\n`, undefined, { transport: new RecordingTransport() });
    const dead = await freePort();
    outbound = await startSidecar(
      `workload:\n  name: caller\noutbound:\n  listen: 127.0.0.1:0\nmixer:\n  address: grpc://127.0.0.1:1\n  reportBatchEntries: 0\nregistry: unused.yaml\n`,
      `services:\n- host: svc.default.svc.cluster.local\n  endpoints:\n  - { address: "127.0.0.1:${dead}", name: dead-v1 }\n  - { address: "127.0.0.1:${inbound.addresses.inbound!.port}", name: live-v1 }\n- host: gone.default.svc.cluster.local\n  endpoints:\n  - { address: "127.0.0.1:${dead}", name: dead-v1 }\n`,
      { transport: mixer },
    );
  });
  after(async () => {
    await outbound.close();
    await inbound.close();
    await app.close();
  });

  test('a connect failure is retried on another endpoint, which is then reported as the destination; the dead one is ejected', async () => {
    const before = mixer.reports.length;
    for (let index = 0; index < 4; index++) assert.equal((await call(outbound.addresses.outbound!.port, `/try/${index}`, { host: 'svc' })).status, 200);
    await eventually(() => mixer.reports.length === before + 4, 5000, 'four reports');
    const destinations = mixer.reports.slice(before).map((report) => report.get('destination.name'));
    assert.deepEqual(destinations, ['live-v1', 'live-v1', 'live-v1', 'live-v1']);
    assert.equal(app.seen.filter((seen) => seen.url.startsWith('/try/')).length, 4);
  });

  test('an app configured with the sidecar as its HTTP proxy (absolute-form request line) is routed by the URL', async () => {
    const before = mixer.reports.length;
    const reply = await call(outbound.addresses.outbound!.port, 'http://svc:9080/absolute?x=1', { host: 'svc:9080' });
    assert.equal(reply.status, 200);
    assert.equal(app.seen.at(-1)?.url, '/absolute?x=1');
    await eventually(() => mixer.reports.length === before + 1, 5000, 'the report');
    assert.equal(mixer.reports[before]!.get('request.path'), '/absolute?x=1');
    assert.equal(mixer.reports[before]!.get('request.host'), 'svc:9080');
  });

  test('with no endpoint accepting, the caller gets 503 reported as UF', async () => {
    const before = mixer.reports.length;
    const reply = await call(outbound.addresses.outbound!.port, '/', { host: 'gone' });
    assert.equal(reply.status, 503);
    assert.match(reply.body, /upstream connect error/);
    await eventually(() => mixer.reports.length === before + 1, 5000, 'the report');
    assert.equal(mixer.reports[before]!.get('context.proxy_error_code'), 'UF');
  });
});

describe("mixerAttributes (Istio's mixer_attributes) from the sidecar's config", () => {
  let app: RecordingApp;
  let echo: { port: number; close(): Promise<void> };
  let http: SidecarProxy;
  let tcp: SidecarProxy;
  const httpMixer = new RecordingTransport();
  const tcpMixer = new RecordingTransport();
  const block = [
    'mixerAttributes:',
    '  destination.service.uid: istio://default/services/ratings',
    '  destination.port: "9080"',
    '  team.labels: { owner: payments }',
    '  context.reporter.kind: gateway',
  ].join('\n');

  before(async () => {
    app = await startRecordingApp();
    echo = await startTcpEcho();
    const mixer = 'mixer:\n  address: grpc://127.0.0.1:1\n  reportBatchEntries: 0\n  checkCacheEntries: 0\n';
    http = await startSidecar(`workload:\n  name: ratings-v1\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${app.port}\n${mixer}${block}\n`, undefined, { transport: httpMixer });
    tcp = await startSidecar(`workload:\n  name: db-v1\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${echo.port}\n  protocol: tcp\n${mixer}${block}\n`, undefined, { transport: tcpMixer });
  });
  after(async () => {
    await Promise.all([http.close(), tcp.close()]);
    await Promise.all([app.close(), echo.close()]);
  });

  test('go with every HTTP Check and Report, typed by the vocabulary; what the proxy sets itself wins', async () => {
    assert.equal((await call(http.addresses.inbound!.port, '/static')).status, 200);
    await eventually(() => httpMixer.reports.length === 1, 5000, 'the report');
    for (const bag of [httpMixer.checks[0]!, httpMixer.reports[0]!]) {
      assert.equal(bag.get('destination.service.uid'), 'istio://default/services/ratings');
      assert.deepEqual((bag.get('team.labels') as StringMap).toObject(), { owner: 'payments' });
      // The sidecar's own: the app's port and the reporter kind, not the config's.
      assert.equal(bag.get('destination.port'), app.port);
      assert.equal(bag.get('context.reporter.kind'), 'inbound');
    }
  });

  test('go with TCP reports too', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: tcp.addresses.inbound!.port }, () => socket.end('x'));
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.resume();
    });
    await eventually(() => tcpMixer.reports.some((bag) => bag.get('connection.event') === 'close'), 5000, 'the close report');
    for (const bag of [tcpMixer.checks[0]!, ...tcpMixer.reports]) {
      assert.equal(bag.get('destination.service.uid'), 'istio://default/services/ratings');
      assert.equal(bag.get('context.reporter.kind'), 'inbound');
    }
  });
});

describe('connection.id on a port that speaks HTTP/1.1 and HTTP/2', () => {
  let app: RecordingApp;
  let inbound: SidecarProxy;
  const mixer = new RecordingTransport();

  before(async () => {
    app = await startRecordingApp();
    inbound = await startSidecar(`workload:\n  name: web-v1\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${app.port}\nmixer:\n  address: grpc://127.0.0.1:1\n  reportBatchEntries: 0\n`, undefined, { transport: mixer });
  });
  after(async () => {
    await inbound.close();
    await app.close();
  });

  test('an HTTP/1.1 connection and an HTTP/2 one are numbered apart', async () => {
    assert.equal((await call(inbound.addresses.inbound!.port, '/h1')).status, 200);
    // The app speaks HTTP/1.1 only, so the HTTP/2 call fails upstream; it is reported all the same.
    const session = connectHttp2(`http://127.0.0.1:${inbound.addresses.inbound!.port}`);
    session.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      const stream = session.request({ ':path': '/h2', ':authority': 'web' });
      stream.on('error', () => resolve());
      stream.on('close', () => resolve());
      stream.resume();
      stream.end();
    });
    session.close();
    await eventually(() => mixer.reports.length === 2, 5000, 'both reports');
    const [first, second] = mixer.reports.map((bag) => bag.get('connection.id'));
    assert.equal(typeof first, 'string');
    assert.notEqual(first, second);
  });
});
