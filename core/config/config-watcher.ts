import { setImmediate as nextTurn } from 'node:timers/promises';
import { resolve } from 'node:path';
import { ConfigPathWatch } from './config-path-watch.js';
import type { Snapshot } from './snapshot.js';

export interface ConfigWatcherListener {
  /** A snapshot rebuilt after a change (it may carry errors: the caller decides whether to use it). */
  onSnapshot(snapshot: Snapshot): void;
  /** The rebuild failed outright (the config path vanished) or the watch itself failed. */
  onError?(error: unknown): void;
}

export interface ConfigWatcherOptions {
  /** Quiet time after the last change before rebuilding, so a burst of writes rebuilds once. Default 150 ms. */
  readonly debounceMs?: number;
}

export const DEFAULT_DEBOUNCE_MS = 150;

/**
 * Watches a config directory recursively (or one file, through its directory) and rebuilds
 * after each burst of changes: writes, creations, deletions and renames. Rebuilds never
 * overlap: a change during a rebuild schedules one more. `close()` stops the watch, cancels a
 * pending rebuild and waits for a running one; nothing is emitted afterwards.
 */
export class ConfigWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private closed = false;

  private readonly watch: ConfigPathWatch;

  private constructor(
    target: string,
    private readonly rebuild: () => Promise<Snapshot>,
    private readonly listener: ConfigWatcherListener,
    private readonly debounceMs: number,
  ) {
    this.watch = ConfigPathWatch.start(
      target,
      () => this.changed(),
      (error) => this.fail(error),
    );
  }

  /** Starts watching `path` (throws when it cannot be watched); `rebuild` makes each new snapshot. */
  static start(path: string, rebuild: () => Promise<Snapshot>, listener: ConfigWatcherListener, options: ConfigWatcherOptions = {}): ConfigWatcher {
    return new ConfigWatcher(resolve(path), rebuild, listener, options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  /**
   * Stops watching; resolves once the file system watchers are released and a rebuild in
   * progress has finished.
   */
  async close(): Promise<void> {
    if (this.closed) return this.running;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.watch.close();
    await this.running;
    // libuv frees closed handles in the "close callbacks" phase at the end of a loop iteration,
    // which may come after this iteration's check phase: two turns guarantee it has run.
    await nextTurn();
    await nextTurn();
  }

  private changed(): void {
    if (this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.trigger();
    }, this.debounceMs);
  }

  private trigger(): void {
    if (this.closed) return;
    if (this.running !== undefined) {
      this.rerun = true;
      return;
    }
    this.running = this.runOnce().finally(() => {
      this.running = undefined;
      if (this.rerun && !this.closed) {
        this.rerun = false;
        this.trigger();
      }
    });
  }

  private async runOnce(): Promise<void> {
    try {
      this.watch.rescan();
      const snapshot = await this.rebuild();
      if (!this.closed) this.listener.onSnapshot(snapshot);
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (!this.closed && this.listener.onError !== undefined) this.listener.onError(error);
  }
}
