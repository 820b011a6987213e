import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bagFromJson } from '../core/attribute/convert.js';
import { AttributeManifest } from '../core/attribute/manifest.js';
import { Duration } from '../core/attribute/duration.js';
import { IpAddress } from '../core/attribute/ip-address.js';
import { StringMap } from '../core/attribute/string-map.js';
import { ValueType } from '../core/attribute/value-type.js';
import { ExpressionEvaluationError } from '../core/expr/errors.js';
import { ExpressionLanguage } from '../core/expr/expression.js';
import { ExpressionCompilers } from '../core/expr/expression-compilers.js';
import {
  APIKEY, AUTHORIZATION, CHECKNOTHING, EDGE, LISTENTRY, LOGENTRY, METRIC, QUOTA, REPORTNOTHING, TRACESPAN,
  type AuthorizationInstance, type LogEntryInstance, type MetricInstance, type TraceSpanInstance,
} from './definitions.js';
import type { InstanceBuilder } from './instance-builder.js';
import { compileInstanceBuilder, lowerCamelCase, type InstanceParamsProblem } from './instance-builder-compiler.js';
import type { TemplateDefinition, TemplateInstance } from './template.js';

const manifest = AttributeManifest.standard();
const compilers = new ExpressionCompilers(manifest);

function compile<I extends TemplateInstance>(template: TemplateDefinition<I>, params: unknown, language = ExpressionLanguage.CEXL): InstanceBuilder<I> {
  const result = compileInstanceBuilder(template, params, { instanceName: `i.instance.ns`, compile: (text) => compilers.compile(text, language) });
  if (!result.ok) assert.fail(`unexpected problems: ${JSON.stringify(result.problems)}`);
  return result.builder;
}

function problemsOf(template: TemplateDefinition, params: unknown): readonly InstanceParamsProblem[] {
  const result = compileInstanceBuilder(template, params, { instanceName: 'i.instance.ns', compile: (text) => compilers.compile(text) });
  if (result.ok) assert.fail('expected problems');
  return result.problems;
}

const BAG = bagFromJson(
  {
    'source.name': 'productpage-v1',
    'source.ip': '10.0.0.7',
    'source.labels': { app: 'productpage', version: 'v1' },
    'destination.ip': '10.0.0.9',
    'destination.service.name': 'reviews',
    'destination.namespace': 'default',
    'request.time': '2019-11-14T10:00:00Z',
    'response.time': '2019-11-14T10:00:01Z',
    'request.size': 512,
    'response.code': 200,
    'response.duration': '15ms',
    'request.headers': { 'x-user': 'jason', ':method': 'GET' },
    'request.path': '/reviews/1',
    'request.api_key': 'secret',
    'context.protocol': 'http',
  },
  manifest,
);

