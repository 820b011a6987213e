import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DictBag } from '../../attribute/dict-bag.js';
import { AttributeManifest } from '../../attribute/manifest.js';
import { StringMap } from '../../attribute/string-map.js';
import { TrackingBag } from '../../attribute/tracking-bag.js';
import { CexlCompiler } from './cexl-compiler.js';

const manifest = AttributeManifest.of({
  as: 'STRING', bs: 'STRING', ai: 'INT64', ad: 'DOUBLE', ab: 'BOOL', adns: 'DNS_NAME', amail: 'EMAIL_ADDRESS',
  auri: 'URI', aip: 'IP_ADDRESS', 'request.headers': 'STRING_MAP',
});
const compiler = new CexlCompiler(manifest);

function selectorOf(text: string): { key: string; values: readonly unknown[] } | undefined {
  const selector = compiler.compile(text).selector;
  return selector === undefined ? undefined : { key: selector.key, values: selector.values };
}

describe('CEXL selectors', () => {
  test('E == literal, an || of them over one E, and either as the leftmost operand of && are indexable', () => {
    assert.deepEqual(selectorOf('as == "a"'), { key: 'CEXL $as', values: ['a'] });
    assert.deepEqual(selectorOf('as == "a" || as == "b" || as == "c"'), { key: 'CEXL $as', values: ['a', 'b', 'c'] });
    assert.deepEqual(selectorOf('as == "a" && bs.startsWith("x") && ai > 2'), { key: 'CEXL $as', values: ['a'] });
    assert.deepEqual(selectorOf('(as == "a" || as == "b") && bs == "c"'), { key: 'CEXL $as', values: ['a', 'b'] });
    assert.deepEqual(selectorOf('ai == 7'), { key: 'CEXL $ai', values: [7] });
    assert.deepEqual(selectorOf('ai == 9223372036854775807'), { key: 'CEXL $ai', values: [9223372036854775807n] });
    assert.deepEqual(selectorOf('ab == true'), { key: 'CEXL $ab', values: [true] });
    assert.deepEqual(selectorOf('(as == "a") == false')?.values, [false]);
    assert.equal(selectorOf('(request.headers["x"] | "") == "v"')?.values[0], 'v');
  });

  test('the same E has the same key; a different E, another', () => {
    const key = (text: string): string | undefined => selectorOf(text)?.key;
    assert.equal(key('request.headers["x-user"] == "a"'), key('request.headers["x-user"] == "b" && as == "c"'));
    assert.notEqual(key('request.headers["x-user"] == "a"'), key('request.headers["x-tenant"] == "a"'));
    assert.notEqual(key('(as | "") == "a"'), key('(as | "x") == "a"'));
    assert.notEqual(key('(as | bs) == "a"'), key('(bs | as) == "a"'));
  });

  test('shapes whose falsity is not decided by E alone, or whose == is not ===, are not indexed', () => {
    for (const text of [
      'as != "a"',
      '"a" == as',
      'as == bs',
      'bs.startsWith("a") && as == "a"',
      'as == "a" || bs == "b"',
      'as == "a" || bs.startsWith("b")',
      'ad == 1.5',
      'adns == dnsName("a.com")',
      'amail == email("a@b.com")',
      'auri == uri("http://a/")',
      'aip == ip("1.2.3.4")',
      'true',
      'as.startsWith("a")',
    ]) {
      assert.equal(selectorOf(text), undefined, text);
    }
  });

  test('the operand evaluates E, reading what the whole expression reads first, and fails as it fails', () => {
    const expression = compiler.compile('(request.headers["x"] | as) == "v" && bs == "w"');
    const bag = new TrackingBag(DictBag.of({ 'request.headers': StringMap.fromObject({ y: '1' }), as: 'q', bs: 'w' }));
    assert.equal(expression.selector!.operand(bag), 'q');
    const whole = new TrackingBag(DictBag.of({ 'request.headers': StringMap.fromObject({ y: '1' }), as: 'q', bs: 'w' }));
    assert.equal(expression.evaluate(whole), false);
    assert.deepEqual(bag.referenced.entries(), whole.referenced.entries());
    assert.throws(() => compiler.compile('as == "a"').selector!.operand(DictBag.of({})), /lookup failed: 'as'/);
  });
});
