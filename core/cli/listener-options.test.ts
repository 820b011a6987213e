import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LISTENER_LIMITS } from '../net/listener-limits.js';
import { UsageError } from './command.js';
import { parseListenerLimits } from './listener-options.js';
import { serverCommand } from './server-command.js';

const usageError = (message: string) => (error: unknown) => error instanceof UsageError && error.message === message;

describe('the listener limit options (--max-connections, --idle-timeout, --header-timeout, --request-timeout)', () => {
  it('defaults each limit, takes counts and Go durations', () => {
    assert.deepEqual(parseListenerLimits({}), DEFAULT_LISTENER_LIMITS);
    assert.deepEqual(parseListenerLimits({ 'max-connections': '16', 'idle-timeout': '5m', 'header-timeout': '500ms', 'request-timeout': '1.5s' }), {
      maxConnections: 16,
      idleTimeoutMs: 300_000,
      headerTimeoutMs: 500,
      requestTimeoutMs: 1500,
    });
    assert.ok(Object.isFrozen(parseListenerLimits({})));
  });

  it('refuses what is not a positive whole count, saying what to give', () => {
    for (const bad of ['0', '-1', '1.5', 'many', '', '1e3']) {
      assert.throws(() => parseListenerLimits({ 'max-connections': bad }), usageError(`--max-connections ${bad}: expected a whole number of connections, 1 or more (default 4096)`));
    }
  });

  it('refuses durations that are not positive or that node cannot time', () => {
    for (const bad of ['0s', '-1s', '10', 'soon', '0.1ms', '600h']) {
      assert.throws(() => parseListenerLimits({ 'idle-timeout': bad }), usageError(`--idle-timeout ${bad}: expected a duration from 1ms to 596h, such as 500ms, 30s or 5m (default 1m0s)`));
    }
  });

  it('refuses a header timeout longer than the request timeout, which includes it', () => {
    assert.throws(
      () => parseListenerLimits({ 'header-timeout': '40s' }),
      usageError('--header-timeout 40s is longer than --request-timeout 30s, which includes the headers: lengthen --request-timeout or shorten --header-timeout'),
    );
    assert.equal(parseListenerLimits({ 'header-timeout': '40s', 'request-timeout': '40s' }).headerTimeoutMs, 40_000);
  });

  it('are in mixer server --help, with --monitoring-host', () => {
    for (const flag of ['--monitoring-host', '--max-connections', '--idle-timeout', '--header-timeout', '--request-timeout']) assert.ok(serverCommand.usage.includes(flag), flag);
  });
});