describe('compileInstanceBuilder: Istio typing of params', () => {
  test('a quoted string is a STRING constant, an unquoted number an INT64, a missing attribute with | a fallback', () => {
    const builder = compile(METRIC, {
      value: '1',
      dimensions: { message: '"twice the fun!"', code: 'response.code | 200', source: 'source.name | "unknown"', absent: 'source.workload.name | "unknown"' },
      monitored_resource_type: '"UNSPECIFIED"',
    });
    const instance: MetricInstance = builder.build(BAG);
    assert.equal(instance.name, 'i.instance.ns');
    assert.equal(instance.value, 1);
    assert.deepEqual(instance.dimensions, { message: 'twice the fun!', code: 200, source: 'productpage-v1', absent: 'unknown' });
    assert.equal(instance.monitoredResourceType, 'UNSPECIFIED');
    assert.deepEqual(instance.monitoredResourceDimensions, {});
    assert.deepEqual(builder.types, {
      value: ValueType.INT64,
      dimensions: { message: ValueType.STRING, code: ValueType.INT64, source: ValueType.STRING, absent: ValueType.STRING },
      monitoredResourceType: ValueType.STRING,
      monitoredResourceDimensions: {},
    });
  });

  test('value fields take any type and record it; an empty or missing expression leaves the field unset', () => {
    const duration = compile(METRIC, { value: 'response.duration | "0ms"' });
    assert.equal(duration.types['value'], ValueType.DURATION);
    const latency = duration.build(BAG).value;
    assert.ok(latency instanceof Duration);
    assert.equal(latency.toString(), '15ms');
    const unset = compile(METRIC, { value: '', monitoredResourceType: '' });
    const instance = unset.build(BAG);
    assert.equal(instance.value, undefined);
    assert.ok('value' in instance, 'unset fields are present as undefined');
    assert.equal(instance.monitoredResourceType, undefined);
    assert.equal(unset.types['value'], ValueType.VALUE_TYPE_UNSPECIFIED);
    const ip = compile(LISTENTRY, { value: 'source.ip | ip("0.0.0.0")' });
    assert.equal(ip.types['value'], ValueType.IP_ADDRESS);
    const address = ip.build(BAG).value;
    assert.ok(address instanceof IpAddress);
    assert.equal(address.toString(), '10.0.0.7');
  });

  test('field names may be written in snake_case or lowerCamelCase; instance keys are lowerCamelCase', () => {
    const snake = compile(APIKEY, { api_version: '"v1"', api_key: 'request.api_key' }).build(BAG);
    const camel = compile(APIKEY, { apiVersion: '"v1"', apiKey: 'request.api_key' }).build(BAG);
    assert.deepEqual(snake, camel);
    assert.equal(snake.apiVersion, 'v1');
    assert.equal(snake.apiKey, 'secret');
    assert.equal(lowerCamelCase('monitored_resource_type'), 'monitoredResourceType');
  });

  test('typed fields require their type, with Istio\'s message', () => {
    assert.deepEqual(problemsOf(LOGENTRY, { severity: '1' }), [
      { field: 'severity', message: "error type checking for field 'severity': Evaluated expression type INT64 want STRING" },
    ]);
    assert.deepEqual(problemsOf(LOGENTRY, { timestamp: '"2019"' }), [
      { field: 'timestamp', message: "error type checking for field 'timestamp': Evaluated expression type STRING want TIMESTAMP" },
    ]);
    assert.deepEqual(problemsOf(TRACESPAN, { sourceIp: 'source.name', clientSpan: '"yes"' }), [
      { field: 'clientSpan', message: "error type checking for field 'client_span': Evaluated expression type STRING want BOOL" },
      { field: 'sourceIp', message: "error type checking for field 'source_ip': Evaluated expression type STRING want IP_ADDRESS" },
    ]);
  });

  test('expression errors name the field, map entries as field[key]', () => {
    assert.deepEqual(problemsOf(METRIC, { dimensions: { source: 'foo.bar' } }), [
      { field: 'dimensions.source', message: "failed to evaluate expression for field 'dimensions[source]': unknown attribute foo.bar" },
    ]);
    const [problem] = problemsOf(METRIC, { value: 'request.size ==' });
    assert.equal(problem?.field, 'value');
    assert.match(problem?.message ?? '', /^failed to evaluate expression for field 'value': unable to parse expression 'request.size =='/);
  });

  test('unknown fields and shapes that do not fit the template are rejected, every one reported', () => {
    assert.deepEqual(problemsOf(METRIC, { foo: '1', value: '1', dimensions: 'source.name', monitored_resource_type: '"a"', monitoredResourceType: '"b"' }), [
      { field: 'foo', message: "config does not conform to schema of template 'metric': unknown field 'foo'" },
      { field: 'monitoredResourceType', message: "config does not conform to schema of template 'metric': field 'monitored_resource_type' is set twice (as 'monitored_resource_type' and 'monitoredResourceType')" },
      { field: 'dimensions', message: "config does not conform to schema of template 'metric': field 'dimensions' must be a map of name to expression, got string \"source.name\"" },
    ]);
    assert.deepEqual(problemsOf(AUTHORIZATION, { subject: { user: '"u"', role: '"admin"' } }), [
      { field: 'subject.role', message: "config does not conform to schema of template 'authorization': unknown field 'subject.role'" },
    ]);
    assert.deepEqual(problemsOf(METRIC, { value: 1, dimensions: { a: true } }), [
      { field: 'value', message: "config does not conform to schema of template 'metric': field 'value' must be an expression (a string), got number 1 (quote it: '1')" },
      { field: 'dimensions.a', message: "config does not conform to schema of template 'metric': field 'dimensions[a]' must be an expression (a string), got boolean true (quote it: 'true')" },
    ]);
    assert.deepEqual(problemsOf(CHECKNOTHING, ['a']), [
      { field: '', message: "config does not conform to schema of template 'checknothing': params must be a map of field name to expression, got a list" },
    ]);
    assert.deepEqual(problemsOf(QUOTA, { name: '"x"' }), [
      { field: 'name', message: "config does not conform to schema of template 'quota': unknown field 'name'" },
    ]);
  });

  test('an evaluation failure names the field', () => {
    const builder = compile(METRIC, { value: '1', dimensions: { destination: 'destination.workload.name' } });
    assert.throws(
      () => builder.build(BAG),
      (error: unknown) =>
        error instanceof ExpressionEvaluationError &&
        error.message === "failed to evaluate expression for field 'dimensions[destination]': lookup failed: 'destination.workload.name'",
    );
    const nested = compile(AUTHORIZATION, { action: { path: 'request.url_path' } });
    assert.throws(() => nested.build(BAG), /failed to evaluate expression for field 'action.path': lookup failed: 'request.url_path'/);
  });

  test('the expression language is the one the caller compiles with (CEL: missing attributes are zero values)', () => {
    const cel = compile(METRIC, { dimensions: { workload: 'source.workload.name' } }, ExpressionLanguage.CEL);
    assert.deepEqual(cel.build(BAG).dimensions, { workload: '' });
  });

  test('the builder is frozen and builds a fresh instance per call', () => {
    const builder = compile(QUOTA, { dimensions: { destination: 'destination.service.name' } });
    assert.ok(Object.isFrozen(builder));
    assert.ok(Object.isFrozen(builder.types));
    const first = builder.build(BAG);
    const second = builder.build(BAG);
    assert.notEqual(first, second);
    assert.notEqual(first.dimensions, second.dimensions);
    assert.deepEqual(first, { name: 'i.instance.ns', dimensions: { destination: 'reviews' } });
  });
});

