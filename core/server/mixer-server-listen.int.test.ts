import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { eventually } from '../../test/support/mixer-harness.js';
import { ListenError } from '../net/listen-error.js';
import { MixerServer } from './mixer-server.js';
import { DEFAULT_SERVER_OPTIONS } from './server-options.js';

test('a listener that cannot be opened fails start with the option to change, and closes what had started', { timeout: 30_000 }, async () => {
  const configDir = await mkdtemp(join(tmpdir(), 'mixer-listen-'));
  const taken = createServer().listen(0, '127.0.0.1');
  await once(taken, 'listening');
  const takenPort = (taken.address() as AddressInfo).port;
  const listeners = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
  const before = listeners();
  try {
    const server = new MixerServer({ ...DEFAULT_SERVER_OPTIONS, configPath: configDir, grpcPort: 0, httpPort: 0, monitoringPort: takenPort, watch: false }, pino({ level: 'silent' }));
    const error = await server.start().then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof ListenError);
    assert.equal(error.code, 'MIXER_ERR_LISTEN');
    assert.equal(
      error.message,
      `the monitoring port (--monitoring-host, --monitoring-port): cannot listen on 127.0.0.1:${takenPort}: the port is in use: stop what holds it, or give another port (EADDRINUSE)`,
    );
    // The gRPC and HTTP listeners it had opened are closed again: the process is not left serving half a Mixer.
    assert.equal(server.addresses, undefined);
    // libuv finishes closing handles a turn or two after close() resolves.
    await eventually(() => listeners() === before, 5000, 'the listeners start opened to close');
  } finally {
    taken.close();
    await rm(configDir, { recursive: true, force: true });
  }
});
