import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DictBag } from '../../attribute/dict-bag.js';
import { Duration } from '../../attribute/duration.js';
import { IpAddress } from '../../attribute/ip-address.js';
import { StringMap } from '../../attribute/string-map.js';
import { Timestamp } from '../../attribute/timestamp.js';
import { ValueType } from '../../attribute/value-type.js';
import { ExpressionLanguage } from '../expression.js';
import { compilerFor, evaluate, evaluationError } from './test-helpers.js';
import { CelTypeValue } from './values.js';

describe('CEL functions: size and strings', () => {
  it('measures strings in code points, bytes, lists and maps', () => {
    assert.equal(evaluate('size("héllo😀")'), 6);
    assert.equal(evaluate('"abc".size()'), 3);
    assert.equal(evaluate('size(b"ab")'), 2);
    assert.equal(evaluate('size([1, 2, 3])'), 3);
    assert.equal(evaluate('size({"a": 1})'), 1);
    assert.equal(evaluate('[1].size()'), 1);
  });

  it('tests prefixes, suffixes and substrings', () => {
    assert.equal(evaluate('"ab".startsWith("a")'), true);
    assert.equal(evaluate('"ab".endsWith("a")'), false);
    assert.equal(evaluate('"abc".contains("bc")'), true);
    assert.equal(evaluate('request.path.startsWith("/api")', { 'request.path': '/api/v1' }), true);
  });

  it('matches regular expressions with the string as receiver (RE2, unanchored)', () => {
    assert.equal(evaluate('"abc".matches("b")'), true);
    assert.equal(evaluate('"abc".matches("^b")'), false);
    assert.equal(evaluate('".*".matches("abc")'), false);
    assert.equal(evaluate('matches("abc", "c$")'), true);
    assert.equal(evaluate('as.matches(bs)', { as: 'str1', bs: 'st.*' }), true);
    assert.match(evaluationError('"a".matches("(")'), /^error parsing regexp: missing closing \)/);
    assert.match(evaluationError('as.matches(bs)', { as: 'a', bs: '(' }), /^error parsing regexp: missing closing \)/);
  });
});

