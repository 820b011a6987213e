import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHostPort } from './address.js';

describe('parseHostPort', () => {
  it('reads host:port, [v6]:port and :port (localhost)', () => {
    assert.deepEqual(parseHostPort('fluentd-es.logging:24224'), { host: 'fluentd-es.logging', port: 24224 });
    assert.deepEqual(parseHostPort('[::1]:24224'), { host: '::1', port: 24224 });
    assert.deepEqual(parseHostPort(':24224'), { host: 'localhost', port: 24224 });
  });

  it('says why an address is malformed', () => {
    assert.deepEqual(parseHostPort('fluentd'), { error: 'missing port in address "fluentd"' });
    assert.deepEqual(parseHostPort('::1:24224'), { error: 'too many colons in address "::1:24224"' });
    assert.deepEqual(parseHostPort('fluentd:'), { error: 'invalid port ""' });
    assert.deepEqual(parseHostPort('fluentd:-1'), { error: 'invalid port "-1"' });
    assert.deepEqual(parseHostPort('fluentd:65536'), { error: 'port 65536 is out of range 1-65535' });
    assert.deepEqual(parseHostPort('fluentd:0'), { error: 'port 0 is out of range 1-65535' });
  });
});
