import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionCompileError } from '../errors.js';
import { parseGoExpression } from './parser.js';
import type { GoExpr } from './syntax.js';

/** Go's own messages for these inputs, as go/parser.ParseExpr (Go 1.26) prints them. */
const GO_PARSE_ERRORS: readonly (readonly [string, string])[] = [
  ['a = 2', "1:3: expected '==', found '='"],
  ['@23', "1:1: illegal character U+0040 '@'"],
  ['a ==', "1:5: expected operand, found 'EOF'"],
  ['', "1:1: expected operand, found 'EOF'"],
  ['(a', "1:3: expected ')', found newline"],
  ['a)', "1:2: expected 'EOF', found ')'"],
  ['f(a b)', "1:5: missing ',' in argument list"],
  ['a\n== b', "2:1: expected 'EOF', found '=='"],
  ['a.', "1:3: expected selector or type assertion, found 'EOF'"],
  ['a.1', "1:2: expected 'EOF', found .1"],
  ['"abc', '1:1: string literal not terminated'],
  ["'ab'", '1:1: illegal rune literal'],
  ['a && || b', "1:6: expected operand, found '||'"],
  ['"\\q"', '1:3: unknown escape sequence'],
  ['0x1g', "1:4: expected 'EOF', found g"],
  ['08', "1:2: invalid digit '8' in octal literal"],
  ['1e', '1:3: exponent has no digits'],
  ['a b', "1:3: expected 'EOF', found b"],
  ['a; b', "1:2: expected 'EOF', found ';'"],
  ['`raw', '1:1: raw string literal not terminated'],
  ['a /* c', '1:3: comment not terminated'],
  ['a..b', "1:3: expected selector or type assertion, found '.'"],
  ['a #', "1:3: illegal character U+0023 '#'"],
  ['f(,)', "1:3: expected operand, found ','"],
  ['a[]', "1:3: expected operand, found ']'"],
  ['"\\400"', '1:3: escape sequence is invalid Unicode code point'],
  ["'\\x'", "1:4: illegal character U+0027 ''' in escape sequence"],
  ['1__0', "1:3: '_' must separate successive digits"],
  ['0b102', "1:5: invalid digit '2' in binary literal"],
  ['a == été @', "1:12: illegal character U+0040 '@'"],
];

describe('parseGoExpression', () => {
  for (const [input, message] of GO_PARSE_ERRORS) {
    test(`reports Go's error for ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseGoExpression(input),
        (error: unknown) => error instanceof ExpressionCompileError && error.message === `unable to parse expression '${input}': ${message}`,
      );
    });
  }

  for (const input of ['a[1:2]', 'a.(int)', 'x{}', 'func(){}', 'map[string]string{}', '*a', '&a', '<-a', '[]int{1}', 'f(a...)']) {
    test(`rejects the non-CEXL construct ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseGoExpression(input),
        (error: unknown) => error instanceof ExpressionCompileError && error.message.startsWith('unexpected expression: '),
      );
    });
  }

  test('uses Go precedence: | binds tighter than ==, && tighter than ||', () => {
    const tree = parseGoExpression('a | b == c || d && e');
    const shape = (node: GoExpr): string => {
      switch (node.kind) {
        case 'binary':
          return `(${shape(node.left)} ${node.operator} ${shape(node.right)})`;
        case 'ident':
          return node.name;
        default:
          return node.kind;
      }
    };
    assert.equal(shape(tree), '(((a | b) == c) || (d && e))');
  });

  test('is left-associative and keeps selectors, indexes and calls', () => {
    const tree = parseGoExpression('request.headers["x"] + a.b(1, "s") - c');
    assert.equal(tree.kind, 'binary');
    if (tree.kind !== 'binary') return;
    assert.equal(tree.operator, '-');
    assert.equal(tree.left.kind, 'binary');
    if (tree.left.kind !== 'binary') return;
    assert.equal(tree.left.left.kind, 'index');
    assert.equal(tree.left.right.kind, 'call');
    if (tree.left.right.kind !== 'call') return;
    assert.equal(tree.left.right.args.length, 2);
    assert.equal(tree.left.right.callee.kind, 'selector');
  });

  test('accepts a newline where Go does (after an operator, inside an argument list, at the end)', () => {
    assert.equal(parseGoExpression('a ==\nb').kind, 'binary');
    assert.equal(parseGoExpression('f(a,\nb)').kind, 'call');
    assert.equal(parseGoExpression('a\n').kind, 'ident');
    assert.equal(parseGoExpression('f(a,)').kind, 'call');
  });

  test('records line and byte-based column of a problem', () => {
    try {
      parseGoExpression('x == 1 &&\n  y = 2');
      assert.fail('expected a parse error');
    } catch (error) {
      assert.ok(error instanceof ExpressionCompileError);
      assert.deepEqual(error.position, { offset: 14, line: 2, column: 5 });
    }
  });
});
