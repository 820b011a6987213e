import { dirname, resolve } from 'node:path';
import { AttributeConversionError, convertRequestAttribute } from '../core/attribute/convert.js';
import { AttributeManifest } from '../core/attribute/manifest.js';
import type { AttributeValue } from '../core/attribute/value.js';
import {
  FailPolicy,
  ListenerProtocol,
  MixerWire,
  type ConnectionLimits,
  type HostPort,
  type InboundConfig,
  type MixerConnection,
  type OutboundConfig,
  type ProxyConfig,
  type QuotaMatch,
  type QuotaRule,
  type StringMatch,
  type WorkloadIdentity,
} from './proxy-config.js';
import { FieldReader, join, parseHostPort, readYamlFile, type YamlSource } from './yaml-fields.js';

const TOP = ['workload', 'inbound', 'outbound', 'mixer', 'quotaSpecs', 'mixerAttributes', 'limits', 'registry'] as const;
const WORKLOAD = ['name', 'uid', 'namespace', 'labels', 'principal', 'service'] as const;
const SERVICE = ['host', 'name', 'namespace'] as const;
const INBOUND = ['listen', 'app', 'protocol'] as const;
const OUTBOUND = ['listen', 'grpcListen'] as const;
const MIXER = [
  'address',
  'failPolicy',
  'maxRetries',
  'baseRetryMs',
  'maxRetryMs',
  'timeoutMs',
  'disableCheck',
  'disableReport',
  'checkCacheEntries',
  'reportBatchEntries',
  'reportBatchTimeMs',
  'tcpReportIntervalMs',
] as const;

const LIMITS = ['maxConnections', 'headerTimeoutMs', 'idleTimeoutMs', 'tcpIdleTimeoutMs'] as const;

/**
 * The defaults, against Envoy's:
 * - maxConnections 4096 per listener. Envoy has no listener limit by default and recommends an
 *   overload-manager cap (50,000 for the whole edge proxy). A sidecar serves one workload; 4096
 *   is far above what one app takes and, at two sockets per proxied connection, keeps a few
 *   full listeners under common open-file limits, so Mixer and upstream calls still get sockets.
 * - headerTimeoutMs 10 s: Envoy's edge guidance for request_headers_timeout (off by default).
 *   node's own default is 60 s; a slowloris connection should cost seconds, not a minute.
 * - idleTimeoutMs 60 s: Envoy's idle_timeout is 1 h. The sidecar keeps the 60 s it always gave
 *   keep-alive connections: idle connections count against maxConnections, and callers (an
 *   outbound sidecar's pool closes its idle connections after 30 s) reconnect cheaply.
 * - tcpIdleTimeoutMs 1 h: tcp_proxy's default; database and other long-lived connections idle
 *   for minutes.
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = Object.freeze({ maxConnections: 4096, headerTimeoutMs: 10_000, idleTimeoutMs: 60_000, tcpIdleTimeoutMs: 3_600_000 });

/** The longest a node timer can wait (a longer one fires at once). */
const MAX_TIMER_MS = 2_147_483_647;

const nonNegativeInteger = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;
const positive = (value: number): boolean => Number.isFinite(value) && value > 0;

/** Loads and validates a proxy config file; `overrides` (from flags) replace the file's fields. */
export function loadProxyConfig(file: string, overrides?: Readonly<Record<string, unknown>>): ProxyConfig {
  const source = readYamlFile(file);
  return buildProxyConfig(overrides === undefined ? source : { ...source, value: mergeDeep(source.value, overrides) }, dirname(resolve(file)));
}

