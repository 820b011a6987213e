import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from './command.js';
import { parseLogLevel, parsePortOption } from './long-running.js';

describe('options of the long-running commands', () => {
  it('accepts pino levels, defaults to info, and names the accepted ones otherwise', () => {
    assert.equal(parseLogLevel(undefined), 'info');
    assert.equal(parseLogLevel('silent'), 'silent');
    assert.throws(() => parseLogLevel('loud'), (error: unknown) => error instanceof UsageError && error.message === '--log-level loud: expected one of fatal, error, warn, info, debug, trace, silent');
  });

  it('accepts ports 0-65535 and refuses anything else, naming the option', () => {
    assert.equal(parsePortOption('port', '0'), 0);
    assert.equal(parsePortOption('port', '65535'), 65535);
    for (const bad of ['', ' ', '-1', '65536', '80.5', 'http']) {
      assert.throws(() => parsePortOption('grpc-port', bad), (error: unknown) => error instanceof UsageError && error.message === `--grpc-port ${bad}: expected a port number 0-65535`);
    }
  });
});
