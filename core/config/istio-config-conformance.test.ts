import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { TemplateRegistry } from '../../templates/registry.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { conformanceDirectory } from '../../test/support/conformance.js';
import { fluentd } from '../../adapters/fluentd/index.js';
import { prometheus } from '../../adapters/prometheus/index.js';
import { redisquota } from '../../adapters/redisquota/index.js';
import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import { formatConfigError } from './config-error.js';
import { KindClassifier, ResourceRole } from './kinds.js';
import { loadConfigPath } from './loader.js';
import { SnapshotBuilder } from './snapshot-builder.js';
import type { Snapshot } from './snapshot.js';
import { testAdapters } from './testing/test-adapters.js';

// Every Istio sample config in conformance/istio-config loads: each resource is recognised
// (a Mixer kind, or one of the non-Mixer kinds listed here), and every error is one we expect,
// listed below. The test adapters stand in for denier, listchecker, memquota, stdio and noop,
// and the real prometheus, redisquota and fluentd adapters parse and validate Istio's handlers
// for them; the errors are about what this build does not have (the kubernetesenv adapter, the
// kubernetes template) and the rules that used them, plus two genuine mistakes in Istio's own
// samples.

/** Kinds in the samples that are not Mixer config (Istio's networking/quota-spec API). */
const NON_MIXER_KINDS = ['DestinationRule', 'QuotaSpec', 'QuotaSpecBinding'];
const ADAPTERS = '(available: denier, fluentd, listchecker, memquota, noop, prometheus, redisquota, stdio)';
const TEMPLATES = '(available: apikey, authorization, checknothing, edge, listentry, logentry, metric, quota, reportnothing, tracespan)';

type Expected = readonly [line: number, text: string];

/** A handler for an adapter Istio compiled in and this build lacks. */
function unavailable(line: number, kind: string, namespace: string, name: string, adapter: string): Expected {
  const field = kind === 'handler' ? 'spec.compiledAdapter' : 'kind';
  return [line, `${kind}/${namespace}/${name}: ${field}: adapter '${adapter}' is not available in this build of Mixer ${ADAPTERS}`];
}

/** An instance of Istio's `kubernetes` attribute-generator template, which this build lacks. */
function templateUnavailable(line: number, kind: string, namespace: string, name: string): Expected {
  return kind === 'instance'
    ? [line, `instance/${namespace}/${name}: spec.compiledTemplate: compiledTemplate 'kubernetes' is not available in this build of Mixer ${TEMPLATES}`]
    : [line, `${kind}/${namespace}/${name}: kind: template 'kubernetes' is not available in this build of Mixer ${TEMPLATES}`];
}

/** The cascade: a rule action whose handler was left out. */
function handlerNotFound(line: number, namespace: string, rule: string, action: number, reference: string): Expected {
  return [line, `rule/${namespace}/${rule}: spec.actions[${action}].handler: Handler not found: handler='${reference}'`];
}

function noValidActions(line: number, namespace: string, rule: string): Expected {
  return [line, `rule/${namespace}/${rule}: No valid actions found in rule`];
}

/** A rule action naming an instance defined in another file. */
function instanceNotFound(line: number, namespace: string, rule: string, action: number, index: number, reference: string): Expected {
  return [line, `rule/${namespace}/${rule}: spec.actions[${action}].instances[${index}]: Instance not found: instance='${reference}'`];
}

function noValidInstances(line: number, namespace: string, rule: string, action: number): Expected {
  return [line, `rule/${namespace}/${rule}: spec.actions[${action}]: No valid instances found`];
}

interface FileExpectation {
  /** What is left in the snapshot. */
  readonly valid: { readonly handlers: number; readonly instances: number; readonly rules: number };
  /** Non-Mixer kinds the file holds. */
  readonly ignored: readonly string[];
  readonly errors: readonly Expected[];
}

