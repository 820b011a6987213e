import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';

import { ArchiveError, readTar, readTarGz } from './tar-archive.js';
import { paxPath, tarArchive, tarGz } from './testing/tar-builder.js';

describe('readTarGz', () => {
  it('returns the regular files by path, without a leading / or ./, skipping directories', async () => {
    const files = await readTarGz(
      tarGz([
        { name: '/policy.wasm', content: Buffer.from([0, 97, 115, 109]) },
        { name: './roles/', type: '5' },
        { name: './roles/data.json', content: '{"admin": true}' },
        { name: 'big.bin', content: Buffer.alloc(1500, 7) },
      ]),
    );
    assert.deepEqual([...files.keys()], ['policy.wasm', 'roles/data.json', 'big.bin']);
    assert.deepEqual([...files.get('policy.wasm')!], [0, 97, 115, 109]);
    assert.equal(files.get('roles/data.json')!.toString(), '{"admin": true}');
    assert.equal(files.get('big.bin')!.length, 1500);
  });

  it('reads long names from the ustar prefix, GNU L entries and PAX path records', () => {
    const long = `${'deep/'.repeat(30)}data.json`;
    const files = readTar(
      tarArchive([
        { name: 'data.json', prefix: 'a/b', content: '1' },
        { name: '././@LongLink', type: 'L', content: `${long}\0` },
        { name: 'truncated', content: '2' },
        { name: 'PaxHeader', type: 'x', content: paxPath('pax/named.json') },
        { name: 'short', content: '3' },
      ]),
    );
    assert.deepEqual(Object.fromEntries([...files].map(([name, body]) => [name, body.toString()])), { 'a/b/data.json': '1', [long]: '2', 'pax/named.json': '3' });
  });

  it('refuses what is not a gzip, a corrupt header, a truncated entry and a bomb, with ArchiveErrors', async () => {
    await assert.rejects(readTarGz(Buffer.from('plain text')), (error: unknown) => error instanceof ArchiveError && /not a gzip file/.test(error.message));
    const corrupt = tarArchive([{ name: 'a', content: 'x' }]);
    corrupt[0] = 'b'.charCodeAt(0);
    assert.throws(() => readTar(corrupt), /bad tar header checksum at byte 0/);
    const truncated = tarArchive([{ name: 'a', content: Buffer.alloc(2000) }]).subarray(0, 1024);
    assert.throws(() => readTar(truncated), /truncated tar entry at byte 0/);
    await assert.rejects(readTarGz(gzipSync(Buffer.alloc(4096)), 1024), /larger than 1024 bytes once unzipped/);
  });
});
