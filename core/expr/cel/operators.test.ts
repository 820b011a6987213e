import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration } from '../../attribute/duration.js';
import { Timestamp } from '../../attribute/timestamp.js';
import { evaluate, evaluationError, run } from './test-helpers.js';

describe('CEL operators: int arithmetic', () => {
  it('adds, subtracts, multiplies, divides (truncating) and takes remainders', () => {
    assert.equal(evaluate('1 + 2 * 3'), 7);
    assert.equal(evaluate('7 - 10'), -3);
    assert.equal(evaluate('7 / 2'), 3);
    assert.equal(evaluate('-7 / 2'), -3);
    assert.equal(evaluate('7 % 3'), 1);
    assert.equal(evaluate('-7 % 3'), -1);
    assert.equal(evaluate('-(3)'), -3);
  });

  it('is exact beyond 2^53 and reports overflow', () => {
    assert.equal(evaluate('9007199254740993 + 0'), 9007199254740993n);
    assert.equal(evaluate('4611686018427387903 * 2 + 1'), 9223372036854775807n);
    assert.equal(evaluate('9007199254740992 - 1'), 9007199254740991);
    assert.equal(evaluationError('9223372036854775807 + 1'), 'integer overflow');
    assert.equal(evaluationError('-9223372036854775808 - 1'), 'integer overflow');
    assert.equal(evaluationError('4611686018427387904 * 2'), 'integer overflow');
    assert.equal(evaluationError('-9223372036854775808 / -1'), 'integer overflow');
    assert.equal(evaluationError('-(-9223372036854775808)'), 'integer overflow');
  });

  it('fails on division and remainder by zero', () => {
    assert.equal(evaluationError('1 / 0'), 'divide by zero');
    assert.equal(evaluationError('ai / 0', { ai: 5 }), 'divide by zero');
    assert.equal(evaluationError('1 % 0'), 'modulus by zero');
  });
});

describe('CEL operators: uint and double arithmetic', () => {
  it('computes uints with range checks', () => {
    assert.equal(evaluate('3u + 4u'), 7);
    assert.equal(evaluate('10u / 3u'), 3);
    assert.equal(evaluate('10u % 3u'), 1);
    assert.equal(evaluate('18446744073709551615u - 1u'), 18446744073709551614n);
    assert.equal(evaluationError('0u - 1u'), 'unsigned integer overflow');
    assert.equal(evaluationError('18446744073709551615u + 1u'), 'unsigned integer overflow');
    assert.equal(evaluationError('1u / 0u'), 'divide by zero');
  });

  it('computes doubles with IEEE semantics', () => {
    assert.equal(evaluate('1.5 + 2.25'), 3.75);
    assert.equal(evaluate('1.0 / 4.0'), 0.25);
    assert.equal(evaluate('1.0 / 0.0'), Infinity);
    assert.equal(evaluate('-ad', { ad: 2.5 }), -2.5);
    assert.equal(evaluate('0.0 / 0.0 == 0.0 / 0.0'), false);
  });
});

describe('CEL operators: strings, bytes and lists', () => {
  it('concatenates', () => {
    assert.equal(evaluate('"ab" + "cd"'), 'abcd');
    assert.deepEqual(evaluate('b"ab" + b"c"'), new Uint8Array([97, 98, 99]));
    assert.deepEqual(evaluate('[1, 2] + [3]'), [1, 2, 3]);
  });

  it('compares strings by code point and bytes by byte', () => {
    assert.equal(evaluate('"abc" < "abd"'), true);
    assert.equal(evaluate('"b" > "abc"'), true);
    assert.equal(evaluate('"ab" <= "ab"'), true);
    // U+FF5E sorts before U+1F600 by code point, though not by UTF-16 unit.
    assert.equal(evaluate('"\\uFF5E" < "\\U0001F600"'), true);
    assert.equal(evaluate('b"a" < b"b"'), true);
  });

  it('compares bools, and numbers across int, uint and double', () => {
    assert.equal(evaluate('false < true'), true);
    assert.equal(evaluate('1 < 1.5'), true);
    assert.equal(evaluate('2u >= 2'), true);
    assert.equal(evaluate('-1 < 0u'), true);
    assert.equal(evaluate('9223372036854775807 < 9223372036854775808.0'), true);
    assert.equal(evaluate('1.0 < 0.0 / 0.0'), false);
  });

  it('tests list and map membership', () => {
    assert.equal(evaluate('2 in [1, 2, 3]'), true);
    assert.equal(evaluate('"x" in ["a", "b"]'), false);
    assert.equal(evaluate('as in ["a", "b"]', { as: 'b' }), true);
    assert.equal(evaluate('[1] in [[1], [2]]'), true);
    assert.equal(evaluate('"a" in {"a": 1}'), true);
    assert.equal(evaluate('2 in {1: "x"}'), false);
    assert.equal(evaluate('1.0 in [1.0, 2.0]'), true);
  });

  it('indexes lists and maps', () => {
    assert.equal(evaluate('[10, 20][1]'), 20);
    assert.equal(evaluate('[10, 20][1u]'), 20);
    assert.equal(evaluate('{"a": 1}["a"]'), 1);
    assert.equal(evaluate('{1: "x"}[1]'), 'x');
    assert.equal(evaluate('{"a": {"b": 2}}.a.b'), 2);
    assert.equal(evaluationError('[1][1]'), "index '1' out of range in list size '1'");
    assert.equal(evaluationError('[1][-1]'), "index '-1' out of range in list size '1'");
    assert.equal(evaluationError('{"a": 1}["b"]'), "no such key: 'b'");
  });
});

