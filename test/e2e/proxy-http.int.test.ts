import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';
import type { SidecarProxy } from '../../proxy/sidecar-proxy.js';
import { accessLogLines, call, startRecordingApp, startSidecar, type AccessLogLine, type RecordingApp } from '../../proxy/testing/mesh-fixture.js';

// reviews-v2 calls ratings through its outbound sidecar and ratings' inbound sidecar, with a
// real Mixer (gRPC API) deciding and the stdio adapter logging every report.

const LOG_VARIABLES = {
  reporter: 'context.reporter.kind | "MISSING"',
  protocol: 'context.protocol | "MISSING"',
  sourceUid: 'source.uid | "MISSING"',
  sourceApp: 'source.labels["app"] | "MISSING"',
  sourceNamespace: 'source.namespace | "MISSING"',
  destinationUid: 'destination.uid | "MISSING"',
  destinationApp: 'destination.labels["app"] | "MISSING"',
  destinationService: 'destination.service.host | "MISSING"',
  destinationPort: 'destination.port | 0',
  method: 'request.method | "MISSING"',
  path: 'request.path | "MISSING"',
  urlPath: 'request.url_path | "MISSING"',
  host: 'request.host | "MISSING"',
  requestId: 'request.id | "MISSING"',
  userAgent: 'request.useragent | "MISSING"',
  code: 'response.code | 0',
  responseSize: 'response.size | 999',
  requestSize: 'request.size | 999',
  errorCode: 'check.error_code | 999',
};

function mixerConfig(logFile: string): string {
  const variables = Object.entries(LOG_VARIABLES)
    .map(([name, expression]) => `    ${name}: '${expression}'`)
    .join('\n');
  return [
    resource('handler', 'filelog', `compiledAdapter: stdio\nparams:\n  logStream: FILE\n  outputPath: ${logFile}\n  outputAsJson: true`),
    resource('instance', 'accesslog', `compiledTemplate: logentry\nparams:\n  severity: '"Info"'\n  timestamp: request.time\n  variables:\n${variables}`),
    resource('rule', 'telemetry', 'match: context.protocol == "http"\nactions:\n- handler: filelog\n  instances: [ accesslog ]'),
    resource('handler', 'denyheader', 'compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: denied by policy'),
    resource('instance', 'nothing', 'compiledTemplate: checknothing'),
    resource('rule', 'denyheader', 'match: request.headers["x-deny"] == "yes"\nactions:\n- handler: denyheader\n  instances: [ nothing ]'),
    resource(
      'handler',
      'moved',
      "compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: moved\n    details:\n    - '@type': type.googleapis.com/istio.policy.v1beta1.DirectHttpResponse\n      code: 302\n      body: see /new\n      headers:\n        location: /new",
    ),
    resource('rule', 'moved', 'match: request.url_path == "/old"\nactions:\n- handler: moved\n  instances: [ nothing ]'),
    resource(
      'rule',
      'rewrite',
      'match: request.url_path == "/rewrite" && context.reporter.kind == "outbound"\nrequestHeaderOperations:\n- name: x-mixer-caller\n  values: [ \'source.labels["app"] | "unknown"\' ]\nresponseHeaderOperations:\n- name: x-powered-by\n  operation: REMOVE\n- name: x-mixer-response\n  values: [ \'"done"\' ]',
    ),
    resource('handler', 'quotahandler', 'compiledAdapter: memquota\nparams:\n  quotas:\n  - name: requestcount.instance.istio-system\n    maxAmount: 2\n    validDuration: 60s'),
    resource('instance', 'requestcount', 'compiledTemplate: quota\nparams:\n  dimensions:\n    destination: destination.service.name | "unknown"'),
    resource('rule', 'quota', 'actions:\n- handler: quotahandler\n  instances: [ requestcount ]'),
  ].join('');
}

