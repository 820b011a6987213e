import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StringMap } from '../../core/attribute/string-map.js';
import type { AttributeValue } from '../../core/attribute/value.js';
import { FORWARDED_ATTRIBUTES_HEADER, forwardedAttributesHeader } from '../../proxy/forwarded-attributes.js';
import type { SidecarProxy } from '../../proxy/sidecar-proxy.js';
import { accessLogLines, call, startRecordingApp, startSidecar, type AccessLogLine, type RecordingApp } from '../../proxy/testing/mesh-fixture.js';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';

// Issue 13, defect 5: anyone who can reach an inbound port could claim any identity with a
// forged x-istio-attributes header. A real Mixer guards /admin/* on the caller's principal,
// user, uid and labels and logs who it saw; a caller forges each claim straight at the inbound
// sidecar (no outbound sidecar in between), as an attacker on the network would.

const ADMIN_PRINCIPAL = 'spiffe://cluster.local/ns/default/sa/admin';
const ADMIN_UID = 'kubernetes://admin-v1.default';

/** Each guarded path and the one identity claim that would open it. */
const GUARDS = {
  principal: `(source.principal | "") != "${ADMIN_PRINCIPAL}"`,
  user: '(source.user | "") != "admin"',
  uid: `(source.uid | "") != "${ADMIN_UID}"`,
  labels: '(source.labels["role"] | "") != "admin"',
  workload: '(source.workload.name | "") != "admin-v1"',
};

function mixerConfig(logFile: string): string {
  const guards = Object.entries(GUARDS).map(([claim, missing]) => resource('rule', `admin-by-${claim}`, `match: request.url_path == "/admin/${claim}" && ${missing}\nactions:\n- handler: adminsonly\n  instances: [ nothing ]`));
  return [
    resource('handler', 'filelog', `compiledAdapter: stdio\nparams:\n  logStream: FILE\n  outputPath: ${logFile}\n  outputAsJson: true`),
    resource(
      'instance',
      'accesslog',
      [
        'compiledTemplate: logentry',
        'params:',
        `  severity: '"Info"'`,
        '  timestamp: request.time',
        '  variables:',
        `    requestId: request.id | "NONE"`,
        `    code: response.code | 0`,
        `    principal: source.principal | "NONE"`,
        `    user: source.user | "NONE"`,
        `    uid: source.uid | "NONE"`,
        `    name: source.name | "NONE"`,
        `    role: source.labels["role"] | "NONE"`,
        `    workload: source.workload.name | "NONE"`,
        `    namespace: source.namespace | "NONE"`,
        `    serviceHost: destination.service.host | "NONE"`,
        `    serviceUid: destination.service.uid | "NONE"`,
      ].join('\n'),
    ),
    resource('rule', 'telemetry', 'match: context.protocol == "http"\nactions:\n- handler: filelog\n  instances: [ accesslog ]'),
    resource('handler', 'adminsonly', 'compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: admins only'),
    resource('instance', 'nothing', 'compiledTemplate: checknothing'),
    ...guards,
  ].join('');
}

/** Every identity claim an attacker could forge, all naming the admin. */
const FORGED: [string, AttributeValue][] = [
  ['source.principal', ADMIN_PRINCIPAL],
  ['source.user', 'admin'],
  ['source.uid', ADMIN_UID],
  ['source.name', 'admin-v1'],
  ['source.labels', StringMap.fromObject({ app: 'admin', role: 'admin' })],
  ['source.workload.name', 'admin-v1'],
  ['source.workload.uid', 'istio://default/workloads/admin-v1'],
  ['source.namespace', 'ops'],
  ['destination.service.host', 'public.default.svc.cluster.local'],
  ['destination.service.uid', 'istio://default/services/ratings'],
];

