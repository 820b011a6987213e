import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { conformanceDirectory } from '../../test/support/conformance.js';
import { BASE_GLOBAL_WORD_COUNT, GLOBAL_WORD_COUNT, GLOBAL_WORD_INDEX, GLOBAL_WORDS } from './global-dictionary.js';

test('the embedded dictionary is the conformance word list, byte for byte and in order', (context) => {
  const path = join(conformanceDirectory(), 'global-dictionary.txt');
  if (!existsSync(path)) {
    if (process.env['CI'] === 'true') throw new Error(`conformance data missing under CI: ${path}`);
    context.skip(`conformance data not found at ${path}`);
    return;
  }
  const text = readFileSync(path, 'utf8');
  assert.equal(`${GLOBAL_WORDS.join('\n')}\n`, text);
});

test('222 distinct words; the quoted entries keep their quotes', () => {
  assert.equal(GLOBAL_WORD_COUNT, 222);
  assert.equal(GLOBAL_WORD_INDEX.size, 222, 'all words distinct');
  assert.equal(BASE_GLOBAL_WORD_COUNT, 111);
  assert.equal(GLOBAL_WORDS[0], 'source.ip');
  assert.equal(GLOBAL_WORDS[94], "'200'");
  assert.equal(GLOBAL_WORDS[111], "'0'");
  assert.equal(GLOBAL_WORDS[112], "'1'");
  assert.equal(GLOBAL_WORDS[136], '200');
  assert.equal(GLOBAL_WORDS[218], '"-"');
  assert.equal(GLOBAL_WORDS[221], 'context.proxy_version');
  assert.equal(GLOBAL_WORD_INDEX.get('request.headers'), 15);
  assert.ok(Object.isFrozen(GLOBAL_WORDS));
});
