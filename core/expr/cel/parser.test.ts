import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallExpr, CelExpr, ComprehensionExpr, LiteralExpr, SelectExpr } from './ast.js';
import { parseCel } from './parser.js';
import { CelSyntaxError } from './syntax-error.js';
import { compileError } from './test-helpers.js';

/** A compact rendering of the tree, to assert shapes. */
function show(expr: CelExpr): string {
  switch (expr.kind) {
    case 'literal': {
      const literal = expr.literal;
      if (literal.type === 'null') return 'null';
      if (literal.type === 'bytes') return `b[${[...literal.value].join(',')}]`;
      if (literal.type === 'string') return JSON.stringify(literal.value);
      return `${String(literal.value)}${literal.type === 'uint' ? 'u' : literal.type === 'double' ? 'd' : ''}`;
    }
    case 'ident':
      return expr.name;
    case 'select':
      return `${expr.testOnly ? 'has:' : ''}${show(expr.operand)}.${expr.field}`;
    case 'call':
      return `${expr.target === undefined ? '' : `${show(expr.target)}.`}${expr.fn}(${expr.args.map(show).join(', ')})`;
    case 'list':
      return `[${expr.elements.map(show).join(', ')}]`;
    case 'map':
      return `{${expr.entries.map((entry) => `${show(entry.key)}: ${show(entry.value)}`).join(', ')}}`;
    case 'struct':
      return `${expr.typeName}{${expr.fields.map((field) => `${field.name}: ${show(field.value)}`).join(', ')}}`;
    case 'comprehension':
      return `${show(expr.range)}.${expr.macro}(${expr.iterVar}${expr.predicate === undefined ? '' : `, ${show(expr.predicate)}`}${expr.transform === undefined ? '' : `, ${show(expr.transform)}`})`;
  }
}

function parsed(text: string): string {
  return show(parseCel(text).expr);
}

function syntaxError(text: string): CelSyntaxError {
  try {
    parseCel(text);
  } catch (error) {
    if (error instanceof CelSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected '${text}' not to parse`);
}

describe('CEL parser: literals', () => {
  it('reads int, hex, uint and double literals', () => {
    assert.equal(parsed('42'), '42');
    assert.equal(parsed('0x1F'), '31');
    assert.equal(parsed('7u'), '7u');
    assert.equal(parsed('0xFFu'), '255u');
    assert.equal(parsed('1.5'), '1.5d');
    assert.equal(parsed('.5'), '0.5d');
    assert.equal(parsed('1e3'), '1000d');
    assert.equal(parsed('2.5E-1'), '0.25d');
  });

  it('folds a minus sign into a number literal, so the int64 minimum is writable', () => {
    const expr = parseCel('-9223372036854775808').expr as LiteralExpr;
    assert.deepEqual(expr.literal, { type: 'int', value: -(2n ** 63n) });
    assert.equal(parsed('-1.5'), '-1.5d');
    assert.equal(parsed('- 2'), '-2');
  });

  it('rejects int and uint literals out of range', () => {
    assert.match(syntaxError('9223372036854775808').message, /invalid int literal/);
    assert.match(syntaxError('18446744073709551616u').message, /invalid uint literal/);
  });

  it('reads quoted, raw, triple-quoted and bytes literals with escapes', () => {
    assert.equal(parsed(`"a\\tb"`), JSON.stringify('a\tb'));
    assert.equal(parsed(`'it\\'s'`), JSON.stringify("it's"));
    assert.equal(parsed(`r"\\n"`), JSON.stringify('\\n'));
    assert.equal(parsed(`R'\\d+'`), JSON.stringify('\\d+'));
    assert.equal(parsed(`"""line1\nline2"""`), JSON.stringify('line1\nline2'));
    assert.equal(parsed(`'''say "hi"'''`), JSON.stringify('say "hi"'));
    assert.equal(parsed(`"\\u00e9\\U0001F600\\x41\\101\\a\\v\\?\\\`"`), JSON.stringify('é😀AA\x07\v?`'));
    assert.equal(parsed(`b"\\x00\\xff"`), 'b[0,255]');
    assert.equal(parsed(`b"é"`), 'b[195,169]');
    assert.equal(parsed(`rb"\\x"`), 'b[92,120]');
  });

  it('reads true, false and null', () => {
    assert.equal(parsed('true'), 'true');
    assert.equal(parsed('false'), 'false');
    assert.equal(parsed('null'), 'null');
  });

  it('rejects bad escapes and unterminated strings', () => {
    assert.match(syntaxError(`"\\q"`).message, /invalid escape/);
    assert.match(syntaxError(`"abc`).message, /token recognition error/);
    assert.match(syntaxError(`"a\nb"`).message, /token recognition error/);
    assert.match(syntaxError(`"\\uD800"`).message, /invalid code point/);
  });
});

