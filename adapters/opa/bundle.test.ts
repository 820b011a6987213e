import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readBundle } from './bundle.js';
import { tarGz } from './testing/tar-builder.js';

const WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

describe('readBundle', () => {
  it("takes the one wasm module and merges data files by their directory, deeper ones over the root's", async () => {
    const bundle = await readBundle(
      tarGz([
        { name: '/policy.wasm', content: WASM },
        { name: '/data.json', content: '{"roles": {"admin": ["GET"], "reader": ["GET"]}, "limit": 1}' },
        { name: '/roles/reader/data.json', content: '["GET", "HEAD"]' },
        { name: '/teams/data.yaml', content: 'blue: [alice]\n' },
        { name: '/.manifest', content: '{"revision": ""}' },
        { name: '/policy.rego', content: 'package p' },
      ]),
    );
    assert.deepEqual([...bundle.wasm], [...WASM]);
    assert.deepEqual(bundle.data, { roles: { admin: ['GET'], reader: ['GET', 'HEAD'] }, limit: 1, teams: { blue: ['alice'] } });
  });

  it('says what is wrong: not a bundle, no wasm, several wasm modules, bad data', async () => {
    await assert.rejects(readBundle(Buffer.from('{}')), /not a bundle \(\.tar\.gz\): not a gzip file/);
    await assert.rejects(readBundle(tarGz([{ name: 'policy.rego', content: 'package p' }])), /no wasm module \(build it with `opa build -t wasm -e <entrypoint>`\)/);
    await assert.rejects(readBundle(tarGz([{ name: 'a.wasm', content: WASM }, { name: 'b/b.wasm', content: WASM }])), /2 wasm modules \(a\.wasm, b\/b\.wasm\); one is supported/);
    await assert.rejects(readBundle(tarGz([{ name: 'policy.wasm', content: WASM }, { name: 'x/data.json', content: '{nope' }])), /x\/data\.json in the bundle is not valid JSON/);
    await assert.rejects(readBundle(tarGz([{ name: 'policy.wasm', content: WASM }, { name: 'data.json', content: '[1]' }])), /data\.json in the bundle must hold an object/);
  });
});