describe('a forged x-istio-attributes header at the inbound sidecar, with a real Mixer', () => {
  let directory: string;
  let logFile: string;
  let mixer: RunningMixer;
  let app: RecordingApp;
  let inbound: SidecarProxy;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mixer-spoof-'));
    logFile = join(directory, 'access.log');
    mixer = await startMixer({ 'mesh.yaml': mixerConfig(logFile) });
    app = await startRecordingApp();
    inbound = await startSidecar(
      `workload:\n  name: ratings-v1\n  labels: { app: ratings, version: v1 }\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${app.port}\nmixer:\n  address: ${mixer.grpcAddress}\n  reportBatchTimeMs: 20\n  checkCacheEntries: 0\n`,
    );
  });
  after(async () => {
    await inbound.close();
    await app.close();
    await mixer.close();
    await rm(directory, { recursive: true, force: true });
  });

  const logLines = (): Promise<AccessLogLine[]> => accessLogLines(logFile);

  test('the guards open for a caller that really is the admin (Mixer asked directly)', async () => {
    const admin = { 'source.principal': ADMIN_PRINCIPAL, 'source.user': 'admin', 'source.uid': ADMIN_UID, 'source.labels': { role: 'admin' }, 'source.workload.name': 'admin-v1' };
    for (const claim of Object.keys(GUARDS)) {
      const allowed = await mixer.check({ attributes: { ...admin, 'request.url_path': `/admin/${claim}`, 'context.protocol': 'http' } });
      assert.equal(allowed.body.precondition.status.code, 0, `${claim}: ${JSON.stringify(allowed.body.precondition.status)}`);
      const denied = await mixer.check({ attributes: { 'request.url_path': `/admin/${claim}`, 'context.protocol': 'http' } });
      assert.equal(denied.body.precondition.status.code, 7, claim);
    }
  });

  test('forged identity claims stay 403, never reach the app, and the log never records them', async () => {
    const header = forwardedAttributesHeader(FORGED);
    const before = app.seen.length;
    for (const claim of Object.keys(GUARDS)) {
      const reply = await call(inbound.addresses.inbound!.port, `/admin/${claim}`, { headers: { [FORWARDED_ATTRIBUTES_HEADER]: header, 'x-request-id': `forged-${claim}` } });
      assert.equal(reply.status, 403, `${claim}: ${reply.body}`);
      assert.match(reply.body, /PERMISSION_DENIED:adminsonly\.handler\.istio-system:admins only/);
    }
    assert.equal(app.seen.length, before, 'no forged request reached the app');

    let lines: AccessLogLine[] = [];
    await eventually(async () => {
      lines = (await logLines()).filter((line) => String(line['requestId']).startsWith('forged-'));
      return lines.length === Object.keys(GUARDS).length;
    }, 5000, 'a log line per forged request');
    for (const line of lines) {
      assert.equal(line['code'], 403);
      for (const field of ['principal', 'user', 'uid', 'name', 'role', 'workload']) assert.equal(line[field], 'NONE', `${String(line['requestId'])}: ${field} is never taken from the header`);
      // Taken, as Istio's whitelist does: the caller's namespace claim, and what the sidecar does not know itself.
      assert.equal(line['namespace'], 'ops');
      assert.equal(line['serviceUid'], 'istio://default/services/ratings');
      // Known from the sidecar's own config: the header cannot override it.
      assert.equal(line['serviceHost'], 'ratings.default.svc.cluster.local');
    }
    const text = await readFile(logFile, 'utf8');
    assert.ok(!text.includes(ADMIN_PRINCIPAL) && !text.includes(ADMIN_UID), 'no forged identity anywhere in the log');
  });

  test('an unguarded path is served with the header stripped', async () => {
    const reply = await call(inbound.addresses.inbound!.port, '/public', { headers: { [FORWARDED_ATTRIBUTES_HEADER]: forwardedAttributesHeader(FORGED) } });
    assert.equal(reply.status, 200);
    assert.equal(app.seen.at(-1)?.url, '/public');
    assert.equal(app.seen.at(-1)?.headers[FORWARDED_ATTRIBUTES_HEADER], undefined);
  });
});
