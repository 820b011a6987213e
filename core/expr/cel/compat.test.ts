import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration } from '../../attribute/duration.js';
import { ValueType } from '../../attribute/value-type.js';
import { ExpressionLanguage } from '../expression.js';
import { compileCel, compileError, run } from './test-helpers.js';

const COMPAT = ExpressionLanguage.COMPAT;

function compat(text: string, attributes: Parameters<typeof run>[1] = {}): ReturnType<typeof run> {
  return run(text, attributes, COMPAT);
}

describe('COMPAT: the | operator becomes pick()', () => {
  it('takes the first present selection of a chain', () => {
    assert.deepEqual(compat('source.name | source.principal | "x"', { 'source.principal': 'p' }), {
      value: 'p',
      referenced: ['-source.name', 'source.principal'],
    });
    assert.deepEqual(compat('source.name | source.principal | "x"'), { value: 'x', referenced: ['-source.name', '-source.principal'] });
  });

  it('takes a bare identifier unconditionally', () => {
    assert.deepEqual(compat('as | "fallback"'), { value: '', referenced: ['-as'] });
  });

  it('falls through absent map keys', () => {
    assert.deepEqual(compat('source.labels["app"] | "unknown"'), { value: 'unknown', referenced: ['-source.labels'] });
  });

  it('does not flatten through parentheses, as Istio did not', () => {
    // The inner pick is a conditional call, which the outer pick takes as is.
    assert.equal(compat('(source.name | source.principal) | "x"').value, '');
    assert.equal(compat('source.name | (source.principal | "x")').value, 'x');
  });

  it('binds tighter than == and looser than nothing else of the same Go level', () => {
    assert.equal(compat('source.name | "a" == "a"').value, true);
    assert.equal(compat('as | "a" + "b"').value, 'b');
  });
});

describe('COMPAT: literals', () => {
  it('rewrites duration-looking strings as durations', () => {
    const expression = compileCel('response.duration | "19ms"', COMPAT);
    assert.equal(expression.type, ValueType.DURATION);
    assert.deepEqual(compat('response.duration | "19ms"').value, Duration.parse('19ms'));
    assert.deepEqual(compat('duration("1s") + "500ms"').value, Duration.parse('1.5s'));
    assert.match(compileError('as == "0"', COMPAT).message, /found no matching overload for '_==_' applied to '\(string, google\.protobuf\.Duration\)'/);
  });

  it('unquotes Go strings, raw strings and rune literals', () => {
    assert.equal(compat('"a\\tb"').value, 'a\tb');
    assert.equal(compat('`raw\\n`').value, 'raw\\n');
    assert.equal(compat(`'x' + "y"`).value, 'xy');
    assert.equal(compat('"\\u00e9"').value, 'é');
  });

  it('reads true and false case-insensitively, and numbers as CEL does', () => {
    assert.equal(compat('True').value, true);
    assert.equal(compat('FALSE || true').value, true);
    assert.equal(compat('0x10 + 1').value, 17);
    assert.equal(compat('-5 + 1').value, -4);
    assert.equal(compat('2.5 * 2.0').value, 5);
  });

  it('rejects Go literals CEL cannot express', () => {
    assert.match(compileError('1i', COMPAT).message, /unsupported literal 1i/);
    assert.match(compileError('0b101', COMPAT).message, /unsupported integer literal 0b101/);
  });
});

describe('COMPAT: operators and calls', () => {
  it('supports the operators CEXL lacks, with CEL semantics', () => {
    assert.equal(compat('(ai / 2) == 3', { ai: 7 }).value, true);
    assert.equal(compat('!ab', { ab: false }).value, true);
    assert.equal(compat('-ai', { ai: 3 }).value, -3);
    assert.equal(compat('!!ab', { ab: true }).value, true);
  });

  it('rejects Go operators without a CEL form', () => {
    assert.match(compileError('ai ^ 1', COMPAT).message, /unsupported operator '\^'/);
    assert.match(compileError('ai << 1', COMPAT).message, /unsupported operator '<<'/);
    assert.match(compileError('+as', COMPAT).message, /unsupported operator '\+'/);
  });

  it('maps method calls with CEL receiver order', () => {
    assert.equal(compat('".*".matches("abc")').value, false);
    assert.equal(compat('"abc".matches(".*")').value, true);
    assert.equal(compat('destination.service.host.startsWith("rev")', { 'destination.service.host': 'reviews' }).value, true);
    assert.equal(compat('(as | "xyz").endsWith("z")').value, false);
  });

  it('expands conditional()', () => {
    assert.equal(compat('conditional((context.reporter.kind | "inbound") == "outbound", "client", "server")').value, 'server');
  });

  it('reports Go parse errors and CEL check errors against the CEXL text', () => {
    assert.match(compileError('a = 2', COMPAT).message, /unable to parse expression 'a = 2': 1:3: expected '==', found '='/);
    const error = compileError('as == 2', COMPAT);
    assert.match(error.message, /found no matching overload for '_==_' applied to '\(string, int\)'/);
    assert.equal(error.position?.column, 4);
    assert.match(compileError('request.size.x', COMPAT).message, /does not support field selection/);
  });
});