describe('CEL operators: equality', () => {
  it('compares values of each type', () => {
    assert.equal(evaluate('1 == 1'), true);
    assert.equal(evaluate('"a" != "b"'), true);
    assert.equal(evaluate('[1, 2] == [1, 2]'), true);
    assert.equal(evaluate('[1, 2] == [2, 1]'), false);
    assert.equal(evaluate('{"a": 1, "b": 2} == {"b": 2, "a": 1}'), true);
    assert.equal(evaluate('{"a": 1} == {"a": 2}'), false);
    assert.equal(evaluate('b"x" == b"x"'), true);
    assert.equal(evaluate('null == null'), true);
    assert.equal(evaluate('duration("60s") == duration("1m")'), true);
    assert.equal(evaluate('timestamp("2020-01-01T00:00:00Z") == timestamp("2020-01-01T01:00:00+01:00")'), true);
    assert.equal(evaluate('type(1) == type(2)'), true);
    assert.equal(evaluate('google.protobuf.Int64Value{value: 1} == google.protobuf.Int64Value{value: 1}'), true);
  });

  it('compares dyn values across numeric types', () => {
    assert.equal(evaluate('dyn(1) == 1.0'), true);
    assert.equal(evaluate('dyn(2u) == 2'), true);
    assert.equal(evaluate('dyn("1") == 1'), false);
    assert.equal(evaluate('[1, "a"] == [1, "a"]'), true);
  });
});

describe('CEL operators: logic with error values', () => {
  it('absorbs errors in || and && when the other side decides', () => {
    assert.equal(evaluate('(1/0 == 0) || true'), true);
    assert.equal(evaluate('true || (1/0 == 0)'), true);
    assert.equal(evaluate('(1/0 == 0) && false'), false);
    assert.equal(evaluate('false && (1/0 == 0)'), false);
    assert.equal(evaluationError('(1/0 == 0) || false'), 'divide by zero');
    assert.equal(evaluationError('true && (1/0 == 0)'), 'divide by zero');
    // Both sides fail: the left error wins, as in cel-go.
    assert.equal(evaluationError('(1/0 == 0) || (1 % 0 == 0)'), 'divide by zero');
  });

  it('short-circuits without reading the other side', () => {
    assert.deepEqual(run('ab || as == "x"', { ab: true }).referenced, ['ab']);
    assert.deepEqual(run('ab && as == "x"', { ab: false }).referenced, ['ab']);
    assert.deepEqual(run('ab && as == "x"', { ab: true }).referenced, ['-as', 'ab']);
  });

  it('evaluates only the chosen branch of a ternary', () => {
    assert.equal(evaluate('ab ? 1 : 1/0', { ab: true }), 1);
    assert.equal(evaluationError('ab ? 1/0 : 1', { ab: true }), 'divide by zero');
    assert.deepEqual(run('ab ? as : bs', { ab: false }).referenced, ['-bs', 'ab']);
    assert.deepEqual(run('ab ? as : bs').referenced, ['-ab', '-bs']);
    assert.equal(evaluationError('1/0 == 0 ? 1 : 2'), 'divide by zero');
  });

  it('negates', () => {
    assert.equal(evaluate('!ab', { ab: true }), false);
    assert.equal(evaluate('!(1 > 2)'), true);
  });
});

describe('CEL operators: timestamps and durations', () => {
  it('adds and subtracts', () => {
    assert.deepEqual(evaluate('timestamp("2017-01-15T01:30:15Z") + duration("1m")'), Timestamp.parse('2017-01-15T01:31:15Z'));
    assert.deepEqual(evaluate('duration("1m") + timestamp("2017-01-15T01:30:15Z")'), Timestamp.parse('2017-01-15T01:31:15Z'));
    assert.deepEqual(evaluate('timestamp("2017-01-15T01:30:15Z") - duration("15s")'), Timestamp.parse('2017-01-15T01:30:00Z'));
    assert.deepEqual(evaluate('timestamp("2017-01-15T01:30:15Z") - timestamp("2017-01-15T01:30:00Z")'), Duration.parse('15s'));
    assert.deepEqual(evaluate('duration("1h") - duration("30m") + duration("1s")'), Duration.parse('30m1s'));
  });

  it('compares', () => {
    assert.equal(evaluate('timestamp("2017-01-15T01:30:15Z") < timestamp("2017-01-15T01:30:16Z")'), true);
    assert.equal(evaluate('duration("1h") > duration("59m59s")'), true);
    assert.equal(evaluate('request.time > context.time', { 'request.time': Timestamp.parse('1999-12-31T23:59:00Z'), 'context.time': Timestamp.parse('1977-02-04T12:00:00Z') }), true);
  });

  it('reports results out of range', () => {
    assert.equal(evaluationError('timestamp("9999-12-31T23:59:59Z") + duration("1s")'), 'timestamp out of range');
    assert.equal(evaluationError('timestamp("0001-01-01T00:00:00Z") - timestamp("9999-12-31T23:59:59Z")'), 'duration out of range');
    assert.equal(evaluationError('duration("2000000h") + duration("2000000h") + duration("2000000h")'), 'duration out of range');
  });
});
