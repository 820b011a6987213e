import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';

import { MixerError } from '../../core/errors/mixer-error.js';
import { DEFAULT_LISTENER_LIMITS } from '../../core/net/listener-limits.js';
import { freePort } from '../../test/support/prometheus-server.js';
import { MetricsListenError } from './errors.js';
import { MetricsListenerPool } from './listener-pool.js';
import { MetricFamily } from './metric-family.js';
import { metricSpec } from './metric-spec.js';
import type { MetricsLease } from './shared-listener.js';
import { scrape, valueOf } from './testing/scrape.js';

const logger = pino({ level: 'silent' });

/** A registry holding one counter `name` with the value `value`, published on `lease`. */
function publishCounter(lease: MetricsLease, name: string, value: number, labelNames: string[] = []): { family: MetricFamily; hidden: string[] } {
  const family = new MetricFamily(metricSpec({ namespace: '', name, instanceName: `${name}.instance.ns`, description: '', kind: 'COUNTER', labelNames }));
  const registry = new Registry();
  registry.registerMetric(family.metric);
  const series = family.seriesFor(Object.fromEntries(labelNames.map((label) => [label, 'x'])));
  if (typeof series === 'string') assert.fail(series);
  assert.equal(family.record(value, series, 0), undefined);
  return { family, hidden: lease.publish(registry, [family]) };
}

/** Whether something can listen on the port again (the listener really closed). */
async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}

