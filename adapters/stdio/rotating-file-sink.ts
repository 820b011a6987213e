import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { ignore, MAX_BUFFERED_BYTES, type LineSink } from './line-sink.js';

export interface RotationOptions {
  /** Rotate before the file would exceed this many bytes. */
  readonly maxBytes: number;
  /** Delete rotated files older than this (by the time in their name); 0 keeps them. */
  readonly maxAgeMs: number;
  /** Keep at most this many rotated files; 0 keeps all. */
  readonly maxFiles: number;
  /** The clock that names rotated files and ages them. */
  readonly now: () => number;
  readonly onError: (error: Error) => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Milliseconds in days, for RotationOptions.maxAgeMs. */
export function daysToMs(days: number): number {
  return days * DAY_MS;
}

/**
 * A file that is rotated by size, like lumberjack (which Istio's stdio used): when a batch would
 * push `access.log` past maxBytes, the file is renamed `access-2020-01-01T00-00-00.000.log`
 * (UTC, from the clock) and a new one started; rotated files beyond maxFiles or older than
 * maxAgeMs are deleted. Batches queued while a write is in flight are coalesced into one
 * write, and each one's promise settles when that write has; all I/O is asynchronous.
 */
export class RotatingFileSink implements LineSink {
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Settles the promise of every batch in `pending` once they are written. */
  private pendingWritten: Settle | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly options: RotationOptions,
    private handle: FileHandle,
    private size: number,
  ) {}

  static async open(path: string, options: RotationOptions): Promise<RotatingFileSink> {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'a');
    const { size } = await handle.stat();
    return new RotatingFileSink(path, options, handle, size);
  }

  write(text: string): Promise<void> | false {
    if (this.closed || this.pendingBytes > MAX_BUFFERED_BYTES) return false;
    this.pending.push(text);
    this.pendingBytes += text.length;
    this.pendingWritten ??= settleLater();
    const written = this.pendingWritten.promise;
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return written;
  }

  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const chunk = Buffer.from(this.pending.join(''), 'utf8');
      const settle = this.pendingWritten!;
      this.pending = [];
      this.pendingBytes = 0;
      this.pendingWritten = undefined;
      try {
        if (this.size > 0 && this.size + chunk.length > this.options.maxBytes) await this.rotate();
        // A write may take less than the whole buffer; the rest follows.
        for (let offset = 0; offset < chunk.length; ) offset += (await this.handle.write(chunk, offset)).bytesWritten;
        this.size += chunk.length;
        settle.resolve();
      } catch (error) {
        this.options.onError(error as Error);
        settle.reject(error as Error);
      }
    }
  }

  private async rotate(): Promise<void> {
    await this.handle.close();
    await rename(this.path, await this.backupName());
    this.handle = await open(this.path, 'a');
    this.size = 0;
    await this.prune().catch((error: unknown) => this.options.onError(error as Error));
  }

  /** `<name>-<UTC time, ms>.<ext>`, moved on by a millisecond if taken. */
  private async backupName(): Promise<string> {
    for (let time = this.options.now(); ; time++) {
      const candidate = join(dirname(this.path), `${this.prefix}${stamp(time)}${this.extension}`);
      if (!(await exists(candidate))) return candidate;
    }
  }

  private get extension(): string {
    return extname(this.path);
  }

  private get prefix(): string {
    return `${basename(this.path, this.extension)}-`;
  }

  private async prune(): Promise<void> {
    const { maxAgeMs, maxFiles } = this.options;
    if (maxAgeMs <= 0 && maxFiles <= 0) return;
    const directory = dirname(this.path);
    const rotated = (await readdir(directory))
      .map((name) => ({ name, time: this.rotatedTime(name) }))
      .filter((entry): entry is { name: string; time: number } => entry.time !== undefined)
      .sort((a, b) => b.time - a.time);
    const cutoff = this.options.now() - maxAgeMs;
    const doomed = rotated.filter((entry, index) => (maxFiles > 0 && index >= maxFiles) || (maxAgeMs > 0 && entry.time < cutoff));
    await Promise.all(doomed.map((entry) => unlink(join(directory, entry.name))));
  }

  private rotatedTime(name: string): number | undefined {
    if (!name.startsWith(this.prefix) || !name.endsWith(this.extension)) return undefined;
    const text = name.slice(this.prefix.length, name.length - this.extension.length);
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/.exec(text);
    if (match === null) return undefined;
    const [year = 0, month = 1, day, hour, minute, second, millis] = match.slice(1).map(Number);
    return Date.UTC(year, month - 1, day, hour, minute, second, millis);
  }
}

interface Settle {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

/** A promise settled later (Promise.withResolvers, which Node 20 lacks); its rejection is marked handled. */
function settleLater(): Settle {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  promise.catch(ignore);
  return { promise, resolve, reject };
}

function stamp(time: number): string {
  return new Date(time).toISOString().replace(/:/g, '-').replace(/Z$/, '');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
