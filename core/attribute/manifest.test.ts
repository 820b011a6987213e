import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AttributeManifest, ManifestError } from './manifest.js';
import { ValueType } from './value-type.js';

describe('AttributeManifest', () => {
  test('ships the standard Istio vocabulary', () => {
    const manifest = AttributeManifest.standard();
    assert.equal(manifest.typeOf('request.headers'), ValueType.STRING_MAP);
    assert.equal(manifest.typeOf('source.ip'), ValueType.IP_ADDRESS);
    assert.equal(manifest.typeOf('response.duration'), ValueType.DURATION);
    assert.equal(manifest.typeOf('destination.service.host'), ValueType.STRING);
    assert.equal(manifest.typeOf('connection.mtls'), ValueType.BOOL);
    assert.ok(manifest.size >= 90);
  });

  test('reads an attributemanifest spec and reports every bad entry with its path', () => {
    const manifest = AttributeManifest.fromSpec({
      name: 'kubernetes',
      attributes: { 'source.pod.name': { valueType: 'STRING', description: 'pod' }, 'x.count': { valueType: 'INT64' } },
    });
    assert.equal(manifest.typeOf('x.count'), ValueType.INT64);
    assert.equal(manifest.get('source.pod.name')?.description, 'pod');
    assert.throws(
      () => AttributeManifest.fromSpec({ attributes: { a: { valueType: 'STRNG' }, b: 'INT64', c: { valueType: 'VALUE_TYPE_UNSPECIFIED' } } }),
      (error: unknown) =>
        error instanceof ManifestError &&
        error.problems.length === 3 &&
        error.problems[0]!.path === 'spec.attributes.a.valueType' &&
        error.problems[0]!.message.startsWith("unknown value type 'STRNG', expected one of STRING, INT64"),
    );
  });

  test('merges manifests, later declarations winning', () => {
    const merged = AttributeManifest.of({ a: 'STRING', b: 'INT64' }).merge(AttributeManifest.of({ b: 'DOUBLE' }));
    assert.equal(merged.typeOf('a'), ValueType.STRING);
    assert.equal(merged.typeOf('b'), ValueType.DOUBLE);
    assert.equal(merged.with({ 'kubernetes.output.x': ValueType.STRING }).typeOf('kubernetes.output.x'), ValueType.STRING);
  });
});
