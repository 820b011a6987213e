import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Duration } from '../attribute/duration.js';
import { ValueType } from '../attribute/value-type.js';
import { canonicalJson, handlerSignature } from './handler-signature.js';

describe('handler signatures', () => {
  test('canonical JSON sorts keys and gives values without a JSON form a stable text', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2n, undefined], c: 'x' } }), '{"a":{"c":"x","d":["2n",null]},"b":1}');
    assert.equal(canonicalJson(new Map([['z', 1], ['a', 2]])), canonicalJson(new Map([['a', 2], ['z', 1]])));
    assert.equal(canonicalJson({ wait: Duration.parse('1m30s') }), '{"wait":{"$Duration":"1m30s"}}');
    assert.equal(canonicalJson(new Set([3, 1])), '{"$set":[1,3]}');
    const cycle: Record<string, unknown> = { a: 1 };
    cycle['self'] = cycle;
    assert.equal(canonicalJson(cycle), '{"a":1,"self":"[circular]"}');
  });

  test('equal inputs give equal signatures; any difference changes it', () => {
    const instance = { name: 'i.instance.ns', template: 'metric' as const, types: { value: ValueType.INT64 } };
    const base = handlerSignature('stdio', { level: 'INFO', wait: Duration.parse('5s') }, [instance]);
    assert.equal(handlerSignature('stdio', { wait: Duration.parse('5s'), level: 'INFO' }, [instance]), base);
    assert.notEqual(handlerSignature('stdio', { level: 'INFO', wait: Duration.parse('6s') }, [instance]), base);
    assert.notEqual(handlerSignature('noop', { level: 'INFO', wait: Duration.parse('5s') }, [instance]), base);
    assert.notEqual(handlerSignature('stdio', { level: 'INFO', wait: Duration.parse('5s') }, [{ ...instance, types: { value: ValueType.DOUBLE } }]), base);
    assert.notEqual(handlerSignature('stdio', { level: 'INFO', wait: Duration.parse('5s') }, []), base);
  });
});
