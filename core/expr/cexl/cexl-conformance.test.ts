import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toJsonValue } from '../../attribute/format.js';
import { AttributeManifest } from '../../attribute/manifest.js';
import { TrackingBag } from '../../attribute/tracking-bag.js';
import { parseValueType, ValueType } from '../../attribute/value-type.js';
import { readConformanceJson } from '../../../test/support/conformance.js';
import { expectedValue, sameValue, vectorBag, type CexlVector, type Manifests } from '../../../test/support/cexl-vector.js';
import { ExpressionCompileError, ExpressionEvaluationError } from '../errors.js';
import { CexlCompiler, type CexlExternFunction } from './cexl-compiler.js';
import { functionSignature, methodSignature } from './function-metadata.js';

function reverseExtern(instance: boolean): CexlExternFunction {
  const signature = instance
    ? methodSignature('reverse', ValueType.STRING, ValueType.STRING, [])
    : functionSignature('reverse', ValueType.STRING, [ValueType.STRING]);
  return { signature, implementation: (text) => [...(text as string)].reverse().join('') };
}

test("Istio's CEXL vectors (cexl-vectors.json) in CEXL mode", (context) => {
  const vectors = readConformanceJson<CexlVector[]>(context, 'cexl-vectors.json');
  const manifests = readConformanceJson<Manifests>(context, 'cexl-manifests.json');
  if (vectors === undefined || manifests === undefined) return;
  assert.equal(vectors.length, 423);
  const failures: string[] = [];
  for (const vector of vectors) {
    const manifestTypes = manifests[vector.manifest]!;
    const manifest = AttributeManifest.of(manifestTypes);
    const extra = (vector.externFunctions ?? []).map((extern) => reverseExtern(extern.instance));
    const compiler = new CexlCompiler(manifest, { extraFunctions: extra });
    const label = `#${vector.id} ${JSON.stringify(vector.expr)}`;
    let compiled;
    try {
      compiled = compiler.compile(vector.expr);
    } catch (error) {
      if (!(error instanceof ExpressionCompileError)) throw error;
      if (vector.compileErr !== error.message) failures.push(`${label}: compile error ${JSON.stringify(error.message)}, want ${JSON.stringify(vector.compileErr ?? 'success')}`);
      continue;
    }
    if (vector.compileErr !== undefined) {
      failures.push(`${label}: compiled, want compile error ${JSON.stringify(vector.compileErr)}`);
      continue;
    }
    const wantType = parseValueType(vector.type!)!;
    if (compiled.type !== wantType) failures.push(`${label}: type ${ValueType[compiled.type]}, want ${vector.type}`);
    const bag = new TrackingBag(vectorBag(vector, manifestTypes));
    try {
      const value = compiled.evaluate(bag);
      if (vector.evalErr !== undefined) {
        failures.push(`${label}: evaluated to ${JSON.stringify(toJsonValue(value))}, want error ${JSON.stringify(vector.evalErr)}`);
      } else if (!sameValue(value, expectedValue(wantType, vector.result))) {
        failures.push(`${label}: got ${JSON.stringify(toJsonValue(value))}, want ${JSON.stringify(vector.result)}`);
      }
    } catch (error) {
      if (!(error instanceof ExpressionEvaluationError)) throw error;
      if (vector.evalErr === undefined || !error.message.startsWith(vector.evalErr)) {
        failures.push(`${label}: error ${JSON.stringify(error.message)}, want ${vector.evalErr === undefined ? JSON.stringify(vector.result) : `error ${JSON.stringify(vector.evalErr)}`}`);
      }
    }
    if (vector.referenced !== undefined) {
      const got = bag.referenced.toStrings();
      const want = [...vector.referenced].sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${label}: referenced ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }
  assert.deepEqual(failures, []);
});