/** Validates a parsed config (file or flags) into a frozen ProxyConfig; relative paths resolve against `baseDir`. */
export function buildProxyConfig(source: YamlSource, baseDir: string): ProxyConfig {
  const reader = new FieldReader(source);
  const top = reader.object(source.value, '', TOP, true);
  const workload = readWorkload(reader, top?.['workload']);
  const inbound = readInbound(reader, top?.['inbound']);
  const outbound = readOutbound(reader, top?.['outbound']);
  const mixer = readMixer(reader, top?.['mixer']);
  const quotaRules = readQuotaSpecs(reader, top?.['quotaSpecs']);
  const mixerAttributes = readMixerAttributes(reader, top?.['mixerAttributes']);
  const limits = readLimits(reader, top?.['limits']);
  const registry = top?.['registry'];
  let registryFile: string | undefined;
  if (registry !== undefined && registry !== null) {
    if (typeof registry === 'string' && registry !== '') registryFile = resolve(baseDir, registry);
    else reader.problem('registry', 'expected the path of a registry file');
  }
  if (inbound === undefined && outbound === undefined) reader.problem('', 'nothing to run: give an inbound listener, an outbound listener, or both');
  if (outbound !== undefined && registryFile === undefined) reader.problem('registry', 'is required for an outbound listener (outbound hosts resolve through it)');
  reader.done();
  return Object.freeze({ workload, inbound, outbound, mixer, quotaRules, mixerAttributes, limits, registryFile });
}

function readWorkload(reader: FieldReader, value: unknown): WorkloadIdentity {
  const object = reader.object(value, 'workload', WORKLOAD, true);
  const name = reader.string(object, 'name', 'workload');
  const namespace = reader.string(object, 'namespace', 'workload', 'default');
  const labels = reader.labels(object, 'labels', 'workload');
  const service = reader.object(object?.['service'], 'workload.service', SERVICE);
  const serviceName = reader.string(service, 'name', 'workload.service', labels.get('app') ?? name);
  const serviceNamespace = reader.string(service, 'namespace', 'workload.service', namespace);
  return Object.freeze({
    name,
    uid: reader.string(object, 'uid', 'workload', `kubernetes://${name}.${namespace}`),
    namespace,
    labels,
    principal: reader.string(object, 'principal', 'workload', ''),
    service: Object.freeze({
      host: reader.string(service, 'host', 'workload.service', `${serviceName}.${serviceNamespace}.svc.cluster.local`),
      name: serviceName,
      namespace: serviceNamespace,
    }),
  });
}

function hostPort(reader: FieldReader, object: Readonly<Record<string, unknown>> | undefined, key: string, path: string): HostPort {
  const text = reader.string(object, key, path);
  if (text === '') return { host: '127.0.0.1', port: 0 };
  const parsed = parseHostPort(text);
  if (parsed === undefined) reader.problem(join(path, key), `expected host:port (port 0-65535), got ${JSON.stringify(text)}`);
  return Object.freeze(parsed ?? { host: '127.0.0.1', port: 0 });
}

function readInbound(reader: FieldReader, value: unknown): InboundConfig | undefined {
  const object = reader.object(value, 'inbound', INBOUND);
  if (object === undefined) return undefined;
  return Object.freeze({
    listen: hostPort(reader, object, 'listen', 'inbound'),
    app: hostPort(reader, object, 'app', 'inbound'),
    protocol: readProtocol(reader, object, 'inbound'),
  });
}

function readOutbound(reader: FieldReader, value: unknown): OutboundConfig | undefined {
  const object = reader.object(value, 'outbound', OUTBOUND);
  if (object === undefined) return undefined;
  return Object.freeze({
    listen: hostPort(reader, object, 'listen', 'outbound'),
    grpcListen: object['grpcListen'] === undefined ? undefined : hostPort(reader, object, 'grpcListen', 'outbound'),
  });
}

/** `protocol`: http (default), grpc (alias http2) or tcp. */
export function readProtocol(reader: FieldReader, object: Readonly<Record<string, unknown>> | undefined, path: string): ListenerProtocol {
  const text = reader.string(object, 'protocol', path, 'http').toLowerCase();
  const protocol = { http: ListenerProtocol.HTTP, grpc: ListenerProtocol.GRPC, http2: ListenerProtocol.GRPC, tcp: ListenerProtocol.TCP }[text];
  if (protocol === undefined) reader.problem(join(path, 'protocol'), `expected http, grpc or tcp, got ${JSON.stringify(text)}`);
  return protocol ?? ListenerProtocol.HTTP;
}