describe('CEL parser: operators and structure', () => {
  it('applies CEL precedence', () => {
    assert.equal(parsed('a || b && c'), '_||_(a, _&&_(b, c))');
    assert.equal(parsed('a == b || c'), '_||_(_==_(a, b), c)');
    assert.equal(parsed('1 + 2 * 3 - 4 % 5'), '_-_(_+_(1, _*_(2, 3)), _%_(4, 5))');
    assert.equal(parsed('a < b == c'), '_==_(_<_(a, b), c)');
    assert.equal(parsed('x in [1] && y'), '_&&_(@in(x, [1]), y)');
    assert.equal(parsed('a ? b : c ? d : e'), '_?_:_(a, b, _?_:_(c, d, e))');
    assert.equal(parsed('(1 + 2) * 3'), '_*_(_+_(1, 2), 3)');
  });

  it('drops an even number of ! or - as cel-go does', () => {
    assert.equal(parsed('!a'), '!_(a)');
    assert.equal(parsed('!!a'), 'a');
    assert.equal(parsed('!!!a'), '!_(a)');
    assert.equal(parsed('-a'), '-_(a)');
    assert.equal(parsed('--a'), 'a');
  });

  it('reads member access, receiver calls, indexing, lists and maps', () => {
    assert.equal(parsed('a.b.c'), 'a.b.c');
    assert.equal(parsed('a.b.startsWith("x")'), 'a.b.startsWith("x")');
    assert.equal(parsed('f(1, 2)'), 'f(1, 2)');
    assert.equal(parsed('m["k"][0]'), '_[_](_[_](m, "k"), 0)');
    assert.equal(parsed('[1, 2, ]'), '[1, 2]');
    assert.equal(parsed('{"a": 1, 2: "b",}'), '{"a": 1, 2: "b"}');
    assert.equal(parsed('.a.b'), '.a.b');
    assert.equal(parsed('a // comment\n + b'), '_+_(a, b)');
  });

  it('reads message construction with a qualified type name', () => {
    assert.equal(parsed('google.protobuf.Int64Value{value: 1}'), 'google.protobuf.Int64Value{value: 1}');
    assert.equal(parsed('Msg{a: 1, b: "x",}'), 'Msg{a: 1, b: "x"}');
  });
});

describe('CEL parser: macros', () => {
  it('turns has(a.b) into a presence test', () => {
    const expr = parseCel('has(a.b)').expr as SelectExpr;
    assert.equal(expr.kind, 'select');
    assert.equal(expr.testOnly, true);
    assert.match(syntaxError('has(a)').message, /invalid argument to has\(\) macro/);
  });

  it('expands the comprehension macros', () => {
    const all = parseCel('l.all(x, x > 0)').expr as ComprehensionExpr;
    assert.equal(all.kind, 'comprehension');
    assert.equal(all.macro, 'all');
    assert.equal(all.iterVar, 'x');
    assert.equal(parsed('l.exists(x, p)'), 'l.exists(x, p)');
    assert.equal(parsed('l.exists_one(x, p)'), 'l.exists_one(x, p)');
    assert.equal(parsed('l.filter(x, p)'), 'l.filter(x, p)');
    assert.equal(parsed('l.map(x, t)'), 'l.map(x, t)');
    assert.equal(parsed('l.map(x, p, t)'), 'l.map(x, p, t)');
    assert.match(syntaxError('l.all(x.y, true)').message, /argument must be a simple name/);
  });

  it('leaves calls that do not fit a macro alone', () => {
    assert.equal(parsed('all(x, y)'), 'all(x, y)');
    assert.equal(parsed('l.map(x)'), 'l.map(x)');
    assert.equal(parsed('conditional(a, b)'), 'conditional(a, b)');
  });

  it("expands Istio's conditional() into a ternary", () => {
    assert.equal(parsed('conditional(a, b, c)'), '_?_:_(a, b, c)');
  });

  it("expands Istio's pick() right to left", () => {
    assert.equal(parsed('pick(a.b, c)'), '_?_:_(has:a.b, a.b, c)');
    assert.equal(parsed('pick(m["k"], d)'), '_?_:_(@in("k", m), _[_](m, "k"), d)');
    // Anything other than a selection or an index is taken as is, dropping the rest.
    assert.equal(parsed('pick(a, b.c, d)'), 'a');
    assert.equal(parsed('pick(a.b, "x", c.d)'), '_?_:_(has:a.b, a.b, "x")');
    assert.equal(parsed('pick(a.b)'), 'a.b');
    const call = parseCel('pick(a.b, c)').expr as CallExpr;
    assert.equal((call.args[0] as SelectExpr).testOnly, true);
    assert.equal((call.args[1] as SelectExpr).testOnly, false);
    assert.match(syntaxError('pick(has(a.b), c)').message, /unsupported use of has\(\) macro in pick\(\)/);
  });
});

describe('CEL parser: errors', () => {
  it('reports the offending token', () => {
    assert.match(syntaxError('1 +').message, /Syntax error: mismatched input <EOF>/);
    assert.match(syntaxError('(1').message, /expecting '\)'/);
    assert.match(syntaxError('1 2').message, /extraneous input '2'/);
    assert.match(syntaxError('a = 2').message, /token recognition error at: '='/);
    assert.match(syntaxError('@23').message, /token recognition error at: '@'/);
    assert.match(syntaxError('a.1').message, /Syntax error/);
    assert.match(syntaxError('x in').message, /Syntax error/);
  });

  it('limits nesting depth', () => {
    assert.match(syntaxError(`${'('.repeat(300)}1${')'.repeat(300)}`).message, /recursion limit/);
    assert.match(syntaxError(Array.from({ length: 300 }, () => '1').join(' + ')).message, /recursion limit/);
    assert.match(syntaxError(`a${'.b'.repeat(300)}`).message, /recursion limit/);
    assert.equal(parsed(Array.from({ length: 50 }, () => '1').join(' + ')).startsWith('_+_('), true);
  });

  it('becomes an ExpressionCompileError with line and column', () => {
    const error = compileError('as ==\n  @');
    assert.equal(error.position?.line, 2);
    assert.equal(error.position?.column, 3);
    assert.match(error.message, /^ERROR: <input>:2:3: token recognition error at: '@'/);
    assert.match(error.message, /\n \| {3}@\n \| \.\.\^/);
    assert.equal(error.expression, 'as ==\n  @');
  });
});
