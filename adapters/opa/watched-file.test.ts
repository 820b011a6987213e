import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { OpaError, OpaErrorCode } from './errors.js';
import { WatchedFile, type FileChange } from './watched-file.js';

function text(change: FileChange): string | undefined {
  return change.changed && 'bytes' in change ? change.bytes.toString() : undefined;
}

describe('WatchedFile', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mixer-opa-watch-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reports the first look and every content change, including quick same-size rewrites and renames', async () => {
    const path = join(dir, 'data.json');
    await writeFile(path, '{"v":1}');
    const file = new WatchedFile(path);
    assert.equal(text(await file.look()), '{"v":1}');
    assert.deepEqual(await file.look(), { changed: false });
    await writeFile(path, '{"v":2}');
    assert.equal(text(await file.look()), '{"v":2}', 'a same-size rewrite within the racy window is seen');
    await writeFile(path, '{"v":2}');
    assert.deepEqual(await file.look(), { changed: false }, 'same content is no change');
    await writeFile(`${path}.new`, '{"v":3}');
    await rename(`${path}.new`, path);
    assert.equal(text(await file.look()), '{"v":3}');
  });

  it('reports a missing file once, as an OpaError naming it, then its return', async () => {
    const path = join(dir, 'policy.wasm');
    const file = new WatchedFile(path, 0);
    const missing = await file.look();
    assert.ok(missing.changed && 'error' in missing);
    assert.ok(missing.error instanceof OpaError);
    assert.equal(missing.error.code, OpaErrorCode.Load);
    assert.match(missing.error.message, /policy\.wasm: cannot read: .*ENOENT/);
    assert.deepEqual(await file.look(), { changed: false });
    await writeFile(path, 'wasm');
    assert.equal(text(await file.look()), 'wasm');
    assert.deepEqual(await file.look(), { changed: false }, 'outside the racy window an unchanged stamp is not read again');
    await unlink(path);
    assert.ok((await file.look()).changed);
  });
});