function readMixer(reader: FieldReader, value: unknown): MixerConnection {
  const object = reader.object(value, 'mixer', MIXER, true);
  const address = reader.string(object, 'address', 'mixer');
  let wire = MixerWire.GRPC;
  if (address.startsWith('http://')) wire = MixerWire.HTTP;
  else if (address !== '' && parseHostPort(address.replace(/^grpc:\/\//, '')) === undefined) {
    reader.problem('mixer.address', `expected grpc://host:port (istio.mixer.v1) or http://host:port (the JSON API), got ${JSON.stringify(address)}`);
  }
  const policyText = reader.string(object, 'failPolicy', 'mixer', 'FAIL_CLOSE');
  const failPolicy = { FAIL_OPEN: FailPolicy.FAIL_OPEN, OPEN: FailPolicy.FAIL_OPEN, FAIL_CLOSE: FailPolicy.FAIL_CLOSE, CLOSE: FailPolicy.FAIL_CLOSE, CLOSED: FailPolicy.FAIL_CLOSE }[policyText.toUpperCase()];
  if (failPolicy === undefined) reader.problem('mixer.failPolicy', `expected FAIL_OPEN or FAIL_CLOSE, got ${JSON.stringify(policyText)}`);
  const connection: MixerConnection = {
    address,
    wire,
    failPolicy: failPolicy ?? FailPolicy.FAIL_CLOSE,
    maxRetries: reader.number(object, 'maxRetries', 'mixer', 0, nonNegativeInteger, 'an integer >= 0'),
    baseRetryMs: reader.number(object, 'baseRetryMs', 'mixer', 80, nonNegativeInteger, 'an integer >= 0'),
    maxRetryMs: reader.number(object, 'maxRetryMs', 'mixer', 1000, nonNegativeInteger, 'an integer >= 0'),
    timeoutMs: reader.number(object, 'timeoutMs', 'mixer', 5000, positive, 'a number > 0'),
    disableCheck: reader.boolean(object, 'disableCheck', 'mixer', false),
    disableReport: reader.boolean(object, 'disableReport', 'mixer', false),
    checkCacheEntries: reader.number(object, 'checkCacheEntries', 'mixer', 10_000, nonNegativeInteger, 'an integer >= 0'),
    reportBatchEntries: reader.number(object, 'reportBatchEntries', 'mixer', 100, nonNegativeInteger, 'an integer >= 0'),
    reportBatchTimeMs: reader.number(object, 'reportBatchTimeMs', 'mixer', 1000, nonNegativeInteger, 'an integer >= 0'),
    tcpReportIntervalMs: reader.number(object, 'tcpReportIntervalMs', 'mixer', 10_000, (value) => Number.isSafeInteger(value) && value >= 1000, 'an integer >= 1000 (ms)'),
  };
  return Object.freeze(connection);
}

function readLimits(reader: FieldReader, value: unknown): ConnectionLimits {
  const object = reader.object(value, 'limits', LIMITS);
  const timeout = (key: (typeof LIMITS)[number]): number =>
    reader.number(object, key, 'limits', DEFAULT_CONNECTION_LIMITS[key], (ms) => Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_TIMER_MS, `an integer from 0 (off) to ${MAX_TIMER_MS} (ms)`);
  return Object.freeze({
    maxConnections: reader.number(object, 'maxConnections', 'limits', DEFAULT_CONNECTION_LIMITS.maxConnections, (count) => Number.isSafeInteger(count) && count >= 1, 'an integer >= 1'),
    headerTimeoutMs: timeout('headerTimeoutMs'),
    idleTimeoutMs: timeout('idleTimeoutMs'),
    tcpIdleTimeoutMs: timeout('tcpIdleTimeoutMs'),
  });
}

/** A name as the vocabulary writes them: dot-separated words of letters, digits, `_` and `-`. */
const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

/**
 * `mixerAttributes`: attribute name → value, each value converted to the type the standard
 * vocabulary declares (an attribute outside it keeps the type its YAML value has: text, number,
 * boolean, or a mapping of text as a STRING_MAP), as the HTTP/JSON API converts attributes.
 */
function readMixerAttributes(reader: FieldReader, value: unknown): [string, AttributeValue][] {
  const object = reader.object(value, 'mixerAttributes', undefined);
  if (object === undefined) return [];
  const manifest = AttributeManifest.standard();
  const attributes: [string, AttributeValue][] = [];
  for (const [name, raw] of Object.entries(object)) {
    const path = join('mixerAttributes', name);
    if (!ATTRIBUTE_NAME.test(name)) {
      reader.problem(path, `${JSON.stringify(name)} is not an attribute name (dot-separated words, such as destination.service.uid)`);
      continue;
    }
    try {
      attributes.push([name, convertRequestAttribute(name, raw, manifest)]);
    } catch (error) {
      if (!(error instanceof AttributeConversionError)) throw error;
      reader.problem(path, error.message);
    }
  }
  return attributes;
}

/** Istio's QuotaSpec list: `[{rules: [{match: [{clause: {attr: {exact|prefix|regex}}}], quotas: [{quota, charge}]}]}]`. */
function readQuotaSpecs(reader: FieldReader, value: unknown): QuotaRule[] {
  const rules: QuotaRule[] = [];
  reader.list(value, 'quotaSpecs').forEach((spec, specIndex) => {
    const specPath = join('quotaSpecs', specIndex);
    const object = reader.object(spec, specPath, ['name', 'rules'], true);
    reader.list(object?.['rules'], join(specPath, 'rules')).forEach((rule, ruleIndex) => {
      const rulePath = join(join(specPath, 'rules'), ruleIndex);
      const ruleObject = reader.object(rule, rulePath, ['match', 'quotas'], true);
      const match: QuotaMatch[] = reader.list(ruleObject?.['match'], join(rulePath, 'match')).map((entry, matchIndex) => readQuotaMatch(reader, entry, join(join(rulePath, 'match'), matchIndex)));
      const quotas = reader.list(ruleObject?.['quotas'], join(rulePath, 'quotas')).map((quota, quotaIndex) => {
        const quotaPath = join(join(rulePath, 'quotas'), quotaIndex);
        const quotaObject = reader.object(quota, quotaPath, ['quota', 'charge'], true);
        return Object.freeze({
          quota: reader.string(quotaObject, 'quota', quotaPath),
          charge: reader.number(quotaObject, 'charge', quotaPath, 1, (charge) => Number.isSafeInteger(charge) && charge > 0, 'an integer > 0'),
        });
      });
      if (quotas.length === 0) reader.problem(join(rulePath, 'quotas'), 'a rule needs at least one quota');
      rules.push(Object.freeze({ match: Object.freeze(match), quotas: Object.freeze(quotas) }));
    });
  });
  return rules;
}

function readQuotaMatch(reader: FieldReader, value: unknown, path: string): QuotaMatch {
  const object = reader.object(value, path, ['clause'], true);
  // Clause keys are attribute names, not a fixed list.
  const clause = reader.object(object?.['clause'], join(path, 'clause'), undefined, false);
  const clauses = new Map<string, StringMatch>();
  for (const [attribute, raw] of Object.entries(clause ?? {})) {
    const matchPath = join(join(path, 'clause'), attribute);
    const match = reader.object(raw, matchPath, ['exact', 'prefix', 'regex']);
    const kinds = Object.keys(match ?? {});
    if (kinds.length > 1) reader.problem(matchPath, 'give one of exact, prefix or regex');
    const kind = kinds[0];
    const text = kind === undefined ? '' : reader.string(match, kind, matchPath);
    if (kind === undefined) clauses.set(attribute, { kind: 'any' });
    else if (kind === 'regex') {
      try {
        clauses.set(attribute, { kind: 'regex', value: new RegExp(`^(?:${text})$`) });
      } catch (error) {
        reader.problem(join(matchPath, 'regex'), `not a valid regular expression (${(error as Error).message})`);
      }
    } else if (kind === 'exact' || kind === 'prefix') clauses.set(attribute, { kind, value: text });
  }
  return Object.freeze({ clauses });
}

/** Overrides win over file values; nested objects merge. */
function mergeDeep(base: unknown, overrides: Readonly<Record<string, unknown>>): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return overrides;
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof current === 'object' && current !== null ? mergeDeep(current, value as Record<string, unknown>) : value;
  }
  return merged;
}
