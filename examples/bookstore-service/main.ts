#!/usr/bin/env node
// Runs one service of the bookstore mesh in front of Mixer:
//   node dist/examples/bookstore-service/main.js --app reviews --port 9080 --mixer http://127.0.0.1:9092
import { parseArgs } from 'node:util';
import { HttpMixerTransport, MixerClient } from '../../core/client/index.js';
import { createBookstoreService } from './bookstore-service.js';

const USAGE = `Usage: bookstore-service --app NAME [--version v1] [--port 9080] [--mixer URL] [--quota NAME]

A bookstore service that calls Mixer's Check before serving and Report after, through the
Mixer client library. Callers identify themselves with the x-client-app / x-client-version
headers (this example trusts them; a mesh's sidecar would vouch for them).

  --app NAME        the service's app label (productpage, details, reviews, ratings)
  --version V       its version label (default v1)
  --port PORT       where to listen (default 9080)
  --mixer URL       Mixer's HTTP/JSON API (default http://127.0.0.1:9092)
  --quota NAME      a quota to allocate per request (default requestcountquota; '' for none)
  --fail-close      deny when Mixer cannot be reached (default: allow)`;

const { values } = parseArgs({
  options: {
    app: { type: 'string' },
    version: { type: 'string' },
    port: { type: 'string' },
    mixer: { type: 'string' },
    quota: { type: 'string' },
    'fail-close': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help === true || values.app === undefined) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(values.help === true ? 0 : 2);
}
const client = new MixerClient({
  transport: new HttpMixerTransport({ url: values.mixer ?? 'http://127.0.0.1:9092' }),
  failPolicy: { failOpen: values['fail-close'] !== true },
});
const quota = values.quota ?? 'requestcountquota';
const server = createBookstoreService({
  identity: { app: values.app, version: values.version ?? 'v1', namespace: 'default' },
  client,
  ...(quota === '' ? {} : { quota: { name: quota, amount: 1 } }),
});
const port = Number(values.port ?? '9080');
server.listen(port, '127.0.0.1', () => process.stderr.write(`${values.app} listening on http://127.0.0.1:${port}\n`));
const stop = (): void => {
  server.close();
  void client.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
