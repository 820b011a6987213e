// The sidecar's typed configuration: what `mixer proxy` runs with once flags and the YAML file
// have been validated (proxy-config-loader.ts). Everything here is frozen and trusted.

import type { AttributeValue } from '../core/attribute/value.js';

/** Who this workload is: the attributes it contributes as source (outbound) or destination (inbound). */
export interface WorkloadIdentity {
  /** The workload instance name (pod name): `source.name` / `destination.name`. */
  readonly name: string;
  /** `source.uid` / `destination.uid`, e.g. `kubernetes://reviews-v1-7b9f.default`. */
  readonly uid: string;
  readonly namespace: string;
  readonly labels: ReadonlyMap<string, string>;
  /** `source.principal` / `destination.principal` (a SPIFFE id); empty when unknown. */
  readonly principal: string;
  /** The service the workload serves: `destination.service.*` on the inbound side. */
  readonly service: ServiceName;
}

export interface ServiceName {
  readonly host: string;
  readonly name: string;
  readonly namespace: string;
}

/** What a listener speaks; it decides the attribute set and how traffic is forwarded. */
export enum ListenerProtocol {
  /** HTTP/1.1 (with WebSocket upgrades). */
  HTTP = 'http',
  /** HTTP/2 cleartext with prior knowledge (h2c), as gRPC speaks it. */
  GRPC = 'grpc',
  TCP = 'tcp',
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface InboundConfig {
  /** Where the inbound listener binds (port 0 picks a free one). */
  readonly listen: HostPort;
  /** The local application it forwards to. */
  readonly app: HostPort;
  readonly protocol: ListenerProtocol;
}

export interface OutboundConfig {
  /** Where the HTTP outbound listener binds; the app sends its calls here with the service as Host. */
  readonly listen: HostPort;
  /** Where the h2c (gRPC) outbound listener binds, if any; calls are routed by :authority. */
  readonly grpcListen: HostPort | undefined;
}

/** Istio's NetworkFailPolicy: what the proxy does when Mixer cannot be reached. */
export enum FailPolicy {
  FAIL_OPEN = 'FAIL_OPEN',
  FAIL_CLOSE = 'FAIL_CLOSE',
}

export enum MixerWire {
  GRPC = 'grpc',
  HTTP = 'http',
}

export interface MixerConnection {
  /** `grpc://host:port` (istio.mixer.v1, as Envoy) or `http://host:port` (the JSON API). */
  readonly address: string;
  readonly wire: MixerWire;
  readonly failPolicy: FailPolicy;
  readonly maxRetries: number;
  readonly baseRetryMs: number;
  readonly maxRetryMs: number;
  readonly timeoutMs: number;
  readonly disableCheck: boolean;
  readonly disableReport: boolean;
  /** 0 disables the check cache. */
  readonly checkCacheEntries: number;
  readonly reportBatchEntries: number;
  readonly reportBatchTimeMs: number;
  /** How often an open TCP connection reports `continue` (Istio's report_interval: 10 s, at least 1 s). */
  readonly tcpReportIntervalMs: number;
}

/** A StringMatch of Istio's QuotaSpec: exact, prefix or regex; `any` matches everything. */
export type StringMatch =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'regex'; readonly value: RegExp }
  | { readonly kind: 'any' };

/** All clauses must hold; each names a STRING attribute. */
export interface QuotaMatch {
  readonly clauses: ReadonlyMap<string, StringMatch>;
}

export interface QuotaCharge {
  readonly quota: string;
  readonly charge: number;
}

/** A QuotaRule: when any match holds (or there is none), the quotas are charged. */
export interface QuotaRule {
  readonly match: readonly QuotaMatch[];
  readonly quotas: readonly QuotaCharge[];
}

/**
 * What every listener allows its connections (one set for all listeners): Envoy's listener
 * connection limit, the HTTP connection manager's request_headers_timeout and idle_timeout, and
 * tcp_proxy's idle_timeout. A timeout of 0 turns it off.
 */
export interface ConnectionLimits {
  /** Open connections per listener; one more is closed as soon as it is accepted. */
  readonly maxConnections: number;
  /**
   * How long a new connection may take to send its first bytes (HTTP/2: to open a stream), and a
   * request head to be complete from its first byte. A connection that sends nothing, or a head
   * that dribbles in, is closed.
   */
  readonly headerTimeoutMs: number;
  /** How long an HTTP/1.1 keep-alive connection with no request, or an HTTP/2 connection with no stream, stays open. */
  readonly idleTimeoutMs: number;
  /** How long a TCP connection, or an upgraded (WebSocket) tunnel, with no bytes either way stays open. */
  readonly tcpIdleTimeoutMs: number;
}

export interface ProxyConfig {
  readonly workload: WorkloadIdentity;
  readonly inbound: InboundConfig | undefined;
  readonly outbound: OutboundConfig | undefined;
  readonly mixer: MixerConnection;
  /** Every QuotaSpec's rules, in order. */
  readonly quotaRules: readonly QuotaRule[];
  /**
   * Istio's `mixer_attributes`: sent with every Check and Report, typed by the attribute
   * vocabulary. Whatever the proxy works out itself (identity, request, response) wins on a clash.
   */
  readonly mixerAttributes: readonly (readonly [string, AttributeValue])[];
  readonly limits: ConnectionLimits;
  /** The static service registry file (resolved path), when outbound traffic is proxied. */
  readonly registryFile: string | undefined;
}
