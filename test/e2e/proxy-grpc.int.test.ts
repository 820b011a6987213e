import assert from 'node:assert/strict';
import { Client, Metadata, Server, ServerCredentials, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, resource, startMixer, type RunningMixer } from '../support/mixer-harness.js';
import type { SidecarProxy } from '../../proxy/sidecar-proxy.js';
import { accessLogLines, call, startRecordingApp, startSidecar, type AccessLogLine, type RecordingApp } from '../../proxy/testing/mesh-fixture.js';

// gRPC over HTTP/2 cleartext through an outbound and an inbound sidecar, with a real Mixer.

const PATH = '/test.Greeter/Hello';
const identity = (value: Buffer): Buffer => value;

async function startGreeter(): Promise<{ port: number; metadata: Metadata[]; close(): Promise<void> }> {
  const server = new Server();
  const metadata: Metadata[] = [];
  server.addService(
    { hello: { path: PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    {
      hello: (call: { request: Buffer; metadata: Metadata }, callback: (error: Partial<ServiceError> | null, value?: Buffer) => void) => {
        metadata.push(call.metadata);
        const name = call.request.toString();
        if (name === 'nobody') callback({ code: status.NOT_FOUND, details: 'no such person' });
        else callback(null, Buffer.from(`hello ${name}`));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))));
  return { port, metadata, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

function hello(client: Client, name: string, metadata = new Metadata()): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(PATH, (value: Buffer) => value, (value: Buffer) => value, Buffer.from(name), metadata, (error: ServiceError | null, value?: Buffer) => (error === null ? resolve(value!.toString()) : reject(error)));
  });
}

describe('gRPC through an outbound and an inbound sidecar with a real Mixer', () => {
  let directory: string;
  let logFile: string;
  let mixer: RunningMixer;
  let greeter: Awaited<ReturnType<typeof startGreeter>>;
  let inbound: SidecarProxy;
  let outbound: SidecarProxy;
  let client: Client;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'mixer-proxy-grpc-'));
    logFile = join(directory, 'grpc.log');
    mixer = await startMixer({
      'grpc.yaml': [
        resource('handler', 'filelog', `compiledAdapter: stdio\nparams:\n  logStream: FILE\n  outputPath: ${logFile}\n  outputAsJson: true`),
        resource(
          'instance',
          'grpclog',
          `compiledTemplate: logentry\nparams:\n  severity: '"Info"'\n  timestamp: request.time\n  variables:\n    reporter: context.reporter.kind | "MISSING"\n    protocol: context.protocol | "MISSING"\n    path: request.path | "MISSING"\n    code: response.code | 0\n    grpcStatus: response.grpc_status | "MISSING"\n    grpcMessage: response.grpc_message | "MISSING"\n    source: source.uid | "MISSING"\n    destination: destination.service.host | "MISSING"`,
        ),
        resource('rule', 'grpclog', 'match: context.protocol == "grpc"\nactions:\n- handler: filelog\n  instances: [ grpclog ]'),
        resource('handler', 'deny', 'compiledAdapter: denier\nparams:\n  status:\n    code: 7\n    message: not you'),
        resource('instance', 'nothing', 'compiledTemplate: checknothing'),
        resource('rule', 'deny', 'match: request.headers["x-deny"] == "yes"\nactions:\n- handler: deny\n  instances: [ nothing ]'),
      ].join(''),
    });
    greeter = await startGreeter();
    const mixerBlock = `mixer:\n  address: ${mixer.grpcAddress}\n  reportBatchTimeMs: 20\n`;
    inbound = await startSidecar(`workload:\n  name: greeter-v1\n  labels: { app: greeter }\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${greeter.port}\n  protocol: grpc\n${mixerBlock}`);
    outbound = await startSidecar(
      `workload:\n  name: caller-v1\n  labels: { app: caller }\noutbound:\n  listen: 127.0.0.1:0\n  grpcListen: 127.0.0.1:0\n${mixerBlock}registry: unused.yaml\n`,
      `services:\n- host: greeter.default.svc.cluster.local\n  protocol: grpc\n  endpoints:\n  - { address: "127.0.0.1:${inbound.addresses.inbound!.port}", name: greeter-v1, labels: { app: greeter } }\n`,
    );
    client = new Client(`127.0.0.1:${outbound.addresses.outboundGrpc!.port}`, credentials.createInsecure(), { 'grpc.default_authority': 'greeter' });
  });
  after(async () => {
    client.close();
    await outbound.close();
    await inbound.close();
    await greeter.close();
    await mixer.close();
    await rm(directory, { recursive: true, force: true });
  });

  const logLines = (): Promise<AccessLogLine[]> => accessLogLines(logFile);

  test('a call goes through both sidecars and each reports context.protocol grpc with the gRPC status', async () => {
    assert.equal(await hello(client, 'ada'), 'hello ada');
    const seen = greeter.metadata.at(-1)!;
    assert.deepEqual(seen.get('x-istio-attributes'), [], 'the app never sees x-istio-attributes');
    assert.equal(seen.get('x-request-id').length, 1);
    await eventually(async () => (await logLines()).filter((line) => line['grpcStatus'] === '0').length >= 2, 5000, 'a report from each sidecar');
    for (const reporter of ['outbound', 'inbound']) {
      const line = (await logLines()).find((candidate) => candidate['reporter'] === reporter && candidate['grpcStatus'] === '0');
      assert.ok(line !== undefined, reporter);
      assert.equal(line['protocol'], 'grpc');
      assert.equal(line['path'], PATH);
      assert.equal(line['code'], 200);
      // The inbound side does not take the caller's uid from the (unauthenticated) x-istio-attributes.
      assert.equal(line['source'], reporter === 'outbound' ? 'kubernetes://caller-v1.default' : 'MISSING');
      assert.equal(line['destination'], 'greeter.default.svc.cluster.local');
    }
  });

  test("the app's gRPC error passes through and is reported with its status and message", async () => {
    await assert.rejects(hello(client, 'nobody'), (error: ServiceError) => error.code === status.NOT_FOUND && error.details === 'no such person');
    await eventually(async () => (await logLines()).filter((line) => line['grpcStatus'] === '5' && line['grpcMessage'] === 'no such person').length >= 2, 5000, 'NOT_FOUND reports');
  });

  test('a denied call fails with PERMISSION_DENIED and the status message, never reaching the app', async () => {
    const before = greeter.metadata.length;
    const metadata = new Metadata();
    metadata.set('x-deny', 'yes');
    await assert.rejects(hello(client, 'eve', metadata), (error: ServiceError) => error.code === status.PERMISSION_DENIED && /not you/.test(error.details));
    assert.equal(greeter.metadata.length, before);
    await eventually(async () => (await logLines()).some((line) => line['grpcStatus'] === '7' && line['reporter'] === 'outbound'), 5000, 'the denial reported');
  });
});

