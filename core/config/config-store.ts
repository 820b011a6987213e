import { AdapterSources } from './adapter-sources.js';
import { loadConfigAdapterModules } from './config-adapter-modules.js';
import type { ConfigError } from './config-error.js';
import { ConfigPathError, loadConfigPath, type LoadedConfig } from './loader.js';
import { SnapshotBuilder, type SnapshotBuilderOptions } from './snapshot-builder.js';
import type { Snapshot } from './snapshot.js';
import { ConfigWatcher, type ConfigWatcherListener, type ConfigWatcherOptions } from './config-watcher.js';

export interface ConfigStoreOptions extends SnapshotBuilderOptions {
  /** Where the adapter modules config names (AdapterModule) may come from; none when omitted. */
  readonly adapterSources?: AdapterSources;
}

/**
 * Config read from a directory of YAML files (or one file): each `load` reads everything and
 * builds a new Snapshot (ids increase across loads); `watch` rebuilds on every change.
 */
export class ConfigStore {
  private readonly builder: SnapshotBuilder;
  private readonly adapterSources: AdapterSources;

  constructor(
    readonly path: string,
    options: ConfigStoreOptions,
  ) {
    this.builder = new SnapshotBuilder(options);
    this.adapterSources = options.adapterSources ?? AdapterSources.of();
  }

  /**
   * Reads the files and builds a snapshot (in slices that let requests in between: see
   * TimeSlicer); throws ConfigPathError when the path itself cannot be read.
   */
  async load(): Promise<Snapshot> {
    return (await this.loadWithFiles()).snapshot;
  }

  /**
   * Like `load`, also returning what was read (files, resources). Whatever the files hold, the
   * answer is a snapshot, with errors when the config is bad: a failure of the build itself
   * (a bug) becomes an error too, so it is rejected like any bad config, never applied.
   */
  async loadWithFiles(): Promise<{ snapshot: Snapshot; loaded: LoadedConfig }> {
    const loaded = await loadConfigPath(this.path);
    const listed = await loadConfigAdapterModules(loaded.resources, this.adapterSources);
    const errors = [...loaded.errors, ...listed.errors];
    let snapshot: Snapshot;
    try {
      snapshot = await this.builder.buildInSlices({ resources: loaded.resources, errors, adapters: listed.adapters });
    } catch (error) {
      snapshot = this.builder.build({ resources: [], errors: [...errors, pathError(this.path, `the config could not be built (an internal error; please report it): ${String(error)}`)] });
    }
    return { snapshot, loaded };
  }

  /**
   * Watches the path and calls `listener.onSnapshot` with a new snapshot after each burst of
   * changes. The caller decides whether to use it (see isSnapshotAcceptable). A path that can no
   * longer be read (removed, no permission) gives a snapshot whose error says so. Close the
   * watcher to stop.
   */
  watch(listener: ConfigWatcherListener, options: ConfigWatcherOptions = {}): ConfigWatcher {
    const rebuild = async (): Promise<Snapshot> => {
      try {
        return await this.load();
      } catch (error) {
        if (!(error instanceof ConfigPathError)) throw error;
        return this.builder.build({ resources: [], errors: [pathError(error.path, error.message)] });
      }
    };
    return ConfigWatcher.start(this.path, rebuild, listener, options);
  }
}

function pathError(path: string, message: string): ConfigError {
  return { file: path, line: 1, kind: '', namespace: '', name: '', field: '', message };
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
