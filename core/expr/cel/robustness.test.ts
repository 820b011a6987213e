import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DictBag } from '../../attribute/dict-bag.js';
import { StringMap } from '../../attribute/string-map.js';
import { Timestamp } from '../../attribute/timestamp.js';
import { ExpressionCompileError, ExpressionEvaluationError } from '../errors.js';
import { ExpressionLanguage } from '../expression.js';
import { compilerFor } from './test-helpers.js';

const TOKENS = [
  'as', 'ai', 'ad', 'ab', 'request.headers', 'request.size', 'request.time', 'source.ip', 'source.labels', 'context',
  'context.reporter.kind', '"x"', "'y'", '1', '0', '2.5', '3u', 'true', 'null', 'b"z"', '[', ']', '{', '}', '(', ')',
  ',', ':', '.', '?', '+', '-', '*', '/', '%', '!', '==', '!=', '<', '>=', '&&', '||', ' in ', 'size', 'has', 'pick',
  'conditional', 'int', 'string', 'dyn', 'type', 'timestamp', 'duration', 'all', 'exists', 'map', 'filter', 'x', 'matches',
  'startsWith', 'emptyStringMap()', 'ip', 'email', '|', '^', '`', '"10s"', '@',
];

const BAG = DictBag.of({
  as: 'str',
  ai: 9007199254740993n,
  ad: 1.5,
  'request.headers': StringMap.fromObject({ x: 'y' }),
  'request.time': Timestamp.parse('2020-01-01T00:00:00Z'),
});

function check(language: ExpressionLanguage.CEL | ExpressionLanguage.COMPAT, text: string): void {
  let expression;
  try {
    expression = compilerFor(language).compile(text);
  } catch (error) {
    assert.ok(error instanceof ExpressionCompileError, `compile of ${JSON.stringify(text)} threw ${String(error)}`);
    return;
  }
  try {
    expression.evaluate(BAG);
  } catch (error) {
    assert.ok(error instanceof ExpressionEvaluationError, `evaluation of ${JSON.stringify(text)} threw ${String(error)}`);
  }
}

describe('CEL robustness: arbitrary text', () => {
  const text = fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));

  it('compiles or raises ExpressionCompileError, evaluates or raises ExpressionEvaluationError (CEL)', () => {
    fc.assert(
      fc.property(text, (source) => check(ExpressionLanguage.CEL, source)),
      { numRuns: 3000, seed: 1234 },
    );
  });

  it('does the same in COMPAT mode', () => {
    fc.assert(
      fc.property(text, (source) => check(ExpressionLanguage.COMPAT, source)),
      { numRuns: 3000, seed: 4321 },
    );
  });

  it('handles deep nesting without crashing', () => {
    check(ExpressionLanguage.CEL, `${'['.repeat(400)}1${']'.repeat(400)}`);
    check(ExpressionLanguage.COMPAT, `${'('.repeat(400)}1${')'.repeat(400)}`);
    check(ExpressionLanguage.CEL, Array.from({ length: 240 }, () => 'ai').join(' + '));
  });
});
