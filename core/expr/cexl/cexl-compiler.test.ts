import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DictBag } from '../../attribute/dict-bag.js';
import { Duration } from '../../attribute/duration.js';
import { AttributeManifest } from '../../attribute/manifest.js';
import { StringMap } from '../../attribute/string-map.js';
import { TrackingBag } from '../../attribute/tracking-bag.js';
import type { AttributeValue } from '../../attribute/value.js';
import { ValueType } from '../../attribute/value-type.js';
import { ExpressionCompileError, ExpressionEvaluationError } from '../errors.js';
import { CexlCompiler } from './cexl-compiler.js';

const manifest = AttributeManifest.of({
  as: 'STRING', bs: 'STRING', ai: 'INT64', bi: 'INT64', ad: 'DOUBLE', ab: 'BOOL', bb: 'BOOL',
  adur: 'DURATION', ar: 'STRING_MAP', at: 'TIMESTAMP', aip: 'IP_ADDRESS',
  'request.headers': 'STRING_MAP', 'request.path': 'STRING',
});
const compiler = new CexlCompiler(manifest);

function evaluate(text: string, values: Record<string, AttributeValue> = {}): AttributeValue {
  return compiler.compile(text).evaluate(DictBag.of(values));
}

function compileError(text: string): string {
  try {
    compiler.compile(text);
  } catch (error) {
    if (error instanceof ExpressionCompileError) return error.message;
    throw error;
  }
  assert.fail(`${text} compiled`);
}

function evaluationError(text: string, values: Record<string, AttributeValue> = {}): string {
  try {
    evaluate(text, values);
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) return error.message;
    throw error;
  }
  assert.fail(`${text} evaluated`);
}

describe('CEXL compile errors', () => {
  test('operators Istio never implemented are unknown functions', () => {
    assert.equal(compileError('!ab'), 'unknown function: NOT');
    assert.equal(compileError('ai - bi'), 'unknown function: SUB');
    assert.equal(compileError('-ai'), 'unknown function: SUB');
    assert.equal(compileError('ai * bi'), 'unknown function: MUL');
    assert.equal(compileError('ai % bi'), 'unknown function: REM');
    assert.equal(compileError('ai << bi'), 'unknown function: ');
  });

  test('operations the IL never generated are internal compiler errors', () => {
    assert.equal(compileError('adur == "1s"'), 'internal compiler error -- equality for type not yet implemented: duration');
    assert.equal(compileError('ar == emptyStringMap()'), 'internal compiler error -- equality for type not yet implemented: interface');
    assert.equal(compileError('ab < bb'), 'internal compiler error -- less than for type not yet implemented: bool');
    assert.equal(compileError('aip >= aip'), 'internal compiler error -- greater or equal for type not yet implemented: interface');
    assert.equal(compileError('adur + "1s"'), 'internal compiler error -- Add for type not yet implemented: duration');
  });

  test('literals follow Go strconv rules', () => {
    assert.equal(compileError('ai == 0x10'), 'strconv.ParseInt: parsing "0x10": invalid syntax');
    assert.equal(compileError('ai == 9223372036854775808'), 'strconv.ParseInt: parsing "9223372036854775808": value out of range');
    assert.equal(compileError('ad == 2i'), 'invalid syntax');
    assert.equal(compiler.compile('"10s"').type, ValueType.DURATION);
    assert.equal(compiler.compile('"0"').type, ValueType.DURATION);
    assert.equal(compiler.compile('"10 s"').type, ValueType.STRING);
    assert.equal(compiler.compile("'c'").type, ValueType.STRING);
    assert.equal(compiler.compile('TRUE').type, ValueType.BOOL);
  });

  test('refuses extra arguments and says so', () => {
    assert.equal(compileError('size(as, bs)'), 'size($as, $bs) arity mismatch. Got 2 arg(s), expected 1 arg(s)');
    assert.equal(compileError('as.startsWith(bs)(1)'), 'unexpected expression: call of something that is not a function name or method');
  });

  test('calls on non-attributes follow Istio, with a hint where Istio was cryptic', () => {
    assert.match(compileError('ar["a"].startsWith("b")'), /^unexpected expression: method call on an index expression \(wrap the receiver in parentheses\)$/);
    assert.equal(evaluate('(ar["a"]).startsWith("b")', { ar: StringMap.fromObject({ a: 'bc' }) }), true);
    assert.equal(compileError('toLower(as).x'), 'unexpected expression: field selection on a value that is not an attribute name');
    assert.equal(compileError('as.foo()'), 'unknown function: foo');
    assert.equal(compileError('toLower.startsWith("a")'), 'unknown attribute toLower');
  });

  test('a constant regular expression is checked when the expression compiles', () => {
    assert.match(compileError('"(".matches(as)'), /^error parsing regexp: missing closing \): `\(`$/);
  });
});

