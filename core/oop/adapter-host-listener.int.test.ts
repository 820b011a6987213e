import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { DEFAULT_LISTENER_LIMITS } from '../net/listener-limits.js';
import { AdapterHost } from './adapter-host.js';
import { adapter as recording } from './testing/recording-adapter.js';

// What `mixer adapter serve` listens with: the same connection cap and idle timeout as Mixer's
// gRPC API.

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
});