/** Each file loaded on its own (the bookinfo samples are alternatives, applied one at a time). */
const FILES: Readonly<Record<string, FileExpectation>> = {
  'bookinfo-policy-1.1/mixer-rule-additional-telemetry.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.1/mixer-rule-deny-label.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.1/mixer-rule-deny-serviceaccount.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.1/mixer-rule-ingress-denial.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.1/mixer-rule-kubernetesenv-telemetry.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.1/mixer-rule-productpage-ratelimit.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: ["QuotaSpec","QuotaSpecBinding"],
    errors: [],
  },
  'bookinfo-policy-1.1/mixer-rule-ratings-denial.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.1/mixer-rule-ratings-ratelimit.yaml': {
    valid: { handlers: 1, instances: 0, rules: 0 },
    ignored: ["QuotaSpec","QuotaSpecBinding"],
    errors: [
      // Istio 1.1's sample uses `source.service`, which no 1.1+ vocabulary declares.
      [36, "quota/istio-system/requestcount: spec.dimensions.source: failed to evaluate expression for field 'dimensions[source]': unknown attribute source.service"],
      [51, "rule/istio-system/quota: spec.actions[0].instances[0]: Instance not found: instance='requestcount.quota'"],
      [49, "rule/istio-system/quota: spec.actions[0]: No valid instances found"],
      noValidActions(42, 'istio-system', 'quota'),
    ],
  },
  'bookinfo-policy-1.4/mixer-rule-deny-ip-crd.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-deny-ip.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-deny-label-crd.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-deny-label.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-deny-serviceaccount.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-deny-whitelist-crd.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-deny-whitelist.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-ingress-denial.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-kubernetesenv-telemetry.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-productpage-ratelimit-crd.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: ["QuotaSpec","QuotaSpecBinding"],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-productpage-ratelimit.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: ["QuotaSpec","QuotaSpecBinding"],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-productpage-redis-quota-fixed-window.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: ["QuotaSpec","QuotaSpecBinding"],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-productpage-redis-quota-rolling-window.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: ["QuotaSpec","QuotaSpecBinding"],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-ratings-denial.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-ratings-ratelimit.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: ["QuotaSpec","QuotaSpecBinding"],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-ratings-redis-quota-fixed-window.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: ["QuotaSpec","QuotaSpecBinding"],
    errors: [],
  },
  'bookinfo-policy-1.4/mixer-rule-ratings-redis-quota-rolling-window.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: ["QuotaSpec","QuotaSpecBinding"],
    errors: [],
  },
  'bookinfo-policy-1.4/prometheus-oop-rule.yaml': {
    valid: { handlers: 0, instances: 0, rules: 0 },
    ignored: [],
    errors: [
      // The out-of-process sample names a `template` resource and an `adapter` resource it does not define.
      [7, "instance/istio-system/requestcount-oop: spec.template: template 'metric' not found (for the compiled-in template write compiledTemplate: metric)"],
      [39, "handler/istio-system/prometheus-handler: spec.adapter: adapter 'prometheus-nosession' not found"],
      handlerNotFound(76, 'istio-system', 'promhttp-oop', 0, 'prometheus-handler'),
      noValidActions(69, 'istio-system', 'promhttp-oop'),
    ],
  },
  'bookinfo-telemetry-1.4/fluentd-istio-crd.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-telemetry-1.4/fluentd-istio.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-telemetry-1.4/log-entry-crd.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-telemetry-1.4/log-entry.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-telemetry-1.4/metrics-crd.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-telemetry-1.4/metrics.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-telemetry-1.4/tcp-metrics-crd.yaml': {
    valid: { handlers: 1, instances: 2, rules: 1 },
    ignored: [],
    errors: [],
  },
  'bookinfo-telemetry-1.4/tcp-metrics.yaml': {
    valid: { handlers: 1, instances: 2, rules: 1 },
    ignored: [],
    errors: [],
  },
  'helm-mixer-1.4/config.rendered.yaml': {
    valid: { handlers: 2, instances: 10, rules: 6 },
    ignored: ["DestinationRule"],
    errors: [
      unavailable(932, 'handler', 'istio-system', 'kubernetesenv', 'kubernetesenv'),
      handlerNotFound(954, 'istio-system', 'kubeattrgenrulerule', 0, 'kubernetesenv'),
      noValidActions(942, 'istio-system', 'kubeattrgenrulerule'),
      handlerNotFound(971, 'istio-system', 'tcpkubeattrgenrulerule', 0, 'kubernetesenv'),
      noValidActions(958, 'istio-system', 'tcpkubeattrgenrulerule'),
      templateUnavailable(986, 'instance', 'istio-system', 'attributes'),
    ],
  },
  'mixer-testdata-1.4/accesslog.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'mixer-testdata-1.4/attributes.yaml': {
    valid: { handlers: 0, instances: 0, rules: 0 },
    ignored: [],
    errors: [],
  },
  'mixer-testdata-1.4/deny.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'mixer-testdata-1.4/kubernetesenv.yaml': {
    valid: { handlers: 0, instances: 0, rules: 0 },
    ignored: [],
    errors: [
      unavailable(7, 'handler', 'istio-system', 'kubernetesenv', 'kubernetesenv'),
      handlerNotFound(24, 'istio-system', 'kubeattrgenrule', 0, 'kubernetesenv'),
      noValidActions(17, 'istio-system', 'kubeattrgenrule'),
      templateUnavailable(29, 'kubernetes', 'istio-system', 'attributes'),
    ],
  },
  'mixer-testdata-1.4/listcheck.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'mixer-testdata-1.4/metrics.yaml': {
    valid: { handlers: 0, instances: 4, rules: 0 },
    ignored: [],
    errors: [],
  },
  'mixer-testdata-1.4/prometheus.yaml': {
    // The rules' instances are in metrics.yaml and tcpmetrics.yaml (see the whole-directory test).
    valid: { handlers: 1, instances: 0, rules: 0 },
    ignored: [],
    errors: [
      instanceNotFound(213, 'istio-system', 'promhttp', 0, 0, 'requestcount.metric'),
      instanceNotFound(214, 'istio-system', 'promhttp', 0, 1, 'requestduration.metric'),
      instanceNotFound(215, 'istio-system', 'promhttp', 0, 2, 'requestsize.metric'),
      instanceNotFound(216, 'istio-system', 'promhttp', 0, 3, 'responsesize.metric'),
      noValidInstances(211, 'istio-system', 'promhttp', 0),
      noValidActions(203, 'istio-system', 'promhttp'),
      instanceNotFound(228, 'istio-system', 'promtcp', 0, 0, 'tcpbytesent.metric'),
      instanceNotFound(229, 'istio-system', 'promtcp', 0, 1, 'tcpbytereceived.metric'),
      noValidInstances(226, 'istio-system', 'promtcp', 0),
      noValidActions(218, 'istio-system', 'promtcp'),
      instanceNotFound(241, 'istio-system', 'promtcpconnectionopen', 0, 0, 'tcpconnectionsopened.metric'),
      noValidInstances(239, 'istio-system', 'promtcpconnectionopen', 0),
      noValidActions(231, 'istio-system', 'promtcpconnectionopen'),
      instanceNotFound(253, 'istio-system', 'promtcpconnectionclosed', 0, 0, 'tcpconnectionsclosed.metric'),
      noValidInstances(251, 'istio-system', 'promtcpconnectionclosed', 0),
      noValidActions(243, 'istio-system', 'promtcpconnectionclosed'),
    ],
  },
  'mixer-testdata-1.4/quota.yaml': {
    valid: { handlers: 1, instances: 1, rules: 1 },
    ignored: [],
    errors: [],
  },
  'mixer-testdata-1.4/source_ip_deny.yaml': {
    valid: { handlers: 0, instances: 0, rules: 0 },
    ignored: [],
    errors: [
      handlerNotFound(12, 'istio-system', 'mixerdenyip', 0, 'denyall'),
      noValidActions(4, 'istio-system', 'mixerdenyip'),
    ],
  },
  'mixer-testdata-1.4/source_user_filter.yaml': {
    valid: { handlers: 0, instances: 0, rules: 0 },
    ignored: [],
    errors: [
      handlerNotFound(12, 'istio-system', 'mixerdenyuser', 0, 'denyall'),
      noValidActions(4, 'istio-system', 'mixerdenyuser'),
    ],
  },
  'mixer-testdata-1.4/tcp_accesslog.yaml': {
    valid: { handlers: 0, instances: 1, rules: 0 },
    ignored: [],
    errors: [
      handlerNotFound(44, 'istio-system', 'stdiotcp', 0, 'stdio.handler'),
      noValidActions(36, 'istio-system', 'stdiotcp'),
    ],
  },
  'mixer-testdata-1.4/tcpmetrics.yaml': {
    valid: { handlers: 0, instances: 4, rules: 0 },
    ignored: [],
    errors: [],
  },
};

