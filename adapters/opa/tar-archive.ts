import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

/** Bundles larger than this once unzipped are refused (a guard against zip bombs). */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

const BLOCK = 512;

/** Why an archive could not be read. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

/**
 * The regular files of a gzipped tar archive (an OPA bundle), by path without the leading `/`
 * or `./`. Reads ustar headers with their name prefix, GNU long names (`L`) and PAX `path`
 * records (`x`); directories, links and other entries are skipped.
 */
export async function readTarGz(compressed: Uint8Array, maxBytes = MAX_BUNDLE_BYTES): Promise<Map<string, Buffer>> {
  let archive: Buffer;
  try {
    archive = await gunzipAsync(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ArchiveError(`larger than ${maxBytes} bytes once unzipped`);
    throw new ArchiveError(`not a gzip file: ${(error as Error).message}`);
  }
  return readTar(archive);
}

/** The regular files of an uncompressed tar archive (see readTarGz). */
export function readTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    if (!checksumMatches(header)) throw new ArchiveError(`bad tar header checksum at byte ${offset}`);
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156]!);
    const bodyStart = offset + BLOCK;
    const bodyEnd = bodyStart + size;
    if (bodyEnd > archive.length) throw new ArchiveError(`truncated tar entry at byte ${offset}`);
    const body = archive.subarray(bodyStart, bodyEnd);
    offset = bodyStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = cString(body, 0, body.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(body) ?? longName;
      continue;
    }
    const name = longName ?? ustarName(header);
    longName = undefined;
    if (type !== '0' && type !== '\0') continue;
    files.set(normalizePath(name), Buffer.from(body));
  }
  return files;
}

function ustarName(header: Buffer): string {
  const name = cString(header, 0, 100);
  const magic = cString(header, 257, 6);
  const prefix = magic.startsWith('ustar') ? cString(header, 345, 155) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

function normalizePath(name: string): string {
  return name.replace(/^(\.?\/)+/, '');
}

function cString(buffer: Buffer, start: number, length: number): string {
  const slice = buffer.subarray(start, start + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end < 0 ? slice.length : end).toString('utf8');
}

function octal(header: Buffer, start: number, length: number): number {
  const field = header.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) throw new ArchiveError('tar entries over 8 GiB are not supported');
  const text = cString(header, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new ArchiveError(`bad octal number '${text}' in tar header`);
  return parseInt(text, 8);
}

function checksumMatches(header: Buffer): boolean {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 0x20 : header[index]!;
  return sum === stored;
}

/** The `path` of a PAX extended header (records `<length> <key>=<value>\n`). */
function paxPath(body: Buffer): string | undefined {
  let path: string | undefined;
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space < 0) break;
    const length = parseInt(body.subarray(offset, space).toString('ascii'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = body.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0 && record.slice(0, equals) === 'path') path = record.slice(equals + 1);
    offset += length;
  }
  return path;
}
