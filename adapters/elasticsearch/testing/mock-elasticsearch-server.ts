import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type MockModule from '@elastic/elasticsearch-mock';

/** An `@elastic/elasticsearch-mock` instance (its typings declare a default export the CommonJS module does not have). */
export type ClientMock = InstanceType<typeof MockModule.default>;

/** The mock's `MockPattern` as its resolvers receive it. */
type MockRequest = Parameters<ClientMock['get']>[0];

/** One request as it arrived: method, path and the raw body text. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

/**
 * Elasticsearch over real HTTP for end-to-end tests (Elasticsearch cannot run here): a loopback
 * HTTP server whose answers come from an official `@elastic/elasticsearch-mock` instance. It
 * parses each request as the mock's own connection does (NDJSON bodies become arrays of lines),
 * asks the mock for the resolver matching method, path, query and body, and writes what it
 * returns: a ResponseError becomes its status and body, any other Error a dropped connection,
 * no match a 404. Every request is recorded with its raw body.
 */
export class MockElasticsearchServer {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly mock: ClientMock,
    private boundPort: number,
  ) {}

  static async start(mock: ClientMock, port = 0): Promise<MockElasticsearchServer> {
    const server = new MockElasticsearchServer(mock, port);
    await server.listen();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  /** Listens again on the same port after `stop()`. */
  async listen(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((request, response) => void this.answer(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.listen(this.boundPort, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address !== null && typeof address === 'object') this.boundPort = address.port;
    this.server = server;
  }

  /** Stops listening and cuts open connections (Elasticsearch went down). */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, body });
    const ndjson = (request.headers['content-type'] ?? '').includes('ndjson');
    const parsed: MockRequest = {
      method,
      path: url.pathname,
      querystring: Object.fromEntries(url.searchParams),
      body: body === '' ? undefined : ndjson ? body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>) : (JSON.parse(body) as Record<string, unknown>),
    };
    const resolver = this.mock.get(parsed);
    if (resolver === null) {
      this.write(response, 404, { error: 'Mock not found', method, path: url.pathname });
      return;
    }
    const payload: unknown = resolver(parsed);
    if (payload instanceof Error) {
      const status = (payload as Error & { statusCode?: unknown; body?: unknown }).statusCode;
      if (payload.name === 'ResponseError' && typeof status === 'number') this.write(response, status, (payload as Error & { body?: unknown }).body ?? {});
      else request.socket.destroy();
      return;
    }
    this.write(response, 200, payload);
  }

  private write(response: ServerResponse, status: number, payload: unknown): void {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    response.writeHead(status, {
      'content-type': typeof payload === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'x-elastic-product': 'Elasticsearch',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }
}
