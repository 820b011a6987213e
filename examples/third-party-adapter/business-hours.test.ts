import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Container } from 'inversify';
import { pino } from 'pino';

import { TOKENS } from '../../core/di/tokens.js';
import { Duration, RpcCode, type AdapterInfo, type AdapterModule, type AuthorizationInstance, type MetricInstance } from '../../adapters/sdk/index.js';
import { configProblems, instanceConfig, ManualEnvironment } from '../../adapters/sdk/testing/index.js';
import { BusinessHoursHandler } from './index.js';

const MINUTE = 60_000;
const MONDAY_0859 = Date.UTC(2020, 0, 6, 8, 59);

/** Loads the adapter the way `mixer server --adapter <path>` does: import the folder's module, take `default` or `adapter`. */
async function loadAdapterInfo(): Promise<AdapterInfo> {
  const loaded = (await import(new URL('./index.js', import.meta.url).href)) as { default?: AdapterModule; adapter?: AdapterModule };
  const module = loaded.default ?? loaded.adapter;
  assert.ok(module !== undefined);
  assert.equal(loaded.default, loaded.adapter, 'the default export and `adapter` are the same module');
  const container = new Container();
  container.load(module.module);
  const [info, ...others] = container.getAll<AdapterInfo>(TOKENS.AdapterInfo);
  assert.equal(others.length, 0);
  assert.ok(info !== undefined);
  return info;
}

/** Parse, validate and build, as Mixer does for a handler resource. */
async function buildHandler(info: AdapterInfo, rawParams: unknown, env: ManualEnvironment): Promise<BusinessHoursHandler> {
  const parsed = info.params.parse(rawParams);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const config = {
    name: 'hours.handler.istio-system',
    params: parsed.value,
    instances: [instanceConfig('officehours.instance.istio-system', 'authorization'), instanceConfig('requests.instance.istio-system', 'metric')],
  };
  assert.deepEqual(info.validate?.(config), []);
  const handler = await info.build(config, env);
  assert.ok(handler instanceof BusinessHoursHandler);
  return handler;
}

function request(user?: string): AuthorizationInstance {
  return {
    name: 'officehours.instance.istio-system',
    subject: { user, groups: undefined, properties: {} },
    action: { namespace: 'default', service: 'payroll.default.svc.cluster.local', method: 'GET', path: '/salaries', properties: {} },
  };
}

function metric(value: MetricInstance['value'], dimensions: MetricInstance['dimensions']): MetricInstance {
  return { name: 'requests.instance.istio-system', value, dimensions, monitoredResourceType: undefined, monitoredResourceDimensions: {} };
}

describe('business-hours adapter', () => {
  it('registers through its container module', async () => {
    const info = await loadAdapterInfo();
    assert.equal(info.name, 'business-hours');
    assert.deepEqual([...info.supportedTemplates], ['authorization', 'metric']);
  });

  it('parses params in snake_case or lowerCamelCase and reports every problem', async () => {
    const info = await loadAdapterInfo();
    const snake = info.params.parse({ utc_offset: '+01:00', exempt_users: ['ops'], valid_duration: '1m', days: [1, 'TUESDAY'] });
    const camel = info.params.parse({ utcOffset: '+01:00', exemptUsers: ['ops'], validDuration: '1m', days: ['MONDAY', 2] });
    assert.ok(snake.ok && camel.ok);
    assert.deepEqual(snake.value, camel.value);
    assert.deepEqual(configProblems(info, { params: { opens: '9am', days: ['MOONDAY'], colour: 'blue' } }).map((problem) => problem.field).sort(), [
      'params.colour', 'params.days[0]', 'params.opens',
    ]);
    assert.deepEqual(configProblems(info, { params: { opens: '18:00', closes: '09:00', days: ['MONDAY', 'MONDAY'] } }), [
      { field: 'params.closes', message: 'closes (09:00) must be after opens (18:00)' },
      { field: 'params.days[1]', message: 'MONDAY is listed twice' },
    ]);
    assert.deepEqual(configProblems(info, { params: { days: [] } }), [{ field: 'params.days', message: 'at least one day is needed' }]);
  });

  it('denies outside business hours and caches answers no longer than until the next change', async () => {
    const info = await loadAdapterInfo();
    const env = new ManualEnvironment({ startMs: MONDAY_0859 });
    const handler = await buildHandler(info, { exemptUsers: ['oncall'] }, env);

    assert.deepEqual(handler.handleAuthorization(request('alice')), {
      status: {
        code: RpcCode.PERMISSION_DENIED,
        message: 'payroll.default.svc.cluster.local is closed: open MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY 09:00-17:00 UTC+00:00',
      },
      validDurationMs: MINUTE,
      validUseCount: 10000,
    });
    assert.equal(handler.handleAuthorization(request('oncall')).status.code, RpcCode.OK, 'exempt users pass at any time');

    await env.advance(MINUTE);
    assert.deepEqual(handler.handleAuthorization(request('alice')), { status: { code: RpcCode.OK, message: '' }, validDurationMs: 5 * MINUTE, validUseCount: 10000 });
    await env.advance((8 * 60 - 2) * MINUTE);
    assert.equal(handler.handleAuthorization(request('alice')).validDurationMs, 2 * MINUTE, 'closing at 17:00');

    const denials = await env.metrics.getSingleMetricAsString('mixer_adapter_business_hours_denials_total');
    assert.match(denials, /mixer_adapter_business_hours_denials_total 1$/m);
  });

  it('summarizes metrics in memory, logs the summary on schedule and on close', async () => {
    const info = await loadAdapterInfo();
    const logged: Array<{ msg: string; summary: unknown[] }> = [];
    const logger = pino(new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logged.push(JSON.parse(chunk.toString()) as { msg: string; summary: unknown[] });
        callback();
      },
    }));
    const env = new ManualEnvironment({ startMs: MONDAY_0859, logger });
    const handler = await buildHandler(info, { summaryInterval: '1m' }, env);
    assert.equal(env.pendingTimers, 1);

    handler.handleMetric([metric(1, { code: 200 }), metric(1, { code: 200 }), metric(Duration.parse('250ms'), { code: 503 })]);
    handler.handleMetric([metric(3, { code: 200 })]);
    assert.deepEqual(handler.summaryRows(), [
      { instance: 'requests.instance.istio-system', dimensions: { code: '200' }, count: 3, sum: 5 },
      { instance: 'requests.instance.istio-system', dimensions: { code: '503' }, count: 1, sum: 250 },
    ]);

    await env.advance(MINUTE);
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.msg, 'business-hours metric summary');
    assert.equal(logged[0]!.summary.length, 2);

    handler.close();
    env.close();
    assert.equal(logged.length, 2, 'close logs the final summary');
    assert.deepEqual(handler.summaryRows(), []);
    assert.equal(env.pendingTimers, 0);
  });
});