describe("gRPC and HTTP/1.1 on one sidecar port (Envoy's codec_type AUTO)", () => {
  let mixer: RunningMixer;
  let greeter: Awaited<ReturnType<typeof startGreeter>>;
  let app: RecordingApp;
  let grpcInbound: SidecarProxy;
  let httpInbound: SidecarProxy;
  let outbound: SidecarProxy;
  let client: Client;

  before(async () => {
    mixer = await startMixer({});
    greeter = await startGreeter();
    app = await startRecordingApp();
    const mixerBlock = `mixer:\n  address: ${mixer.grpcAddress}\n  reportBatchTimeMs: 20\n`;
    // Inbound listeners left at protocol http: a gRPC app behind one, an HTTP/1.1 app behind the other.
    grpcInbound = await startSidecar(`workload:\n  name: greeter-v1\n  labels: { app: greeter }\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${greeter.port}\n${mixerBlock}`);
    httpInbound = await startSidecar(`workload:\n  name: web-v1\n  labels: { app: web }\ninbound:\n  listen: 127.0.0.1:0\n  app: 127.0.0.1:${app.port}\n${mixerBlock}`);
    outbound = await startSidecar(
      `workload:\n  name: caller-v1\n  labels: { app: caller }\noutbound:\n  listen: 127.0.0.1:0\n${mixerBlock}registry: unused.yaml\n`,
      [
        'services:',
        '- host: greeter.default.svc.cluster.local',
        '  protocol: grpc',
        `  endpoints: [ { address: "127.0.0.1:${grpcInbound.addresses.inbound!.port}", name: greeter-v1 } ]`,
        '- host: web.default.svc.cluster.local',
        `  endpoints: [ { address: "127.0.0.1:${httpInbound.addresses.inbound!.port}", name: web-v1 } ]`,
        '',
      ].join('\n'),
    );
    // No grpcListen: the gRPC client uses the outbound HTTP listener itself.
    client = new Client(`127.0.0.1:${outbound.addresses.outbound!.port}`, credentials.createInsecure(), { 'grpc.default_authority': 'greeter' });
  });
  after(async () => {
    client.close();
    await outbound.close();
    await Promise.all([grpcInbound.close(), httpInbound.close()]);
    await Promise.all([greeter.close(), app.close()]);
    await mixer.close();
  });

  test('a gRPC call and an HTTP/1.1 request both go through the same outbound and inbound ports', async () => {
    assert.equal(await hello(client, 'grace'), 'hello grace');
    assert.equal(greeter.metadata.at(-1)!.get('x-request-id').length, 1, 'through the inbound sidecar');
    const reply = await call(outbound.addresses.outbound!.port, '/page', { host: 'web' });
    assert.equal(reply.status, 200);
    assert.equal(app.seen.at(-1)?.url, '/page');
    await assert.rejects(hello(client, 'nobody'), (error: ServiceError) => error.code === status.NOT_FOUND && error.details === 'no such person');
  });

  test('an HTTP/1.1 request whose first bytes only begin like the HTTP/2 preface is HTTP/1.1', async () => {
    const reply = await call(outbound.addresses.outbound!.port, '/pri', { host: 'web', method: 'PRI' }).catch((error: unknown) => error);
    // node:http refuses the PRI method with 400; what matters is that it was parsed as HTTP/1.1.
    assert.ok(!(reply instanceof Error), String(reply));
    assert.equal((reply as { status: number }).status, 400);
  });
});
