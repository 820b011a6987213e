// The ceiling of the HTTP bench: a bare fastify echo route. It parses the same JSON body a Check
// carries and sends it back (a response of about the size of a CheckResponse), nothing else.
// Run as its own process; prints its URL on stdout.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/echo', (request) => request.body);
app.listen({ host: '127.0.0.1', port: 0 }).then(
  (address) => process.stdout.write(`${address}\n`),
  (error: unknown) => {
    process.stderr.write(`echo server failed: ${String(error)}\n`);
    process.exit(1);
  },
);
