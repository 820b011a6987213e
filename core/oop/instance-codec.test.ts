import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InstanceTypes, TemplateInstance } from '../../templates/template.js';
import { BUILT_IN_TEMPLATES } from '../../templates/registry.js';
import { Duration } from '../attribute/duration.js';
import { IpAddress } from '../attribute/ip-address.js';
import { StringMap } from '../attribute/string-map.js';
import { Timestamp } from '../attribute/timestamp.js';
import { ValueType } from '../attribute/value-type.js';
import { WireFormatError, WireReader } from '../grpc/wire-reader.js';
import { WireWriter } from '../grpc/wire-writer.js';
import { instanceToJson } from '../runtime/instance-json.js';
import { readInstanceMsg, writeInstanceMsg } from './instance-codec.js';
import { INSTANCE_NAME_FIELD, remoteTemplates, templateWire, type TemplateWire } from './template-wire.js';

function encode(wire: TemplateWire, instance: TemplateInstance, types?: InstanceTypes): Buffer {
  const writer = new WireWriter(16);
  writeInstanceMsg(writer, 1, wire.fields, instance, types);
  return Buffer.from(writer.finish());
}

function decode(wire: TemplateWire, bytes: Buffer): TemplateInstance {
  const reader = WireReader.of(bytes);
  reader.tag();
  return readInstanceMsg(reader, wire.fields);
}

/** The top-level fields of the InstanceMsg in `bytes` (inside field 1), as [number, wire type]. */
function topFields(bytes: Buffer): [number, number][] {
  const reader = WireReader.of(bytes);
  reader.tag();
  const outer = reader.enter();
  const fields: [number, number][] = [];
  while (!reader.atEnd) {
    const tag = reader.tag();
    fields.push([tag >>> 3, tag & 7]);
    reader.skip(tag & 7);
  }
  reader.leave(outer);
  return fields;
}

const wireOf = (name: string): TemplateWire => {
  const wire = templateWire(name);
  assert.ok(wire, name);
  return wire;
};