describe('CEL functions: conversions', () => {
  it('converts to int', () => {
    assert.equal(evaluate('int("-42")'), -42);
    assert.equal(evaluate('int(3.99)'), 3);
    assert.equal(evaluate('int(-3.99)'), -3);
    assert.equal(evaluate('int(5u)'), 5);
    assert.equal(evaluate('int(timestamp("1970-01-01T00:01:00Z"))'), 60);
    assert.equal(evaluate('int("9223372036854775807")'), 9223372036854775807n);
    assert.match(evaluationError('int("1.5")'), /cannot convert string '1.5' to int/);
    assert.match(evaluationError('int(1e19)'), /range error/);
    assert.match(evaluationError('int(18446744073709551615u)'), /range error/);
  });

  it('converts to uint and double', () => {
    assert.equal(evaluate('uint(5)'), 5);
    assert.equal(evaluate('uint("18446744073709551615")'), 18446744073709551615n);
    assert.match(evaluationError('uint(-1)'), /range error/);
    assert.match(evaluationError('uint("-1")'), /cannot convert/);
    assert.equal(evaluate('double(2)'), 2);
    assert.equal(evaluate('double("2.5e3")'), 2500);
    assert.equal(evaluate('double(7u)'), 7);
  });

  it('converts to string, bytes and bool', () => {
    assert.equal(evaluate('string(42)'), '42');
    assert.equal(evaluate('string(42u)'), '42');
    assert.equal(evaluate('string(1.5)'), '1.5');
    assert.equal(evaluate('string(1e21)'), '1e+21');
    assert.equal(evaluate('string(0.00001)'), '1e-05');
    assert.equal(evaluate('string(true)'), 'true');
    assert.equal(evaluate('string(b"hi")'), 'hi');
    assert.equal(evaluate('string(duration("1m30.5s"))'), '90.5s');
    assert.equal(evaluate('string(timestamp("2020-01-02T03:04:05.5Z"))'), '2020-01-02T03:04:05.5Z');
    assert.match(evaluationError('string(b"\\xff")'), /invalid UTF-8/);
    assert.deepEqual(evaluate('bytes("é")'), new Uint8Array([0xc3, 0xa9]));
    assert.equal(evaluate('bool("true")'), true);
    assert.equal(evaluate('bool("F")'), false);
    assert.match(evaluationError('bool("yes")'), /cannot convert string 'yes' to bool/);
  });

  it('converts to duration and timestamp', () => {
    assert.deepEqual(evaluate('duration("1h30m")'), Duration.parse('90m'));
    assert.match(evaluationError('duration("1x")'), /unknown unit/);
    assert.deepEqual(evaluate('timestamp("2017-01-15T01:30:15.01Z")'), Timestamp.parse('2017-01-15T01:30:15.01Z'));
    assert.deepEqual(evaluate('timestamp(2)'), Timestamp.fromParts(2, 0));
    assert.match(evaluationError('timestamp("242233")'), /could not convert '242233' to TIMESTAMP/);
  });

  it('returns type values and wraps in dyn', () => {
    assert.equal(evaluate('type(1)'), CelTypeValue.of('int'));
    assert.equal(evaluate('type(1.5) == double'), true);
    assert.equal(evaluate('type("a") == string'), true);
    assert.equal(evaluate('type(b"a") == bytes'), true);
    assert.equal(evaluate('type(true) == bool'), true);
    assert.equal(evaluate('type(1u) == uint'), true);
    assert.equal(evaluate('type(null) == null_type'), true);
    assert.equal(evaluate('type([]) == list'), true);
    assert.equal(evaluate('type({}) == map'), true);
    assert.equal(evaluate('type(duration("1s")) == google.protobuf.Duration'), true);
    assert.equal(evaluate('type(int) == type'), true);
    assert.equal(evaluate('type(dyn(1.5)) == double'), true);
    assert.equal(evaluate('dyn(1.5) + 1.0'), 2.5);
    assert.equal(evaluate('dyn(3) / dyn(2)'), 1);
    assert.equal(evaluate('dyn(3.0) / dyn(2.0)'), 1.5);
    assert.match(evaluationError('dyn(1) + 1.5'), /no such overload/);
  });
});

describe('CEL functions: timestamp and duration accessors', () => {
  const t = 'timestamp("2020-03-04T05:06:07.089Z")';
  it('reads timestamp fields in UTC', () => {
    assert.equal(evaluate(`${t}.getFullYear()`), 2020);
    assert.equal(evaluate(`${t}.getMonth()`), 2);
    assert.equal(evaluate(`${t}.getDayOfYear()`), 63);
    assert.equal(evaluate(`${t}.getDayOfMonth()`), 3);
    assert.equal(evaluate(`${t}.getDate()`), 4);
    assert.equal(evaluate(`${t}.getDayOfWeek()`), 3);
    assert.equal(evaluate(`${t}.getHours()`), 5);
    assert.equal(evaluate(`${t}.getMinutes()`), 6);
    assert.equal(evaluate(`${t}.getSeconds()`), 7);
    assert.equal(evaluate(`${t}.getMilliseconds()`), 89);
  });

  it('reads timestamp fields in a time zone', () => {
    assert.equal(evaluate(`${t}.getHours("+05:30")`), 10);
    assert.equal(evaluate(`${t}.getMinutes("+05:30")`), 36);
    assert.equal(evaluate(`${t}.getHours("America/Los_Angeles")`), 21);
    assert.equal(evaluate(`${t}.getDate("America/Los_Angeles")`), 3);
    assert.match(evaluationError(`${t}.getHours("Nowhere/Special")`), /unknown time zone/);
  });

  it('reads whole durations in a unit', () => {
    assert.equal(evaluate('duration("1h30m").getHours()'), 1);
    assert.equal(evaluate('duration("1h30m").getMinutes()'), 90);
    assert.equal(evaluate('duration("1m1.5s").getSeconds()'), 61);
    assert.equal(evaluate('duration("1.5s").getMilliseconds()'), 1500);
  });
});

