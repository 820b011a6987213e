import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { prometheus } from '../../adapters/prometheus/index.js';
import { tryConnect } from '../../test/support/listening-sockets.js';
import { ValueType } from '../attribute/value-type.js';
import { DEFAULT_LISTENER_LIMITS } from '../net/listener-limits.js';
import { AdapterHost } from './adapter-host.js';
import { RemoteHandler } from './remote-handler.js';
import { adapter as recording } from './testing/recording-adapter.js';

// What `mixer adapter serve` listens with: the same connection cap and idle timeout as Mixer's
// gRPC API, and handlers whose own listeners default to the host's interface.

/** A bound on each test (a close that never comes fails, not hangs). */
const LIMIT = { timeout: 30_000 };

/** A silent TCP connection: the bytes it received once the server closed it. */
async function silentConnection(port: number): Promise<{ closed: Promise<number> }> {
  let received = 0;
  const socket = connect(port, '127.0.0.1');
  socket.on('data', (chunk: Buffer) => (received += chunk.length));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return { closed: once(socket, 'close').then(() => received) };
}

describe('the adapter host\'s listener', () => {
  test('closes a connection past its cap at once and counts it; closes idle connections after the idle timeout', LIMIT, async () => {
    const host = new AdapterHost(recording.info, { logger: pino({ level: 'silent' }), limits: { ...DEFAULT_LISTENER_LIMITS, maxConnections: 2, idleTimeoutMs: 1500 } });
    const port = Number((await host.listen('127.0.0.1', 0)).split(':').at(-1));
    try {
      const idle = [await silentConnection(port), await silentConnection(port)];
      const extra = await silentConnection(port);
      assert.equal(await extra.closed, 0, 'the connection past the cap was closed unserved');
      assert.match(await host.metricsText(), /^mixer_listener_connections_refused_total\{listener="grpc"\} 1$/m);
      for (const connection of idle) assert.ok((await connection.closed) > 0, 'an idle connection was served (SETTINGS), then closed (GOAWAY)');
    } finally {
      await host.close();
    }
  });

  test('a prometheus handler with no address listens on the host\'s interface', LIMIT, async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // 127.0.0.2 is loopback too on Linux, yet a different address from 127.0.0.1.
    const host = new AdapterHost(prometheus.info, { logger: pino({ level: 'info' }, sink) });
    const address = await host.listen('127.0.0.2', 0);
    const handler = RemoteHandler.create({ address, timeoutMs: 5000, params: { port: 0, metrics: [{ name: 'requests_total', instance_name: 'requestcount.instance.istio-system', kind: 'COUNTER' }] }, sessionBased: false }, ['metric'], [
      { name: 'requestcount.instance.istio-system', template: 'metric', types: { value: ValueType.INT64, dimensions: {} } },
    ]) as RemoteHandler & { handleMetric(instances: unknown[]): Promise<void> };
    try {
      await handler.handleMetric([{ name: 'requestcount.instance.istio-system', value: 1, dimensions: {}, monitoredResourceType: undefined, monitoredResourceDimensions: {} }]);
      const served = lines.map((line) => JSON.parse(line) as { msg: string; url?: string }).find((entry) => entry.msg === 'serving prometheus metrics');
      const url = new URL(served!.url!);
      assert.equal(url.hostname, '127.0.0.2');
      assert.match(await (await fetch(url)).text(), /^istio_requests_total 1$/m);
      assert.equal(await tryConnect('127.0.0.1', Number(url.port)), 'ECONNREFUSED');
    } finally {
      handler.close();
      await host.close();
    }
  });
});