describe('CEXL evaluation', () => {
  test('INT64 keeps 64-bit exactness and wraps on overflow like Go', () => {
    assert.equal(evaluate('ai + bi', { ai: 9007199254740991, bi: 2 }), 9007199254740993n);
    assert.equal(evaluate('ai + 1', { ai: 9223372036854775807n }), -9223372036854775808n);
    assert.equal(evaluate('ai + bi', { ai: 9007199254740993n, bi: -2 }), 9007199254740991);
    assert.equal(evaluate('ai < bi', { ai: 9007199254740993n, bi: 9007199254740994n }), true);
    assert.equal(evaluate('ai == bi', { ai: 9007199254740993n, bi: 9007199254740993n }), true);
  });

  test('strings compare in UTF-8 byte order and size counts bytes, as in Go', () => {
    assert.equal(evaluate('as < bs', { as: '\uffff', bs: '\u{10000}' }), true);
    assert.equal(evaluate('size(as)', { as: 'héllo €' }), 10);
    assert.equal(evaluate('size("日本")'), 6);
  });

  test('conditional evaluates only the chosen branch; conditionalString evaluates both', () => {
    const bag = new TrackingBag(DictBag.of({ ab: true, as: 'x' }));
    assert.equal(compiler.compile('conditional(ab, as, bs)').evaluate(bag), 'x');
    assert.deepEqual(bag.referenced.toStrings(), ['ab', 'as']);
    assert.equal(evaluationError('conditionalString(ab, as, bs)', { ab: true, as: 'x' }), "lookup failed: 'bs'");
  });

  test('a missing map key reads as "" but falls through under |, and both are recorded', () => {
    const bag = new TrackingBag(DictBag.of({ 'request.headers': StringMap.fromObject({ a: '1' }) }));
    assert.equal(compiler.compile('request.headers["x"]').evaluate(bag), '');
    assert.equal(compiler.compile('request.headers["y"] | request.headers["a"]').evaluate(bag), '1');
    assert.deepEqual(bag.referenced.toStrings(), ['-request.headers[x]', '-request.headers[y]', 'request.headers', 'request.headers[a]']);
  });

  test('mistyped values in a bag give conversion errors, not crashes', () => {
    assert.equal(evaluationError('as == "a"', { as: 20 }), "error converting value to string: '20'");
    assert.equal(evaluationError('ai == 2', { ai: 'two' }), "error converting value to integer: 'two'");
    assert.equal(evaluationError('ai == 2', { ai: 2.5 }), "error converting value to integer: '2.5'");
    assert.equal(evaluationError('ab', { ab: 'yes' }), "error converting value to bool: 'yes'");
    assert.equal(evaluationError('ar["k"]', { ar: 'x' }), "error converting value to interface: 'x'");
    assert.equal(evaluationError('adur | "1s"', { adur: 5 }), "error converting value to duration: '5'");
  });

  test('regular expressions from attributes are RE2 and report bad patterns as evaluation errors', () => {
    assert.equal(evaluate('as.matches(bs)', { as: '^a+$', bs: 'aaa' }), true);
    assert.equal(evaluate('as.matches(bs)', { as: '\\s', bs: '\u000b' }), false);
    assert.match(evaluationError('as.matches(bs)', { as: '(', bs: 'a' }), /^error parsing regexp: missing closing \)/);
  });

  test('multi-line expressions (YAML block scalars) evaluate', () => {
    const text = 'request.path.startsWith("/api") &&\n  (request.headers["x-user"] | "anonymous") == "bob"';
    assert.equal(evaluate(text, { 'request.path': '/api/x', 'request.headers': StringMap.fromObject({ 'x-user': 'bob' }) }), true);
  });

  test('durations and timestamps pass through | defaults', () => {
    const value = evaluate('adur | "250ms"');
    assert.ok(value instanceof Duration);
    assert.equal(value.toString(), '250ms');
  });
});
