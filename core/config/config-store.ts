import { loadConfigAdapterModules } from './config-adapter-modules.js';
import { loadConfigPath, type LoadedConfig } from './loader.js';
import { SnapshotBuilder, type SnapshotBuilderOptions } from './snapshot-builder.js';
import type { Snapshot } from './snapshot.js';
import { ConfigWatcher, type ConfigWatcherListener, type ConfigWatcherOptions } from './config-watcher.js';

export type ConfigStoreOptions = SnapshotBuilderOptions;

/**
 * Config read from a directory of YAML files (or one file): each `load` reads everything and
 * builds a new Snapshot (ids increase across loads); `watch` rebuilds on every change.
 */
export class ConfigStore {
  private readonly builder: SnapshotBuilder;

  constructor(
    readonly path: string,
    options: ConfigStoreOptions,
  ) {
    this.builder = new SnapshotBuilder(options);
  }

  /**
   * Reads the files and builds a snapshot (in slices that let requests in between: see
   * TimeSlicer); throws ConfigPathError when the path itself cannot be read.
   */
  async load(): Promise<Snapshot> {
    return (await this.loadWithFiles()).snapshot;
  }

  /** Like `load`, also returning what was read (files, resources). */
  async loadWithFiles(): Promise<{ snapshot: Snapshot; loaded: LoadedConfig }> {
    const loaded = await loadConfigPath(this.path);
    const listed = await loadConfigAdapterModules(loaded.resources);
    const snapshot = await this.builder.buildInSlices({ resources: loaded.resources, errors: [...loaded.errors, ...listed.errors], adapters: listed.adapters });
    return { snapshot, loaded };
  }

  /**
   * Watches the path and calls `listener.onSnapshot` with a new snapshot after each burst of
   * changes. The caller decides whether to use it (see isSnapshotAcceptable). Close the watcher
   * to stop.
   */
  watch(listener: ConfigWatcherListener, options: ConfigWatcherOptions = {}): ConfigWatcher {
    return ConfigWatcher.start(this.path, () => this.load(), listener, options);
  }
}

/** Reads `path` and builds one snapshot (errors inside it). */
export function loadSnapshot(path: string, options: ConfigStoreOptions): Promise<Snapshot> {
  return new ConfigStore(path, options).load();
}

/**
 * Whether the runtime should switch to `snapshot`: only a config without any error is used,
 * so a typo never takes half the config away from a running Mixer.
 */
export function isSnapshotAcceptable(snapshot: Snapshot): boolean {
  return snapshot.errors.length === 0;
}
