import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WireType } from '../grpc/wire-reader.js';
import { WireWriter } from '../grpc/wire-writer.js';
import { errorLines, snapshotOf, yaml } from '../config/testing/config-fixtures.js';
import type { RemoteHandlerParams } from './remote-handler.js';

// Config for out-of-process adapters: `kind: adapter` + a handler with `adapter` and `connection`.

function descriptorFor(pkg: string): string {
  const writer = new WireWriter();
  const file = writer.begin(1);
  writer.tag(2, WireType.LENGTH_DELIMITED);
  writer.string(pkg);
  writer.end(file);
  return Buffer.from(writer.finish()).toString('base64');
}

const ADAPTER = yaml(
  'apiVersion: config.istio.io/v1alpha2',
  'kind: adapter',
  'metadata: { name: hours, namespace: istio-system }',
  'spec:',
  '  description: business hours, out of process',
  '  templates: [ metric, authorization ]',
  '---',
);

function handler(name: string, connection: string, params = '  params: { opens: "08:00" }'): string {
  return yaml('apiVersion: config.istio.io/v1alpha2', 'kind: handler', `metadata: { name: ${name}, namespace: istio-system }`, 'spec:', '  adapter: hours', connection, params, '---');
}

const METRIC_RULE = yaml(
  'apiVersion: config.istio.io/v1alpha2',
  'kind: instance',
  'metadata: { name: requestcount, namespace: istio-system }',
  'spec: { compiledTemplate: metric, params: { value: "1", dimensions: { code: response.code | 200 } } }',
  '---',
  'apiVersion: config.istio.io/v1alpha2',
  'kind: rule',
  'metadata: { name: count, namespace: istio-system }',
  'spec: { actions: [ { handler: remote, instances: [ requestcount ] } ] }',
);

describe('out-of-process handlers in config', () => {
  test('a handler with adapter + connection becomes a remote handler with its address, timeout and params', () => {
    const snapshot = snapshotOf(ADAPTER + handler('remote', '  connection: { address: "127.0.0.1:9999", timeout: 250ms }') + METRIC_RULE);
    assert.deepEqual(errorLines(snapshot), []);
    const entry = snapshot.handlers.get('remote.handler.istio-system');
    assert.ok(entry);
    assert.equal(entry.adapter.name, 'hours');
    assert.deepEqual([...entry.adapter.supportedTemplates], ['metric', 'authorization']);
    const params = entry.params as RemoteHandlerParams;
    assert.equal(params.address, '127.0.0.1:9999');
    assert.equal(params.timeoutMs, 250);
    assert.deepEqual(params.params, { opens: '08:00' });
    assert.deepEqual(entry.instances.map((instance) => instance.name), ['requestcount.instance.istio-system']);
    assert.equal(snapshot.rules.length, 1);
  });

  test('the address is part of the handler signature: moving the adapter rebuilds its handler', () => {
    const first = snapshotOf(ADAPTER + handler('remote', '  connection: { address: "127.0.0.1:1" }') + METRIC_RULE);
    const same = snapshotOf(ADAPTER + handler('remote', '  connection: { address: "127.0.0.1:1" }') + METRIC_RULE);
    const moved = snapshotOf(ADAPTER + handler('remote', '  connection: { address: "127.0.0.1:2" }') + METRIC_RULE);
    const signature = (snapshot: typeof first) => snapshot.handlers.get('remote.handler.istio-system')?.signature;
    assert.equal(signature(first), signature(same));
    assert.notEqual(signature(first), signature(moved));
  });

  test('connection problems are reported with their field, and the handler is left out', () => {
    const snapshot = snapshotOf(
      ADAPTER +
        handler('noaddress', '  connection: { timeout: 1s }') + // 13
        handler('badtimeout', '  connection: { address: "a:1", timeout: soon }') + // 21
        handler('tls', '  connection: { address: "a:1", authentication: { tls: { caCertificates: /ca.pem } } }') + // 29
        handler('badparams', '  connection: { address: "a:1" }', '  params: [ 1 ]'), // 37
    );
    assert.deepEqual(errorLines(snapshot), [
      "config.yaml:13: handler/istio-system/noaddress: spec.connection: an out-of-process handler needs connection.address (host:port of the adapter's gRPC server)",
      'config.yaml:21: handler/istio-system/badtimeout: spec.connection.timeout: "soon" is not a positive duration (examples: 500ms, 1s, 1m30s)',
      'config.yaml:29: handler/istio-system/tls: spec.connection.authentication: TLS and mutual TLS to out-of-process adapters are not supported by this build; use a plaintext address',
      'config.yaml:38: handler/istio-system/badparams: spec.params: params must be a map',
    ]);
    assert.equal(snapshot.handlers.size, 0);
  });

  test('an instance of a template the adapter does not handle is refused by the rule', () => {
    const snapshot = snapshotOf(
      ADAPTER +
        handler('remote', '  connection: { address: "a:1" }') +
        yaml(
          'apiVersion: config.istio.io/v1alpha2',
          'kind: instance',
          'metadata: { name: nothing, namespace: istio-system }',
          'spec: { compiledTemplate: checknothing }',
          '---',
          'apiVersion: config.istio.io/v1alpha2',
          'kind: rule',
          'metadata: { name: r, namespace: istio-system }',
          'spec: { actions: [ { handler: remote, instances: [ nothing ] } ] }',
        ),
    );
    assert.ok(errorLines(snapshot).some((line) => line.includes("instance 'nothing.instance.istio-system' is of template 'checknothing' which is not supported by handler 'remote.handler.istio-system'")));
  });

  test('Istio-style config: a template resource whose descriptor declares a compiled-in template stands for it', () => {
    const snapshot = snapshotOf(
      yaml(
        'apiVersion: config.istio.io/v1alpha2',
        'kind: template',
        'metadata: { name: listentry, namespace: istio-system }',
        `spec: { descriptor: "${descriptorFor('listentry')}" }`,
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: adapter',
        'metadata: { name: lister, namespace: istio-system }',
        'spec: { templates: [ listentry ], sessionBased: false }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: handler',
        'metadata: { name: remote, namespace: istio-system }',
        'spec: { adapter: lister, connection: { address: "a:1" } }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: instance',
        'metadata: { name: who, namespace: istio-system }',
        'spec: { template: listentry, params: { value: source.ip | ip("0.0.0.0") } }',
        '---',
        'apiVersion: config.istio.io/v1alpha2',
        'kind: rule',
        'metadata: { name: r, namespace: istio-system }',
        'spec: { actions: [ { handler: remote, instances: [ who ] } ] }',
      ),
    );
    assert.deepEqual(errorLines(snapshot), []);
    assert.equal(snapshot.instances.get('who.instance.istio-system')?.template.name, 'listentry');
    assert.deepEqual([...(snapshot.handlers.get('remote.handler.istio-system')?.adapter.supportedTemplates ?? [])], ['listentry']);
  });
});