/** The conformance directory, or undefined (the test skipped) when it is absent outside CI. */
function corpus(context: TestContext): string | undefined {
  const directory = join(conformanceDirectory(), 'istio-config');
  if (existsSync(directory)) return directory;
  if (process.env['CI'] === 'true') throw new Error(`conformance data missing under CI: ${directory}`);
  context.skip(`conformance data not found at ${directory}`);
  return undefined;
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory)
    .flatMap((name) => (statSync(join(directory, name)).isDirectory() ? filesUnder(join(directory, name)) : [join(directory, name)]))
    .sort();
}

/** The stand-ins, plus the real prometheus, redisquota and fluentd adapters: their params schemas and validation meet Istio's own samples here. */
function adapters(): AdapterInfo[] {
  return [...testAdapters(), fluentd.info, prometheus.info, redisquota.info];
}

function builder(): SnapshotBuilder {
  return new SnapshotBuilder({ adapters: adapters(), environment: {} });
}

function errorsOf(snapshot: Snapshot, root: string): string[] {
  return snapshot.errors.map((error) => formatConfigError({ ...error, file: relative(root, error.file) }));
}

describe('Istio sample configs (conformance/istio-config)', () => {
  test('every file has an expectation, and every expectation a file', (context) => {
    const root = corpus(context);
    if (root === undefined) return;
    const files = filesUnder(root).map((file) => relative(root, file));
    assert.deepEqual(files, Object.keys(FILES).sort());
  });

  for (const [file, expected] of Object.entries(FILES)) {
    test(file, async (context) => {
      const root = corpus(context);
      if (root === undefined) return;
      const loaded = await loadConfigPath(join(root, file));
      assert.deepEqual(loaded.errors, [], 'the file parses as YAML');
      assert.ok(loaded.resources.length > 0);
      const classifier = new KindClassifier(adapters().map((adapter) => adapter.name), new TemplateRegistry().names());
      const ignored = [...new Set(loaded.resources.filter((resource) => classifier.roleOf(resource.apiVersion, resource.kind) === ResourceRole.IGNORED).map((resource) => resource.kind))];
      assert.deepEqual(ignored, expected.ignored, 'every resource is a Mixer kind or a known non-Mixer kind');
      assert.ok(ignored.every((kind) => NON_MIXER_KINDS.includes(kind)));

      const snapshot = builder().build(loaded);
      assert.deepEqual(errorsOf(snapshot, root), expected.errors.map(([line, text]) => `${file}:${line}: ${text}`));
      assert.deepEqual(
        { handlers: snapshot.handlers.size, instances: snapshot.instances.size, rules: snapshot.rules.length },
        expected.valid,
      );
    });
  }

  test('mixer-testdata-1.4 as one directory: references across files resolve', async (context) => {
    const root = corpus(context);
    if (root === undefined) return;
    const snapshot = builder().build(await loadConfigPath(join(root, 'mixer-testdata-1.4')));
    const file = 'mixer-testdata-1.4';
    assert.deepEqual(errorsOf(snapshot, root), [
      unavailable(7, 'handler', 'istio-system', 'kubernetesenv', 'kubernetesenv'),
      handlerNotFound(24, 'istio-system', 'kubeattrgenrule', 0, 'kubernetesenv'),
      noValidActions(17, 'istio-system', 'kubeattrgenrule'),
      templateUnavailable(29, 'kubernetes', 'istio-system', 'attributes'),
    ].map(([line, text]) => `${file}/kubernetesenv.yaml:${line}: ${text}`));
    const routes = Object.fromEntries(snapshot.rules.map((rule) => [rule.name, rule.actions.map((action) => `${action.handler} <- ${action.instances.join(', ')}`)]));
    assert.deepEqual(routes, {
      'stdiohttp.rule.istio-system': ['stdio.handler.istio-system <- accesslog.logentry.istio-system'],
      'mixerdenysome.rule.istio-system': ['denyall.handler.istio-system <- denyrequest.checknothing.istio-system'],
      'checkwl.rule.istio-system': ['staticversion.handler.istio-system <- appversion.listentry.istio-system'],
      'quota.rule.istio-system': ['memquota.handler.istio-system <- requestcount.quota.istio-system'],
      'mixerdenyip.rule.istio-system': ['denyall.handler.istio-system <- denyrequest.checknothing.istio-system'],
      'mixerdenyuser.rule.istio-system': ['denyall.handler.istio-system <- denyrequest.checknothing.istio-system'],
      'stdiotcp.rule.istio-system': ['stdio.handler.istio-system <- tcpaccesslog.logentry.istio-system'],
      'promhttp.rule.istio-system': [
        'prometheus.handler.istio-system <- requestcount.metric.istio-system, requestduration.metric.istio-system, requestsize.metric.istio-system, responsesize.metric.istio-system',
      ],
      'promtcp.rule.istio-system': ['prometheus.handler.istio-system <- tcpbytesent.metric.istio-system, tcpbytereceived.metric.istio-system'],
      'promtcpconnectionopen.rule.istio-system': ['prometheus.handler.istio-system <- tcpconnectionsopened.metric.istio-system'],
      'promtcpconnectionclosed.rule.istio-system': ['prometheus.handler.istio-system <- tcpconnectionsclosed.metric.istio-system'],
    });
    assert.deepEqual(snapshot.handlers.get('stdio.handler.istio-system')?.instances.map((instance) => instance.name), [
      'accesslog.logentry.istio-system',
      'tcpaccesslog.logentry.istio-system',
    ]);
    assert.equal(snapshot.resourceCounts['attributemanifest'], 2);
    assert.notEqual(AttributeManifest.standard().get('origin.ip')?.description, '');
    assert.equal(snapshot.manifest.get('origin.ip')?.description, '', "attributes.yaml's declarations (without descriptions) are merged over the standard vocabulary");
  });
});
