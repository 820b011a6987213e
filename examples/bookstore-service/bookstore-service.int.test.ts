import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpMixerTransport, MixerClient } from '../../core/client/index.js';
import { repositoryRoot } from '../../test/support/conformance.js';
import { startMixer, type RunningMixer } from '../../test/support/mixer-harness.js';
import { createBookstoreService } from './bookstore-service.js';

// A real Mixer server over the bookstore example config, and two services of the mesh that ask
// it before serving through the client library.

async function bookstoreConfig(): Promise<Record<string, string>> {
  const directory = join(repositoryRoot(), 'examples', 'bookstore');
  const files: Record<string, string> = {};
  for (const file of await readdir(directory)) if (file.endsWith('.yaml')) files[file] = await readFile(join(directory, file), 'utf8');
  return files;
}

describe('a service calling Mixer through the client library', () => {
  let mixer: RunningMixer;
  const services: { url: string; close: () => Promise<void> }[] = [];

  async function service(app: string, quota: boolean): Promise<string> {
    const client = new MixerClient({ transport: new HttpMixerTransport({ url: mixer.url }) });
    const server = createBookstoreService({
      identity: { app, version: 'v1', namespace: 'default' },
      client,
      ...(quota ? { quota: { name: 'requestcountquota', amount: 1 } } : {}),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    services.push({
      url,
      close: async () => {
        await new Promise((resolve) => server.close(resolve));
        await client.close();
      },
    });
    return url;
  }

  before(async () => {
    mixer = await startMixer(await bookstoreConfig());
  });
  after(async () => {
    for (const each of services) await each.close();
    await mixer.close();
  });

  test('a denial is a 403 with the reason; an allowed call is served', async () => {
    const ratings = await service('ratings', false);
    const denied = await fetch(`${ratings}/ratings/1`, { headers: { 'x-client-app': 'reviews', 'x-client-version': 'v3' } });
    assert.equal(denied.status, 403);
    assert.equal(await denied.text(), 'PERMISSION_DENIED: denyreviewsv3handler.handler.istio-system:Not allowed\n');
    const allowed = await fetch(`${ratings}/ratings/1`, { headers: { 'x-client-app': 'reviews', 'x-client-version': 'v2' } });
    assert.equal(allowed.status, 200);
  });

  test("header operations reach the application and the response; the quota's 4th call is a 429", async () => {
    const reviews = await service('reviews', true);
    const first = await fetch(`${reviews}/reviews/0`, { headers: { 'x-client-app': 'productpage' } });
    assert.equal(first.status, 200);
    assert.equal(((await first.json()) as { caller: string }).caller, 'productpage', 'the request header operation was applied');
    assert.equal(first.headers.get('x-powered-by'), null, 'the response header operation removed it');
    const statuses = [first.status];
    for (let index = 0; index < 3; index++) {
      const response = await fetch(`${reviews}/reviews/0`, { headers: { 'x-client-app': 'productpage' } });
      statuses.push(response.status);
      if (response.status === 429) assert.match(await response.text(), /^RESOURCE_EXHAUSTED: Quota is exhausted for: requestcountquota/);
      else await response.text();
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });
});