describe('template instances on the wire (InstanceMsg)', () => {
  test('every remote template covers exactly the fields of the compiled-in template', () => {
    const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_all, letter: string) => letter.toUpperCase());
    const keys = (fields: readonly { name: string; type: { kind: string; fields?: readonly unknown[] } }[]): unknown =>
      fields.map((field) => (field.type.kind === 'message' ? [camel(field.name), keys(field.type.fields as never)] : camel(field.name))).sort();
    const wireKeys = (fields: TemplateWire['fields']): unknown => fields.map((field) => (field.kind === 'message' ? [field.key, wireKeys(field.fields ?? [])] : field.key)).sort();
    for (const wire of remoteTemplates()) {
      const definition = BUILT_IN_TEMPLATES.find((template) => template.name === wire.template);
      assert.ok(definition, wire.template);
      assert.deepEqual(wireKeys(wire.fields), keys(definition.fields as never), wire.template);
      assert.equal(`handle${wire.method.slice('Handle'.length)}`, definition.handlerMethod);
    }
  });

  test('a metric instance keeps its values and types through a round trip', () => {
    const metric = wireOf('metric');
    const instance = {
      name: 'requestcount.instance.istio-system',
      value: 42,
      dimensions: {
        source: 'reviews',
        latency: Duration.parse('15ms'),
        ratio: 0.25,
        secure: true,
        peer: IpAddress.parse('10.1.2.3'),
        at: Timestamp.parse('2026-11-25T10:00:00.5Z'),
        headers: StringMap.fromObject({ 'x-a': '1' }),
        big: 2n ** 62n,
        missing: undefined,
      },
      monitoredResourceType: 'UNSPECIFIED',
      monitoredResourceDimensions: {},
    };
    const types: InstanceTypes = { value: ValueType.INT64, dimensions: { ratio: ValueType.DOUBLE, source: ValueType.STRING } };
    const decoded = decode(metric, encode(metric, instance, types)) as unknown as typeof instance;
    assert.equal(decoded.name, instance.name);
    assert.equal(decoded.value, 42);
    assert.equal(decoded.dimensions.big, 2n ** 62n);
    assert.ok(decoded.dimensions.latency instanceof Duration && decoded.dimensions.latency.equals(instance.dimensions.latency));
    assert.ok(decoded.dimensions.peer instanceof IpAddress);
    assert.ok(decoded.dimensions.at instanceof Timestamp);
    assert.ok(decoded.dimensions.headers instanceof StringMap);
    assert.equal('missing' in decoded.dimensions, false);
    assert.deepEqual(instanceToJson(decoded), instanceToJson(instance));
  });

  test('the inferred type picks the Value case: INT64 as int64_value, DOUBLE as double_value', () => {
    const listentry = wireOf('listentry');
    const valueCase = (type: ValueType, value: unknown): [number, number] => {
      const reader = WireReader.of(encode(listentry, { name: 'i', value } as TemplateInstance, { value: type }));
      reader.tag();
      reader.enter();
      for (;;) {
        const tag = reader.tag();
        if (tag >>> 3 === 1) {
          reader.enter();
          const inner = reader.tag();
          return [inner >>> 3, inner & 7];
        }
        reader.skip(tag & 7);
      }
    };
    assert.deepEqual(valueCase(ValueType.INT64, 2), [2, 0]);
    assert.deepEqual(valueCase(ValueType.DOUBLE, 2), [3, 1]);
    assert.deepEqual(valueCase(ValueType.URI, 'http://a'), [10, 2]);
    assert.deepEqual(valueCase(ValueType.EMAIL_ADDRESS, 'a@b.c'), [8, 2]);
    assert.deepEqual(valueCase(ValueType.DNS_NAME, 'a.b'), [9, 2]);
    assert.deepEqual(valueCase(ValueType.STRING_MAP, StringMap.fromObject({ a: 'b' })), [11, 2]);
    assert.deepEqual(valueCase(ValueType.DURATION, Duration.parse('1s')), [7, 2]);
    assert.deepEqual(valueCase(ValueType.TIMESTAMP, Timestamp.fromMillis(5)), [6, 2]);
    assert.deepEqual(valueCase(ValueType.IP_ADDRESS, IpAddress.parse('::1')), [5, 2]);
    assert.deepEqual(valueCase(ValueType.BOOL, false), [4, 0]);
    // Without a known type the value's own representation decides.
    assert.deepEqual(valueCase(ValueType.VALUE_TYPE_UNSPECIFIED, 1.5), [3, 1]);
  });

  test('field numbers follow Istio: edge source_uid = 13, tracespan httpStatusCode = 8, name = 72295727', () => {
    const edge = wireOf('edge');
    assert.deepEqual(topFields(encode(edge, { name: 'e', sourceUid: 'u', destinationServiceName: 'd' } as TemplateInstance)), [
      [INSTANCE_NAME_FIELD, 2],
      [13, 2],
      [25, 2],
    ]);
    const span = wireOf('tracespan');
    assert.deepEqual(topFields(encode(span, { name: 's', httpStatusCode: 503, clientSpan: true, sourceIp: IpAddress.parse('1.2.3.4') } as TemplateInstance)), [
      [INSTANCE_NAME_FIELD, 2],
      [8, 0],
      [9, 0],
      [12, 2],
    ]);
  });

  test('authorization subject and action travel as nested messages', () => {
    const authorization = wireOf('authorization');
    const instance = {
      name: 'a',
      subject: { user: 'alice', groups: undefined, properties: { n: 3 } },
      action: { namespace: 'ns', service: 'svc', method: 'GET', path: '/x', properties: {} },
    };
    const decoded = decode(authorization, encode(authorization, instance));
    assert.deepEqual(instanceToJson(decoded), instanceToJson(instance));
    assert.equal((decoded as unknown as typeof instance).subject.groups, undefined);
  });

  test('an unset field decodes as undefined and an unset map as {}, like an in-process instance', () => {
    const logentry = wireOf('logentry');
    const decoded = decode(logentry, encode(logentry, { name: 'l' })) as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(decoded).sort(), ['monitoredResourceDimensions', 'monitoredResourceType', 'name', 'severity', 'timestamp', 'variables']);
    assert.deepEqual(decoded['variables'], {});
    assert.equal(decoded['timestamp'], undefined);
  });

  test('malformed bytes are a WireFormatError, not a crash', () => {
    const metric = wireOf('metric');
    const bytes = encode(metric, { name: 'm', value: 'x', dimensions: { a: 'b' } } as TemplateInstance);
    assert.throws(() => decode(metric, bytes.subarray(0, bytes.length - 3)), WireFormatError);
    const wrongType = Buffer.from([0x0a, 0x02, 0x08, 0x01]); // InstanceMsg{value (1) as a varint}
    assert.throws(() => decode(metric, wrongType), WireFormatError);
  });
});