describe('prometheus listener pool', () => {
  it('shares one listener per address, serves the newest publication, closes with the last lease', async () => {
    const pool = new MetricsListenerPool();
    const port = await freePort();
    const address = { host: '127.0.0.1', port };
    const old = await pool.acquire(address, 'prometheus.handler.istio-system', logger);
    publishCounter(old, 'requests_total', 1);
    assert.equal(old.url, `http://127.0.0.1:${port}/metrics`);
    assert.equal(valueOf(await scrape(old.url), 'istio_requests_total'), 1);

    // A config swap: the new handler is built while the old one still serves.
    const next = await pool.acquire(address, 'prometheus.handler.istio-system', logger);
    assert.equal(pool.size, 1);
    publishCounter(next, 'requests_total', 7);
    assert.equal(valueOf(await scrape(old.url), 'istio_requests_total'), 7, 'the newest publication wins');

    await old.release();
    await old.release();
    assert.equal(valueOf(await scrape(next.url), 'istio_requests_total'), 7, 'still served after the old handler closed');
    assert.equal(await portIsFree(port), false);

    await next.release();
    assert.equal(pool.size, 0);
    await assert.rejects(fetch(next.url), 'nothing listens any more');
    assert.equal(await portIsFree(port), true);
  });

  it('serves the union of different handlers on one port; a same-named metric of another handler is hidden and named', async () => {
    const pool = new MetricsListenerPool();
    const address = { host: '127.0.0.1', port: await freePort() };
    const first = await pool.acquire(address, 'a.handler.ns', logger);
    const second = await pool.acquire(address, 'b.handler.ns', logger);
    publishCounter(first, 'a_total', 1);
    assert.deepEqual(publishCounter(second, 'b_total', 2).hidden, []);
    const both = await scrape(first.url);
    assert.equal(valueOf(both, 'istio_a_total'), 1);
    assert.equal(valueOf(both, 'istio_b_total'), 2);

    const third = await pool.acquire(address, 'c.handler.ns', logger);
    assert.deepEqual(publishCounter(third, 'a_total', 3, ['code']).hidden, ['istio_a_total']);
    const shadowed = await scrape(first.url);
    assert.equal(valueOf(shadowed, 'istio_a_total'), 3);
    assert.equal(shadowed.samples.filter((sample) => sample.name === 'istio_a_total').length, 1, 'one family per name');
    await Promise.all([first.release(), second.release(), third.release()]);
  });

  it('offers the families of other live leases for reuse, by definition', async () => {
    const pool = new MetricsListenerPool();
    const address = { host: '127.0.0.1', port: await freePort() };
    const old = await pool.acquire(address, 'h.handler.ns', logger);
    const { family } = publishCounter(old, 'requests_total', 1);
    const next = await pool.acquire(address, 'h.handler.ns', logger);
    assert.equal(next.reusableFamily(family.spec.definition), family);
    assert.equal(old.reusableFamily(family.spec.definition), undefined, 'not its own');
    assert.equal(next.reusableFamily('something else'), undefined);
    await old.release();
    assert.equal(next.reusableFamily(family.spec.definition), undefined, 'released leases offer nothing');
    await next.release();
  });

  it('gives port 0 a listener of its own each time', async () => {
    const pool = new MetricsListenerPool();
    const one = await pool.acquire({ host: '127.0.0.1', port: 0 }, 'a', logger);
    const two = await pool.acquire({ host: '127.0.0.1', port: 0 }, 'b', logger);
    assert.notEqual(one.port, 0);
    assert.notEqual(one.port, two.port);
    publishCounter(one, 'one_total', 1);
    publishCounter(two, 'two_total', 2);
    assert.deepEqual((await scrape(one.url)).samples.map((sample) => sample.name), ['istio_one_total']);
    await Promise.all([one.release(), two.release()]);
    assert.equal(pool.size, 0);
  });

  it('listens again on an address whose listener is closing', async () => {
    const pool = new MetricsListenerPool();
    const address = { host: '127.0.0.1', port: await freePort() };
    const first = await pool.acquire(address, 'h', logger);
    publishCounter(first, 'x_total', 1);
    await scrape(first.url); // leaves a keep-alive connection open
    const closing = first.release();
    const again = await pool.acquire(address, 'h', logger);
    await closing;
    publishCounter(again, 'x_total', 5);
    assert.equal(valueOf(await scrape(again.url), 'istio_x_total'), 5);
    await again.release();
  });

  it('fails with MetricsListenError when the port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    const pool = new MetricsListenerPool();
    try {
      const error = await pool.acquire({ host: '127.0.0.1', port }, 'h', logger).then(() => undefined, (caught: unknown) => caught);
      assert.ok(error instanceof MetricsListenError);
      assert.ok(MixerError.is(error));
      assert.equal(error.code, 'PROMETHEUS_ERR_LISTEN');
      assert.match(error.message, new RegExp(`^could not start prometheus metrics server on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      assert.equal(pool.size, 0);
    } finally {
      blocker.close();
    }
  });

  it('answers 404 off /metrics, 405 for other methods, and an empty exposition before anything is published', async () => {
    const pool = new MetricsListenerPool();
    const lease = await pool.acquire({ host: '127.0.0.1', port: 0 }, 'h', logger);
    const base = lease.url.replace(/\/metrics$/, '');
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
    const empty = await fetch(`${base}/metrics?x=1`);
    assert.equal(empty.status, 200);
    assert.equal(empty.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(await empty.text(), '\n');
    const registry = new Registry();
    new Counter({ name: 'plain_total', help: 'h', registers: [registry] });
    lease.publish(registry, []);
    assert.equal(valueOf(await scrape(lease.url), 'plain_total'), 0);
    await lease.release();
  });

  it('keeps the listener limits it is given: a slowloris connection is cut at the header timeout, one past the cap at once', { timeout: 30_000 }, async () => {
    const pool = new MetricsListenerPool();
    const limits = { ...DEFAULT_LISTENER_LIMITS, maxConnections: 1, headerTimeoutMs: 1500, requestTimeoutMs: 3000 };
    const lease = await pool.acquire({ host: '127.0.0.1', port: 0 }, 'h', logger, limits);
    try {
      const open = (): Promise<{ closed: Promise<number> }> =>
        new Promise((resolve) => {
          let received = 0;
          const socket = connect(lease.port, '127.0.0.1', () => {
            socket.write('GET /metrics HTTP/1.1\r\n');
            resolve({ closed: once(socket, 'close').then(() => received) });
          });
          socket.on('data', (chunk: Buffer) => (received += chunk.length));
          socket.on('error', () => undefined);
        });
      const slowloris = await open();
      const extra = await open();
      assert.equal(await extra.closed, 0, 'the connection past the cap is closed unanswered');
      assert.ok((await slowloris.closed) > 0, 'the slowloris connection is answered 408 and closed');
    } finally {
      await lease.release();
    }
  });
});
