import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttributeManifest } from '../../attribute/manifest.js';
import { TrackingBag } from '../../attribute/tracking-bag.js';
import { ExpressionCompileError, ExpressionEvaluationError } from '../errors.js';
import { ExpressionLanguage } from '../expression.js';
import { CelExpressionCompiler } from './cel-compiler.js';
import { bagFromVector, encodeResult, readConformance, thrownBy } from './conformance-support.js';

interface CelVector {
  readonly id: number;
  readonly expr: string;
  readonly mode: string;
  readonly attrTypes: Record<string, string>;
  readonly input: Record<string, unknown>;
  readonly result?: unknown;
  readonly compileErr?: string;
  readonly evalErr?: string;
  readonly referenced?: readonly string[];
}

interface CelVectorFile {
  readonly manifest: Record<string, string>;
  readonly vectors: readonly CelVector[];
}

const file = readConformance<CelVectorFile>('cel-vectors.json');

describe('CEL conformance vectors (mixer/pkg/lang/cel/builder_test.go)', () => {
  if ('missing' in file) {
    void it.skip(`conformance file not found: ${file.missing}`);
    return;
  }
  const { manifest, vectors } = file.data;
  const compiler = new CelExpressionCompiler(AttributeManifest.of(manifest), ExpressionLanguage.CEL);

  it('has all 75 vectors', () => {
    assert.equal(vectors.length, 75);
  });

  for (const vector of vectors) {
    it(`#${vector.id} ${vector.expr}`, () => {
      assert.equal(vector.mode, 'CEL');
      if (vector.compileErr !== undefined) {
        const error = thrownBy(() => compiler.compile(vector.expr));
        assert.ok(error instanceof ExpressionCompileError, String(error));
        assert.ok(error.message.includes(vector.compileErr), `${error.message}\n does not contain: ${vector.compileErr}`);
        return;
      }
      const expression = compiler.compile(vector.expr);
      const bag = new TrackingBag(bagFromVector(vector.input, vector.attrTypes));
      if (vector.evalErr !== undefined) {
        const error = thrownBy(() => expression.evaluate(bag));
        assert.ok(error instanceof ExpressionEvaluationError, String(error));
        assert.ok(error.message.includes(vector.evalErr), `${error.message} does not contain: ${vector.evalErr}`);
      } else {
        assert.deepEqual(encodeResult(expression.evaluate(bag)), vector.result);
      }
      if (vector.referenced !== undefined) {
        assert.deepEqual(bag.referenced.toStrings(), [...vector.referenced].sort());
      }
    });
  }
});
