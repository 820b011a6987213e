import { gzipSync } from 'node:zlib';

/** One entry of a test archive: a regular file unless `type` says otherwise ('5' directory, 'L' GNU long name, 'x' PAX header). */
export interface TarEntry {
  readonly name: string;
  readonly content?: string | Buffer;
  readonly type?: string;
  /** The ustar name prefix (field at offset 345). */
  readonly prefix?: string;
}

/** A ustar archive of `entries` (for tests of the bundle reader; real bundles come from `opa build`). */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = typeof entry.content === 'string' ? Buffer.from(entry.content) : (entry.content ?? Buffer.alloc(0));
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, 'utf8');
    header.write('0000644\0', 100, 'ascii');
    header.write('0000000\0', 108, 'ascii');
    header.write('0000000\0', 116, 'ascii');
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    header.write('00000000000\0', 136, 'ascii');
    header.write(entry.type ?? '0', 156, 'ascii');
    header.write('ustar\0', 257, 'ascii');
    header.write('00', 263, 'ascii');
    if (entry.prefix !== undefined) header.write(entry.prefix, 345, 155, 'utf8');
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A gzipped tar archive of `entries`. */
export function tarGz(entries: readonly TarEntry[]): Buffer {
  return gzipSync(tarArchive(entries));
}

/** A PAX extended header body setting `path`. */
export function paxPath(path: string): string {
  const record = (length: number) => `${length} path=${path}\n`;
  let length = record(0).length;
  while (record(length).length !== length) length = record(length).length;
  return record(length);
}