describe("CEL functions: Istio's extras", () => {
  it('glob-matches with match()', () => {
    assert.equal(evaluate('match("svc1.ns1.cluster", "*.ns1.cluster")'), true);
    assert.equal(evaluate('match("curlish", "curl*")'), true);
    assert.equal(evaluate('match("ishcurl", "curl*")'), false);
  });

  it('reverses and lower-cases', () => {
    assert.equal(evaluate('reverse("ab😀")'), '😀ba');
    assert.equal(evaluate('"ab".reverse()'), 'ba');
    assert.equal(evaluate('toLower("AbC")'), 'abc');
  });

  it('builds the wrapper types with CEXL error texts', () => {
    assert.equal(evaluate('email("user@istio.io")'), 'user@istio.io');
    assert.equal(evaluationError('email("")'), "error converting '' to e-mail: 'mail: no address'");
    assert.equal(evaluate('dnsName("istio.io")'), 'istio.io');
    assert.equal(evaluationError('dnsName("")'), `error converting '' to dns name: 'idna: invalid label ""'`);
    assert.equal(evaluate('uri("http://istio.io")'), 'http://istio.io');
    assert.equal(evaluationError('uri("")'), 'error converting string to uri: empty string');
    assert.ok((evaluate('ip("127.0.0.1")') as IpAddress).equals(IpAddress.parse('127.0.0.1')));
    assert.equal(evaluationError('ip("blah")'), 'could not convert blah to IP_ADDRESS');
  });

  it('compares wrapper values semantically', () => {
    assert.equal(evaluate('dnsName("foo.bar.baz") == dnsName("foo.Bar.baz.")'), true);
    assert.equal(evaluate('uri("http://foo.bar.baz") == uri("http://foo.Bar.baz.")'), true);
    assert.equal(evaluate('email("istio@istio.io") != email("pilot@istio.io")'), true);
    const fourByte = IpAddress.fromBytes(new Uint8Array([127, 0, 0, 1]));
    assert.equal(evaluate('source.ip == destination.ip', { 'source.ip': fourByte, 'destination.ip': IpAddress.parse('127.0.0.1') }), true);
  });

  it('provides an empty string map', () => {
    assert.equal(evaluate('emptyStringMap()'), StringMap.EMPTY);
    assert.equal(evaluate('"a" in emptyStringMap()'), false);
  });
});

describe('CEL functions: extern functions from options', () => {
  it('adds functions and methods typed with attribute value types', () => {
    const compiler = compilerFor(ExpressionLanguage.CEL, {
      extraFunctions: [
        { name: 'twice', instance: false, args: [ValueType.STRING], returns: ValueType.STRING, impl: (value) => `${value as string}${value as string}` },
        { name: 'plus', instance: true, args: [ValueType.INT64, ValueType.INT64], returns: ValueType.INT64, impl: (a, b) => (a as number) + (b as number) },
      ],
    });
    const expression = compiler.compile('twice(as) + string(ai.plus(1))');
    assert.equal(expression.type, ValueType.STRING);
    assert.equal(expression.evaluate(DictBag.of({ as: 'x', ai: 2 })), 'xx3');
  });

  it('replaces a built-in with the same signature', () => {
    const compiler = compilerFor(ExpressionLanguage.CEL, {
      extraFunctions: [{ name: 'toLower', instance: false, args: [ValueType.STRING], returns: ValueType.STRING, impl: () => 'replaced' }],
    });
    assert.equal(compiler.compile('toLower("A")').evaluate(DictBag.of({})), 'replaced');
  });

  it('turns an extern that throws into an evaluation error', () => {
    const compiler = compilerFor(ExpressionLanguage.CEL, {
      extraFunctions: [
        {
          name: 'boom',
          instance: false,
          args: [],
          returns: ValueType.BOOL,
          impl: () => {
            throw new TypeError('kaboom');
          },
        },
      ],
    });
    assert.throws(() => compiler.compile('boom()').evaluate(DictBag.of({})), { name: 'ExpressionEvaluationError', message: 'kaboom' });
    assert.equal(compiler.compile('boom() || true').evaluate(DictBag.of({})), true);
  });
});
