import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AttributeConversionError, bagFromJson, convertJsonValue, InvalidAttributesError } from './convert.js';
import { Duration } from './duration.js';
import { IpAddress } from './ip-address.js';
import { AttributeManifest } from './manifest.js';
import { StringMap } from './string-map.js';
import { Timestamp } from './timestamp.js';
import { ValueType } from './value-type.js';

describe('convertJsonValue', () => {
  test('names the attribute, the expected type and the value in its error', () => {
    assert.throws(
      () => convertJsonValue('request.size', ValueType.INT64, 'abc'),
      (error: unknown) => error instanceof AttributeConversionError && error.message === 'request.size: expected INT64, got "abc"',
    );
    assert.throws(() => convertJsonValue('source.name', ValueType.STRING, 12), { message: 'source.name: expected STRING, got 12' });
    assert.throws(() => convertJsonValue('connection.mtls', ValueType.BOOL, 'yes'), /expected BOOL, got "yes"/);
  });

  test('accepts numbers as JSON numbers or decimal text, and keeps INT64 exact beyond 2^53', () => {
    assert.equal(convertJsonValue('request.size', ValueType.INT64, 512), 512);
    assert.equal(convertJsonValue('request.size', ValueType.INT64, '512'), 512);
    assert.equal(convertJsonValue('x', ValueType.INT64, '9151314447095037952'), 9151314447095037952n);
    assert.throws(() => convertJsonValue('x', ValueType.INT64, '9223372036854775808'), /out of the 64-bit range/);
    assert.throws(() => convertJsonValue('x', ValueType.INT64, 1.5), /expected INT64, got 1.5/);
    assert.equal(convertJsonValue('x', ValueType.DOUBLE, '2.5'), 2.5);
    assert.equal(convertJsonValue('x', ValueType.DOUBLE, 3), 3);
  });

  test('parses text forms of timestamps, durations and IP addresses', () => {
    const time = convertJsonValue('request.time', ValueType.TIMESTAMP, '2017-01-15T01:30:15.01Z');
    assert.ok(time instanceof Timestamp);
    assert.equal(time.toString(), '2017-01-15T01:30:15.01Z');
    const duration = convertJsonValue('response.duration', ValueType.DURATION, '1.5s');
    assert.ok(duration instanceof Duration);
    assert.equal(duration.toString(), '1.5s');
    const ip = convertJsonValue('source.ip', ValueType.IP_ADDRESS, '10.0.0.1');
    assert.ok(ip instanceof IpAddress);
    assert.equal(ip.toString(), '10.0.0.1');
    assert.throws(() => convertJsonValue('source.ip', ValueType.IP_ADDRESS, '10.0.0'), /source\.ip: expected IP_ADDRESS, got "10.0.0"/);
    assert.throws(() => convertJsonValue('request.time', ValueType.TIMESTAMP, 'yesterday'), /RFC 3339/);
  });

  test('takes a string map as an object or as JSON text, labelled with its attribute name', () => {
    const map = convertJsonValue('request.headers', ValueType.STRING_MAP, { 'x-user': 'bob' });
    assert.ok(map instanceof StringMap);
    assert.equal(map.name, 'request.headers');
    assert.equal(map.entries.get('x-user'), 'bob');
    const fromText = convertJsonValue('source.labels', ValueType.STRING_MAP, '{"app":"reviews"}');
    assert.ok(fromText instanceof StringMap);
    assert.equal(fromText.entries.get('app'), 'reviews');
    assert.throws(() => convertJsonValue('source.labels', ValueType.STRING_MAP, { app: 1 }), /key "app": expected a string value, got 1/);
  });
});

describe('bagFromJson', () => {
  test('types every value by the manifest and collects every problem', () => {
    const manifest = AttributeManifest.standard();
    const bag = bagFromJson({ 'request.size': '10', 'source.ip': '1.2.3.4' }, manifest);
    assert.equal(bag.get('request.size'), 10);
    assert.ok(bag.get('source.ip') instanceof IpAddress);
    assert.throws(
      () => bagFromJson({ 'request.size': 'big', 'no.such.attribute': 1, 'source.ip': 'x' }, manifest),
      (error: unknown) =>
        error instanceof InvalidAttributesError &&
        error.problems.length === 3 &&
        error.problems.some((problem) => problem.startsWith('no.such.attribute: unknown attribute')),
    );
  });
});