describe('HTTP through an outbound and an inbound sidecar with a real Mixer', () => {
  let directory: string;
  let logFile: string;
  let mixer: RunningMixer;
  let app: RecordingApp;
  let inbound: SidecarProxy;
  let outbound: SidecarProxy;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mixer-proxy-'));
    logFile = join(directory, 'access.log');
    mixer = await startMixer({ 'mesh.yaml': mixerConfig(logFile) });
    app = await startRecordingApp();
    const mixerBlock = `mixer:\n  address: ${mixer.grpcAddress}\n  failPolicy: FAIL_CLOSE\n  reportBatchTimeMs: 20\n`;
    inbound = await startSidecar(
      `workload:\n  name: ratings-v1-abc\n  labels: { app: ratings, version: v1 }\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${app.port}\n${mixerBlock}quotaSpecs:\n- rules:\n  - match:\n    - clause:\n        request.url_path: { prefix: /limited }\n    quotas:\n    - quota: requestcount\n      charge: 1\n`,
    );
    outbound = await startSidecar(
      `workload:\n  name: reviews-v2-xyz\n  labels: { app: reviews, version: v2 }\noutbound:\n  listen: 127.0.0.1:0\n${mixerBlock}registry: unused.yaml\n`,
      `services:\n- host: ratings.default.svc.cluster.local\n  endpoints:\n  - address: 127.0.0.1:${inbound.addresses.inbound!.port}\n    name: ratings-v1-abc\n    labels: { app: ratings, version: v1 }\n`,
    );
  });
  after(async () => {
    await outbound.close();
    await inbound.close();
    await app.close();
    await mixer.close();
    await rm(directory, { recursive: true, force: true });
  });

  const viaMesh = (path: string, headers: Record<string, string> = {}) => call(outbound.addresses.outbound!.port, path, { host: 'ratings:9080', headers: { 'user-agent': 'e2e', ...headers } });

  test('an allowed call reaches the app and both sidecars report it with the caller and callee identities', async () => {
    const reply = await viaMesh('/ratings/7?user=u1');
    assert.equal(reply.status, 200);
    assert.equal(app.seen.at(-1)?.url, '/ratings/7?user=u1');
    const requestId = app.seen.at(-1)?.headers['x-request-id'];
    let lines: AccessLogLine[] = [];
    await eventually(async () => {
      lines = (await accessLogLines(logFile)).filter((line) => line['requestId'] === requestId);
      return lines.length === 2;
    }, 5000, 'an access log line from each sidecar');
    const byReporter = new Map(lines.map((line) => [line['reporter'], line]));
    for (const reporter of ['outbound', 'inbound']) {
      const line = byReporter.get(reporter);
      assert.ok(line !== undefined, `a ${reporter} line`);
      assert.equal(line['protocol'], 'http');
      // The caller's identity is known where it is the sidecar's own (outbound); the inbound side
      // takes only the caller's namespace claim from x-istio-attributes, which is not authenticated.
      assert.equal(line['sourceUid'], reporter === 'outbound' ? 'kubernetes://reviews-v2-xyz.default' : 'MISSING');
      assert.equal(line['sourceApp'], reporter === 'outbound' ? 'reviews' : 'MISSING');
      assert.equal(line['sourceNamespace'], 'default');
      assert.equal(line['destinationUid'], 'kubernetes://ratings-v1-abc.default');
      assert.equal(line['destinationApp'], 'ratings');
      assert.equal(line['destinationService'], 'ratings.default.svc.cluster.local');
      assert.equal(line['method'], 'GET');
      assert.equal(line['path'], '/ratings/7?user=u1');
      assert.equal(line['urlPath'], '/ratings/7');
      assert.equal(line['host'], 'ratings:9080');
      assert.equal(line['userAgent'], 'e2e');
      assert.equal(line['code'], 200);
      assert.equal(line['responseSize'], Buffer.byteLength(reply.body));
      assert.equal(line['requestSize'], 0);
      assert.equal(line['errorCode'], 999);
    }
    assert.equal(byReporter.get('inbound')?.['destinationPort'], app.port);
    assert.equal(byReporter.get('outbound')?.['destinationPort'], inbound.addresses.inbound!.port);
  });

  test('a denied call gets 403 with the status message, never reaches the app, and is reported with check.error_code', async () => {
    const before = app.seen.length;
    const reply = await viaMesh('/ratings/1', { 'x-deny': 'yes', 'x-request-id': 'denied-1' });
    assert.equal(reply.status, 403);
    assert.match(reply.body, /PERMISSION_DENIED/);
    assert.match(reply.body, /denied by policy/);
    assert.equal(app.seen.length, before);
    await eventually(async () => (await accessLogLines(logFile)).some((line) => line['requestId'] === 'denied-1' && line['code'] === 403 && line['errorCode'] === 7), 5000, 'the denial in the log');
  });

  test('the route directive rewrites request and response headers', async () => {
    // The rule acts at the outbound sidecar, where source.labels are the caller's own (the inbound side no longer takes them from x-istio-attributes).
    const reply = await viaMesh('/rewrite');
    assert.equal(reply.status, 200);
    const seen = app.seen.at(-1)!;
    assert.equal(seen.url, '/rewrite');
    assert.equal(seen.headers['x-mixer-caller'], 'reviews');
    assert.equal(reply.headers['x-mixer-response'], 'done');
    assert.equal(reply.headers['x-powered-by'], undefined);
    const plain = await viaMesh('/plain');
    assert.equal(plain.headers['x-powered-by'], 'recording-app', 'other paths keep the header');
  });

  test('a direct response is sent by the sidecar with its code, body and headers', async () => {
    const before = app.seen.length;
    const reply = await viaMesh('/old');
    assert.equal(reply.status, 302);
    assert.equal(reply.body, 'see /new');
    assert.equal(reply.headers.location, '/new');
    assert.equal(app.seen.length, before);
  });

  test('a quota from the QuotaSpec is enforced: 429 once memquota runs out', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 8; index++) statuses.push((await viaMesh(`/limited/${index}`)).status);
    assert.equal(statuses[0], 200, `first call allowed: ${statuses.join(',')}`);
    assert.ok(statuses.includes(429), `a 429 among ${statuses.join(',')}`);
    assert.ok(statuses.every((status) => status === 200 || status === 429), statuses.join(','));
    assert.ok(statuses.filter((status) => status === 200).length <= 3, `memquota allows 2 (one optimistic grant at most): ${statuses.join(',')}`);
    const limited = await viaMesh('/limited/again');
    assert.equal(limited.status, 429);
    assert.match(limited.body, /RESOURCE_EXHAUSTED:Quota is exhausted for: requestcount/);
    assert.equal((await viaMesh('/unlimited')).status, 200, 'paths outside the QuotaSpec are not charged');
  });
});
