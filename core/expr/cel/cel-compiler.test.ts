import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DictBag } from '../../attribute/dict-bag.js';
import { AttributeManifest } from '../../attribute/manifest.js';
import { ValueType } from '../../attribute/value-type.js';
import { ExpressionCompileError, ExpressionEvaluationError } from '../errors.js';
import { ExpressionLanguage } from '../expression.js';
import { CelExpressionCompiler } from './cel-compiler.js';
import { compileCel } from './test-helpers.js';

describe('CelExpressionCompiler', () => {
  it('implements ExpressionCompiler for CEL and COMPAT', () => {
    const manifest = AttributeManifest.of({ 'request.size': 'INT64' });
    const cel = new CelExpressionCompiler(manifest, ExpressionLanguage.CEL);
    const compat = new CelExpressionCompiler(manifest, ExpressionLanguage.COMPAT);
    assert.equal(cel.language, ExpressionLanguage.CEL);
    assert.equal(compat.language, ExpressionLanguage.COMPAT);
    const expression = compat.compile('request.size | 10');
    assert.equal(expression.text, 'request.size | 10');
    assert.equal(expression.language, ExpressionLanguage.COMPAT);
    assert.equal(expression.type, ValueType.INT64);
    assert.equal(expression.celType, 'int');
    assert.equal(expression.evaluate(DictBag.of({})), 10);
    assert.equal(expression.evaluate(DictBag.of({ 'request.size': 3 })), 3);
  });

  it('compiles once and evaluates many times against different bags', () => {
    const expression = compileCel('ai * 2 + size(as)');
    assert.equal(expression.evaluate(DictBag.of({ ai: 1, as: 'abc' })), 5);
    assert.equal(expression.evaluate(DictBag.of({ ai: 10 })), 20);
  });

  it('keeps comprehension variables per evaluation', () => {
    const expression = compileCel('[1, 2, 3].map(x, [x, ai].exists(y, y == 2))');
    assert.deepEqual(expression.evaluate(DictBag.of({ ai: 0 })), [false, true, false]);
    assert.deepEqual(expression.evaluate(DictBag.of({ ai: 2 })), [true, true, true]);
  });

  it('hands out fresh lists and bytes even when they are folded constants', () => {
    const list = compileCel('[1, 2] + [3]');
    const first = list.evaluate(DictBag.of({})) as unknown as number[];
    first.push(99);
    assert.deepEqual(list.evaluate(DictBag.of({})), [1, 2, 3]);
    const bytes = compileCel('b"ab"');
    (bytes.evaluate(DictBag.of({})) as Uint8Array)[0] = 0;
    assert.deepEqual(bytes.evaluate(DictBag.of({})), new Uint8Array([97, 98]));
  });

  it('throws only ExpressionCompileError from compile, and only ExpressionEvaluationError from evaluate', () => {
    assert.throws(() => compileCel('1 +'), ExpressionCompileError);
    assert.throws(() => compileCel('nope'), ExpressionCompileError);
    assert.throws(() => compileCel('a = 2', ExpressionLanguage.COMPAT), ExpressionCompileError);
    assert.throws(() => compileCel('1 / 0').evaluate(DictBag.of({})), ExpressionEvaluationError);
    assert.throws(() => compileCel('ip("x")').evaluate(DictBag.of({})), ExpressionEvaluationError);
  });
});
