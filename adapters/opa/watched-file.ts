import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { describeThrown, loadError, type OpaError } from './errors.js';

/** What a look at a watched file found. */
export type FileChange =
  | { readonly changed: false }
  | { readonly changed: true; readonly bytes: Buffer }
  | { readonly changed: true; readonly error: OpaError };

/**
 * A file whose changes are picked up by polling. Each look compares a cheap stamp (device,
 * inode, size, modification and change times) with the previous one and reads the file only
 * when it differs; a read whose content hash is unchanged is no change. Because file times are
 * coarse, a file modified within the last `racyWindowMs` is read again at the next look even
 * with an unchanged stamp (git's "racy" rule), so two quick same-size writes are not missed.
 */
export class WatchedFile {
  private stamp: string | undefined;
  private racy = true;
  private version: string | undefined;

  constructor(
    readonly path: string,
    private readonly racyWindowMs = 2000,
  ) {}

  /** The file's new contents (or why it cannot be read) when it changed since the last look; the first look is a change. */
  async look(): Promise<FileChange> {
    let info;
    try {
      info = await stat(this.path, { bigint: true });
    } catch (error) {
      return this.failed(`cannot read: ${describeThrown(error)}`, error, `error:${errorCode(error)}`);
    }
    const stamp = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
    if (stamp === this.stamp && !this.racy) return { changed: false };
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (error) {
      return this.failed(`cannot read: ${describeThrown(error)}`, error, `error:${errorCode(error)}`);
    }
    this.stamp = stamp;
    this.racy = Date.now() - Number(info.mtimeNs / 1_000_000n) < this.racyWindowMs;
    const version = createHash('sha256').update(bytes).digest('hex');
    if (version === this.version) return { changed: false };
    this.version = version;
    return { changed: true, bytes };
  }

  private failed(reason: string, cause: unknown, version: string): FileChange {
    this.stamp = undefined;
    this.racy = true;
    if (version === this.version) return { changed: false };
    this.version = version;
    return { changed: true, error: loadError(this.path, reason, cause) };
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'unknown';
}
