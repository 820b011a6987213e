import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodePunycode } from './punycode.js';

// Decodings golang.org/x/net/idna v0.62.0 produces for these A-labels (seen through dnsName() in
// a differential oracle run outside this repository).

describe('decodePunycode', () => {
  it('decodes labels with and without basic code points', () => {
    assert.equal(decodePunycode('bcher-kva'), 'bücher');
    assert.equal(decodePunycode('mgbh0fb'), 'مثال');
    assert.equal(decodePunycode('ls8h'), '💩');
    assert.equal(decodePunycode('fiq228c'), '中文');
    assert.equal(decodePunycode('zca'), 'ß');
    assert.equal(decodePunycode('a'), '\u0080');
  });

  it('returns the basic part of a label ending in a hyphen, and empty input as is', () => {
    assert.equal(decodePunycode('abc-'), 'abc');
    assert.equal(decodePunycode(''), '');
  });

  it('rejects malformed input', () => {
    assert.equal(decodePunycode('-abc'), undefined);
    assert.equal(decodePunycode('zz'), undefined);
    assert.equal(decodePunycode('99999999999'), undefined);
    assert.equal(decodePunycode('bcher-kv\u00e4'), undefined);
  });
});
