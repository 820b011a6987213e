import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseEntrypoint } from './entrypoint.js';

describe('parseEntrypoint', () => {
  it("accepts the wasm path form and Istio's data.<package>.<rule> reference", () => {
    for (const [text, name] of [
      ['mixerauthz/allow', 'mixerauthz/allow'],
      ['data.mixerauthz.allow', 'mixerauthz/allow'],
      ['mixerauthz.allow', 'mixerauthz/allow'],
      [' istio.authz.decision ', 'istio/authz/decision'],
      ['allow', 'allow'],
      ['_private/rule_2', '_private/rule_2'],
    ]) {
      assert.deepEqual(parseEntrypoint(text!), { ok: true, name }, text);
    }
  });

  it('refuses what is not a rule reference, with examples', () => {
    for (const text of ['', 'data', 'data.', 'a//b', 'my-pkg/allow', 'data.x["y"]', '1abc/allow']) {
      const parsed = parseEntrypoint(text);
      assert.equal(parsed.ok, false, text);
      if (!parsed.ok) assert.match(parsed.message, /is not a rule reference \(examples: mixerauthz\/allow, data\.mixerauthz\.allow\)/);
    }
  });
});
