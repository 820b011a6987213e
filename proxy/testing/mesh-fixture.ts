import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { AttributeBag } from '../../core/attribute/bag.js';
import { snapshotBag } from '../../core/client/plain-bag.js';
import type { ClientLogger } from '../../core/client/client-logger.js';
import { silentLogger } from '../../core/client/client-logger.js';
import { OK_STATUS } from '../../core/status/rpc-status.js';
import type { MixerTransport, TransportCheckRequest, TransportCheckResponse } from '../../core/client/transport.js';
import { buildProxyConfig } from '../proxy-config-loader.js';
import { SidecarProxy } from '../sidecar-proxy.js';
import { ServiceRegistry, parseServiceRegistry } from '../service-registry.js';
import { parseYamlText } from '../yaml-fields.js';

// Pieces the proxy's tests share: a recording upstream app, a TCP echo, free ports, and a
// sidecar started from YAML text as `mixer proxy --config` would start it.

/** A request as the upstream app saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RecordingApp {
  readonly port: number;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** An HTTP app that records each request and answers 200 with JSON, plus an `x-powered-by` header to be removed by policy. */
export async function startRecordingApp(): Promise<RecordingApp> {
  const seen: SeenRequest[] = [];
  const server = createHttpServer({ keepAlive: true }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const reply = JSON.stringify({ path: request.url, received: body.length });
      response.writeHead(200, { 'content-type': 'application/json', 'x-powered-by': 'recording-app', 'content-length': Buffer.byteLength(reply) });
      response.end(reply);
    });
  });
  const port = await listen(server);
  return { port, seen, close: () => closeServer(server) };
}

/** A TCP echo server. */
export async function startTcpEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createNetServer((socket) => socket.pipe(socket));
  const port = await listen(server);
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A loopback port free right now (for a server that must come back on the same port). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a sidecar from config YAML text and registry YAML text (optional). */
export async function startSidecar(configYaml: string, registryYaml?: string, options: { transport?: MixerTransport; logger?: ClientLogger } = {}): Promise<SidecarProxy> {
  const config = buildProxyConfig(parseYamlText('proxy.yaml', configYaml), process.cwd());
  const registry = registryYaml === undefined ? undefined : new ServiceRegistry(parseServiceRegistry(parseYamlText('registry.yaml', registryYaml)));
  return SidecarProxy.start(config, { logger: options.logger ?? silentLogger, ...(registry === undefined ? {} : { registry }), ...(options.transport === undefined ? {} : { transport: options.transport }) });
}

export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP/1.1 request to `port` with an explicit Host header (fetch cannot set Host). */
export function call(port: number, path: string, options: { host?: string; method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? 'localhost', ...options.headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/** A stand-in Mixer that allows everything and records every Check and Report bag. */
export class RecordingTransport implements MixerTransport {
  readonly checks: AttributeBag[] = [];
  readonly reports: AttributeBag[] = [];

  check(request: TransportCheckRequest): Promise<TransportCheckResponse> {
    // A copy: the proxy's attribute list grows after the Check (the report attributes).
    this.checks.push(snapshotBag(request.attributes));
    return Promise.resolve({
      precondition: { status: OK_STATUS, validDurationMs: 0, validUseCount: 0, referenced: [], referencedValid: true, routeDirective: undefined },
      quotas: new Map([...request.quotas].map(([name, quota]) => [name, { status: OK_STATUS, grantedAmount: quota.amount, validDurationMs: 60_000, referenced: [], referencedValid: true }])),
    });
  }

  report(batch: readonly AttributeBag[]): Promise<void> {
    this.reports.push(...batch);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** One line of a stdio handler's JSON output: the logentry's variables and the handler's own fields. */
export type AccessLogLine = Readonly<Record<string, unknown>>;

/** The lines a stdio handler (`outputAsJson: true`) has written to `file` so far; none before the file exists. */
export async function accessLogLines(file: string): Promise<AccessLogLine[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AccessLogLine);
}
