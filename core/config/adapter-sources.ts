import { realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve, sep } from 'node:path';
import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import type { AdapterModule } from '../../adapters/sdk/define-adapter.js';
import { AdapterLoadError, loadAdapterModule } from './adapter-module-loader.js';

/** An adapter module given on the command line (`--adapter`), loaded at start-up. */
export interface CommandLineAdapter {
  /** As given: a path or a package name. */
  readonly specifier: string;
  /** The module file's real path, or the package name. */
  readonly location: string;
  readonly module: AdapterModule;
}

/** File types `import()` runs as JavaScript; anything else in an adapter directory is refused. */
const MODULE_EXTENSIONS: ReadonlySet<string> = new Set(['.js', '.mjs', '.cjs']);

const HOW_TO_ALLOW = 'start mixer server (and mixer validate) with --adapter MODULE, or with --adapter-dir DIR for a directory holding it';

/**
 * Where third-party adapter code may come from: only the command line. `--adapter` modules are
 * loaded at start-up; a file inside an `--adapter-dir` directory (by real path, so a symbolic
 * link cannot lead out) is loaded when a config's AdapterModule first names it. Config never
 * chooses code from anywhere else: whoever can write config cannot make Mixer run code of
 * their own, only adapters the operator installed.
 */
export class AdapterSources {
  /** Modules loaded from adapter directories, by real path: one AdapterInfo per module, kept across reloads. */
  private readonly loadedFromDirectories = new Map<string, Promise<AdapterInfo>>();

  private constructor(
    /** Real paths of the `--adapter-dir` directories. */
    readonly directories: readonly string[],
    readonly commandLine: readonly CommandLineAdapter[],
  ) {}

  /** Adapters given as modules (tests, embedding), with no directory to load more from. */
  static of(modules: readonly AdapterModule[] = []): AdapterSources {
    return new AdapterSources(
      [],
      modules.map((module) => ({ specifier: module.info.name, location: `<module ${module.info.name}>`, module })),
    );
  }

  /**
   * Loads every `--adapter` module and checks every `--adapter-dir` directory, relative to
   * `workingDirectory`; an AdapterLoadError names the flag that is wrong.
   */
  static async fromCommandLine(specifiers: readonly string[], directories: readonly string[], workingDirectory = process.cwd()): Promise<AdapterSources> {
    const realDirectories: string[] = [];
    for (const directory of directories) {
      const path = resolve(workingDirectory, directory);
      try {
        const real = await realpath(path);
        if (!(await stat(real)).isDirectory()) throw new AdapterLoadError(`--adapter-dir ${directory}: not a directory`);
        realDirectories.push(real);
      } catch (error) {
        if (error instanceof AdapterLoadError) throw error;
        throw new AdapterLoadError(`--adapter-dir ${directory}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, error);
      }
    }
    const commandLine: CommandLineAdapter[] = [];
    for (const specifier of specifiers) {
      const module = await loadAdapterModule(specifier, workingDirectory);
      const location = isPath(specifier) ? await realpath(resolve(workingDirectory, specifier)) : specifier;
      commandLine.push({ specifier, location, module });
    }
    return new AdapterSources(realDirectories, commandLine);
  }

  /** The `--adapter` modules, for the DI container. */
  get modules(): readonly AdapterModule[] {
    return this.commandLine.map((adapter) => adapter.module);
  }

  /**
   * The adapter a config's AdapterModule names (`module:`, a path relative to `configFile` or a
   * package name), or why it may not be used. Only an `--adapter` module or a file inside an
   * `--adapter-dir` directory is found; nothing else is imported.
   */
  async adapterFor(specifier: string, configFile: string): Promise<AdapterInfo | { problem: string }> {
    if (!isPath(specifier)) {
      const given = this.commandLine.find((adapter) => adapter.location === specifier);
      if (given !== undefined) return given.module.info;
      return { problem: `package '${specifier}' was not given with --adapter, and config cannot load modules: ${HOW_TO_ALLOW}` };
    }
    const path = resolve(dirname(configFile), specifier);
    const real = await realpath(path).catch(() => undefined);
    const given = this.commandLine.find((adapter) => adapter.location === real);
    if (given !== undefined) return given.module.info;
    const directory = real === undefined ? undefined : this.directories.find((candidate) => real.startsWith(candidate.endsWith(sep) ? candidate : `${candidate}${sep}`));
    if (real === undefined || directory === undefined) {
      // Said the same way whether or not the file exists: config may not probe the file system.
      return { problem: `${path} is not an --adapter module nor inside an --adapter-dir directory (${this.directoryList()}), and config cannot load modules from anywhere else: ${HOW_TO_ALLOW}` };
    }
    const file = await stat(real).catch(() => undefined);
    if (!MODULE_EXTENSIONS.has(extname(real)) || file?.isFile() !== true) {
      return { problem: `${real}: an adapter module is a .js, .mjs or .cjs file` };
    }
    let loading = this.loadedFromDirectories.get(real);
    if (loading === undefined) {
      loading = loadAdapterModule(real).then((module) => module.info);
      this.loadedFromDirectories.set(real, loading);
    }
    try {
      return await loading;
    } catch (error) {
      return { problem: error instanceof AdapterLoadError ? error.message.replace(/^--adapter /, '') : String(error) };
    }
  }

  private directoryList(): string {
    return this.directories.length === 0 ? 'none given' : this.directories.join(', ');
  }
}

function isPath(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier);
}
