import { once } from 'node:events';
import { readdirSync, statSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The file system watches behind a ConfigWatcher: for a directory, one non-recursive watch on
 * it and on every directory below it (not following symbolic links); for a file, one on its
 * directory, reporting only that name. Node 20's recursive watch on Linux watches each file by
 * inode, so it misses a file replaced by rename (an atomic write, an editor's save) every time
 * after the first; a directory's own watch sees each one.
 */
export class ConfigPathWatch {
  private readonly watchers = new Map<string, FSWatcher>();
  /** Watchers that failed: Node may have closed them without a 'close' event. */
  private readonly failed = new Set<FSWatcher>();
  private closed = false;

  private constructor(
    private readonly root: string,
    /** Whether directories below the root are watched too (a directory is; a file's directory is not). */
    private readonly tree: boolean,
    private readonly onChange: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts watching `path` (throws when it cannot be watched). Synchronous: no change is missed. */
  static start(path: string, onChange: () => void, onError: (error: unknown) => void): ConfigPathWatch {
    if (isDirectory(path)) {
      const watch = new ConfigPathWatch(path, true, onChange, onError);
      watch.add(path, undefined);
      watch.rescan();
      return watch;
    }
    const watch = new ConfigPathWatch(dirname(path), false, onChange, onError);
    watch.add(dirname(path), basename(path));
    return watch;
  }

  /**
   * Watches directories that appeared below the root since the last scan, and drops those gone.
   * Synchronous, like Node's own recursive watch: a config tree holds a few directories, and a
   * directory created now is watched before anything else can happen.
   */
  rescan(): void {
    if (!this.tree || this.closed || this.watchers.get(this.root) === undefined || !isDirectory(this.root)) return;
    const found = new Set<string>([this.root]);
    const pending = [this.root];
    for (let directory = pending.pop(); directory !== undefined; directory = pending.pop()) {
      for (const entry of entriesOf(directory)) {
        if (!entry.isDirectory()) continue;
        const path = join(directory, entry.name);
        found.add(path);
        pending.push(path);
      }
    }
    for (const [directory, watcher] of this.watchers) {
      if (!found.has(directory)) {
        watcher.close();
        this.watchers.delete(directory);
      }
    }
    for (const directory of found) if (!this.watchers.has(directory)) this.add(directory, undefined);
  }

  /** Stops every watch; resolves once the file system watchers are released. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [...this.watchers.values()].map(async (watcher) => {
        const released = this.failed.has(watcher) ? undefined : once(watcher, 'close');
        watcher.close();
        await released;
      }),
    );
    this.watchers.clear();
  }

  private add(directory: string, only: string | undefined): void {
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, (_event, file) => {
        if (only === undefined || file === null || file === only) this.onChange();
      });
    } catch (error) {
      // The root must be watchable (start throws); a directory below that vanished meanwhile is not watched.
      if (directory === this.root) throw error;
      return;
    }
    watcher.on('error', (error) => {
      this.failed.add(watcher);
      if (directory === this.root) {
        this.onError(error);
      } else {
        // A directory below removed: what it held is gone from the next rebuild.
        this.watchers.delete(directory);
        this.onChange();
      }
    });
    this.watchers.set(directory, watcher);
  }
}

function isDirectory(path: string): boolean {
  // Synchronous on purpose: start() must watch before returning, so no change is missed.
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function entriesOf(directory: string): Dirent[] {
  try {
    return readdirSync(directory, { withFileTypes: true });
  } catch {
    return [];
  }
}
