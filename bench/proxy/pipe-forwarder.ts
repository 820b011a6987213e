// The bench's reference hop: the barest Node forwarder (node:http in, http.request out over a
// keep-alive Agent, bodies piped), no attributes and no policy. Usage: pipe-forwarder.js PORT
// (the upstream's port); prints its own URL on stdout.
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstreamPort = Number(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const server = createServer({ keepAlive: true }, (request, response) => {
  const upstream = httpRequest({ agent, host: '127.0.0.1', port: upstreamPort, method: request.method, path: request.url, headers: request.headers }, (reply) => {
    response.writeHead(reply.statusCode ?? 502, reply.headers);
    reply.pipe(response);
  });
  upstream.on('error', () => {
    response.writeHead(502);
    response.end();
  });
  request.pipe(upstream);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
