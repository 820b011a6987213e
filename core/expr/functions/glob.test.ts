import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { globMatch } from './glob.js';

// Expected values were produced by Istio's ExternMatch compiled with Go 1.26 (a differential
// oracle run outside this repository).

/** [value, pattern, match(value, pattern)] */
const MATCHED: ReadonlyArray<readonly [string, string, boolean]> = [
  ['svc.ns.svc.cluster.local', '*', true],
  ['', '*', true],
  ['', '', true],
  ['abc', '', false],
  ['', 'abc', false],
  ['abc', 'abc', true],
  ['abc', 'ABC', false],
  ['abc', 'ab*', true],
  ['ab', 'ab*', true],
  ['a', 'ab*', false],
  ['abc', '*bc', true],
  ['bc', '*bc', true],
  ['c', '*bc', false],
  ['abc', 'a*c', false],
  ['a*c', 'a*c', true],
  ['abc', '*b*', false],
  ['*b', '*b*', true],
  ['ab*x', '*b*', false],
  ['abc', '**', false],
  ['*abc', '**', true],
  ['abc', '*', true],
  ['istio-system', 'istio-*', true],
  ['default.svc', '*.svc', true],
  ['x.svc.cluster', '*.svc', false],
  ['é', '*é', true],
  ['éa', 'é*', true],
];

describe('globMatch (CEXL match)', () => {
  for (const [value, pattern, expected] of MATCHED) {
    it(`match(${JSON.stringify(value)}, ${JSON.stringify(pattern)}) is ${expected}`, () => {
      assert.equal(globMatch(value, pattern), expected);
    });
  }
});