describe('compileInstanceBuilder: every compiled-in template', () => {
  test('checknothing and reportnothing have only a name', () => {
    assert.deepEqual(compile(CHECKNOTHING, null).build(BAG), { name: 'i.instance.ns' });
    assert.deepEqual(compile(REPORTNOTHING, {}).build(BAG), { name: 'i.instance.ns' });
    assert.deepEqual(compile(CHECKNOTHING, undefined).types, {});
  });

  test('listentry', () => {
    const instance = compile(LISTENTRY, { value: 'source.labels["version"]' }).build(BAG);
    assert.deepEqual(instance, { name: 'i.instance.ns', value: 'v1' });
  });

  test('quota', () => {
    const builder = compile(QUOTA, { dimensions: { source: 'request.headers["x-forwarded-for"] | "unknown"', destination: 'destination.labels["app"] | destination.service.name | "unknown"' } });
    assert.deepEqual(builder.build(BAG), { name: 'i.instance.ns', dimensions: { source: 'unknown', destination: 'reviews' } });
  });

  test('metric (value map values may be string maps)', () => {
    const builder = compile(METRIC, { value: 'request.size | 0', dimensions: { labels: 'source.labels' } });
    const instance = builder.build(BAG);
    assert.equal(instance.value, 512);
    assert.ok(instance.dimensions['labels'] instanceof StringMap);
    assert.deepEqual(builder.types['dimensions'], { labels: ValueType.STRING_MAP });
  });

  test('logentry', () => {
    const builder = compile(LOGENTRY, {
      severity: '"warning"',
      timestamp: 'request.time',
      variables: { latency: 'response.duration | "0ms"', sourceIp: 'source.ip | ip("0.0.0.0")', user: 'source.user | "unknown"' },
      monitored_resource_type: '"UNSPECIFIED"',
    });
    const instance: LogEntryInstance = builder.build(BAG);
    assert.equal(instance.severity, 'warning');
    assert.equal(String(instance.timestamp), '2019-11-14T10:00:00Z');
    const { latency, sourceIp } = instance.variables;
    assert.ok(latency instanceof Duration && sourceIp instanceof IpAddress);
    assert.equal(latency.toString(), '15ms');
    assert.equal(sourceIp.toString(), '10.0.0.7');
    assert.equal(instance.variables['user'], 'unknown');
    assert.deepEqual(builder.types['variables'], { latency: ValueType.DURATION, sourceIp: ValueType.IP_ADDRESS, user: ValueType.STRING });
    assert.equal(builder.types['timestamp'], ValueType.TIMESTAMP);
  });

  test('authorization (nested messages; unset message fields build empty)', () => {
    const builder = compile(AUTHORIZATION, {
      subject: { user: 'source.name', properties: { app: 'source.labels["app"]' } },
      action: { namespace: 'destination.namespace', service: 'destination.service.name', method: 'request.headers[":method"]', path: 'request.path' },
    });
    const instance: AuthorizationInstance = builder.build(BAG);
    assert.deepEqual(instance, {
      name: 'i.instance.ns',
      subject: { user: 'productpage-v1', groups: undefined, properties: { app: 'productpage' } },
      action: { namespace: 'default', service: 'reviews', method: 'GET', path: '/reviews/1', properties: {} },
    });
    assert.deepEqual(builder.types['subject'], { user: ValueType.STRING, groups: ValueType.STRING, properties: { app: ValueType.STRING } });
    assert.deepEqual(compile(AUTHORIZATION, {}).build(BAG).subject, { user: undefined, groups: undefined, properties: {} });
  });

  test('apikey', () => {
    const instance = compile(APIKEY, { api: '"reviews"', api_operation: 'request.path', api_key: 'request.api_key', timestamp: 'request.time' }).build(BAG);
    assert.equal(instance.api, 'reviews');
    assert.equal(instance.apiOperation, '/reviews/1');
    assert.equal(instance.apiVersion, undefined);
    assert.equal(String(instance.timestamp), '2019-11-14T10:00:00Z');
  });

  test('tracespan', () => {
    const instance: TraceSpanInstance = compile(TRACESPAN, {
      traceId: 'request.headers["x-b3-traceid"]',
      span_name: 'request.path',
      start_time: 'request.time',
      end_time: 'response.time',
      http_status_code: 'response.code',
      client_span: 'false',
      source_ip: 'source.ip',
      request_size: 'request.size',
      span_tags: { protocol: 'context.protocol' },
    }).build(BAG);
    assert.equal(instance.traceId, '');
    assert.equal(instance.spanName, '/reviews/1');
    assert.equal(String(instance.endTime), '2019-11-14T10:00:01Z');
    assert.equal(instance.httpStatusCode, 200);
    assert.equal(instance.clientSpan, false);
    assert.equal(String(instance.sourceIp), '10.0.0.7');
    assert.equal(instance.requestSize, 512);
    assert.equal(instance.responseSize, undefined);
    assert.deepEqual(instance.spanTags, { protocol: 'http' });
  });

  test('edge', () => {
    const instance = compile(EDGE, { timestamp: 'request.time', source_workload_name: 'source.name', destination_service_name: 'destination.service.name', context_protocol: 'context.protocol' }).build(BAG);
    assert.equal(instance.sourceWorkloadName, 'productpage-v1');
    assert.equal(instance.destinationServiceName, 'reviews');
    assert.equal(instance.contextProtocol, 'http');
    assert.equal(instance.destinationUid, undefined);
  });
});
