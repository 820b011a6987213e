import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { adapter as businessHours } from '../../examples/third-party-adapter/index.js';
import type { AuthorizationInstance, MetricInstance, QuotaInstance } from '../../adapters/sdk/index.js';
import { ValueType } from '../attribute/value-type.js';
import { RpcCode } from '../status/rpc-code.js';
import { AdapterHost } from './adapter-host.js';
import { RemoteCallError } from './remote-call-error.js';
import { RemoteHandler, type RemoteHandlerParams } from './remote-handler.js';
import { adapter as recording } from './testing/recording-adapter.js';

// Mixer's side (RemoteHandler) against the SDK host (AdapterHost) in one process, over real
// loopback gRPC: the same adapter code answers as it would in process.

const logger = pino({ level: 'silent' });
const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

function authorization(user: string): AuthorizationInstance {
  return { name: 'caller.instance.istio-system', subject: { user, groups: undefined, properties: {} }, action: { namespace: undefined, service: 'shop', method: undefined, path: undefined, properties: {} } };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a remote handler talking to an adapter host', () => {
  let hours: AdapterHost;
  let hoursAddress: string;
  let recorder: AdapterHost;
  let recorderAddress: string;
  const handlers: RemoteHandler[] = [];
  const remote = (address: string, params: Record<string, unknown>, templates: Parameters<typeof RemoteHandler.create>[1], timeoutMs?: number) => {
    const config: RemoteHandlerParams = { address, timeoutMs, params, sessionBased: false };
    const handler = RemoteHandler.create(config, templates, [
      { name: 'requestcount.instance.istio-system', template: 'metric', types: { value: ValueType.INT64, dimensions: { ratio: ValueType.DOUBLE } } },
    ]);
    handlers.push(handler);
    return handler as RemoteHandler & Record<string, (...args: unknown[]) => Promise<unknown>>;
  };

  before(async () => {
    hours = new AdapterHost(businessHours.info, { logger });
    hoursAddress = await hours.listen('127.0.0.1', 0);
    recorder = new AdapterHost(recording.info, { logger });
    recorderAddress = await recorder.listen('127.0.0.1', 0);
  });
  after(async () => {
    for (const handler of handlers) handler.close();
    await hours.close();
    await recorder.close();
  });

  test('the host serves the templates the adapter supports, at Istio\'s paths', () => {
    assert.deepEqual(hours.paths.sort(), ['/authorization.HandleAuthorizationService/HandleAuthorization', '/metric.HandleMetricService/HandleMetric']);
  });

  test('business-hours answers a check out of process as it does in process, with the params sent as adapter_config', async () => {
    const closedToday = WEEKDAYS[(new Date().getUTCDay() + 2) % 7]!;
    const handler = remote(hoursAddress, { days: [closedToday], exempt_users: ['oncall@example.com'], valid_use_count: 3 }, ['authorization', 'metric']);
    const denied = (await handler['handleAuthorization']!(authorization('bob'), { deduplicationId: '' })) as { status: { code: number; message: string }; validUseCount: number };
    assert.equal(denied.status.code, RpcCode.PERMISSION_DENIED);
    assert.match(denied.status.message, new RegExp(`shop is closed: open ${closedToday}`));
    assert.equal(denied.validUseCount, 3);
    const exempt = (await handler['handleAuthorization']!(authorization('oncall@example.com'))) as { status: { code: number } };
    assert.equal(exempt.status.code, RpcCode.OK);
    // The adapter's own metrics (env.metrics) are kept per handler and can be scraped from the host.
    assert.match(await hours.metricsText(), /mixer_adapter_business_hours_denials_total\{[^}]*adapter="business-hours"[^}]*config="[0-9a-f]{12}"[^}]*\} 1\n/);
  });

  test('params the adapter rejects come back as INVALID_ARGUMENT with the problem', async () => {
    const handler = remote(hoursAddress, { opens: '25:00' }, ['authorization']);
    await assert.rejects(handler['handleAuthorization']!(authorization('bob')), (error: unknown) => {
      assert.ok(error instanceof RemoteCallError);
      assert.equal(error.rpcCode, RpcCode.INVALID_ARGUMENT);
      assert.match(error.message, /params\.opens/);
      return true;
    });
  });

  test('a report reaches the adapter, and a quota is answered with the granted amount', async () => {
    const handler = remote(recorderAddress, { grant: 2 }, ['metric', 'quota']);
    const metric: MetricInstance = { name: 'requestcount.instance.istio-system', value: 1, dimensions: { ratio: 0.5 }, monitoredResourceType: undefined, monitoredResourceDimensions: {} };
    await handler['handleMetric']!([metric, metric]);
    const quota: QuotaInstance = { name: 'rq.instance.istio-system', dimensions: { user: 'u' } };
    const granted = (await handler['handleQuota']!(quota, { deduplicationId: 'd', amount: 5, bestEffort: true })) as { grantedAmount: number; validDurationMs: number };
    assert.equal(granted.grantedAmount, 2);
    assert.equal(granted.validDurationMs, 1500);
  });

  test('an adapter that does not answer within the timeout is DEADLINE_EXCEEDED', async () => {
    const handler = remote(recorderAddress, { hang: true }, ['checknothing'], 150);
    await assert.rejects(
      handler['handleCheckNothing']!({ name: 'c' }),
      (error: unknown) => error instanceof RemoteCallError && error.rpcCode === RpcCode.DEADLINE_EXCEEDED && /did not answer within 150 ms$/.test(error.message),
    );
  });

  test('an adapter that is down is UNAVAILABLE', async () => {
    const handler = remote(`127.0.0.1:${await freePort()}`, {}, ['checknothing', 'metric'], 1000);
    await assert.rejects(handler['handleCheckNothing']!({ name: 'c' }), (error: unknown) => error instanceof RemoteCallError && error.rpcCode === RpcCode.UNAVAILABLE);
    await assert.rejects(handler['handleMetric']!([{ name: 'm', value: 1, dimensions: {} }]), (error: unknown) => error instanceof RemoteCallError && error.rpcCode === RpcCode.UNAVAILABLE);
  });

  test('a template the host does not serve is UNIMPLEMENTED', async () => {
    const handler = remote(hoursAddress, {}, ['checknothing'], 1000);
    await assert.rejects(handler['handleCheckNothing']!({ name: 'c' }), (error: unknown) => error instanceof RemoteCallError && error.rpcCode === RpcCode.UNIMPLEMENTED);
  });
});
