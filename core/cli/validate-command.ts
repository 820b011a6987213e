import { isAbsolute, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import { TemplateRegistry } from '../../templates/registry.js';
import { AdapterLoadError } from '../config/adapter-module-loader.js';
import { AdapterSources } from '../config/adapter-sources.js';
import { formatConfigError, type ConfigError } from '../config/config-error.js';
import { ConfigStore } from '../config/config-store.js';
import { KindClassifier, ResourceRole } from '../config/kinds.js';
import { ConfigPathError } from '../config/loader.js';
import { DEFAULT_CONFIG_NAMESPACE } from '../config/snapshot-builder.js';
import type { Snapshot } from '../config/snapshot.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command, type CommandIo } from './command.js';

/** What `mixer validate` needs from the rest of Mixer. */
export interface ValidateCommandDependencies {
  /** The adapters this Mixer has: handlers for any other adapter are reported as unavailable. */
  readonly adapters: () => Promise<readonly AdapterInfo[]>;
  readonly templates?: TemplateRegistry;
  /** The directory file names are shown relative to; `process.cwd()` when omitted. */
  readonly cwd?: () => string;
}

const USAGE = `Usage: mixer validate DIR [--default-namespace NS] [--adapter MODULE]... [--adapter-dir DIR]...

Loads every .yaml/.yml file under DIR (or the single file DIR) as Mixer would, builds the
config snapshot and prints every problem as

  file:line: kind/namespace/name: field: reason

followed by what was loaded (resources per kind) and a summary line.

Options:
  --default-namespace NS  the default config namespace: resources without a namespace go
                          there, and its rules apply to every request (default ${DEFAULT_CONFIG_NAMESPACE})
  --adapter MODULE        a third-party adapter, as mixer server loads it; repeatable
  --adapter-dir DIR       a directory config may load adapter modules from, as for mixer
                          server; repeatable
  -h, --help              show this help

Exit status: 0 the config is valid; 1 it has errors (or DIR cannot be read); 2 bad usage.`;

/** `mixer validate` over the given adapters (tests inject their own). */
export function createValidateCommand(dependencies: ValidateCommandDependencies): Command {
  return {
    name: 'validate',
    summary: 'check a config directory as Mixer would load it, printing every error',
    usage: USAGE,
    run: (args, io) => runValidate(args, io, dependencies),
  };
}

async function runValidate(args: readonly string[], io: CommandIo, dependencies: ValidateCommandDependencies): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      'default-namespace': { type: 'string' },
      adapter: { type: 'string', multiple: true },
      'adapter-dir': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing DIR' : 'expected exactly one DIR');
  const namespace = values['default-namespace'];
  if (namespace !== undefined && namespace.trim() === '') throw new UsageError('--default-namespace must not be empty');

  const cwd = (dependencies.cwd ?? (() => process.cwd()))();
  let sources: AdapterSources;
  try {
    sources = await AdapterSources.fromCommandLine(values.adapter ?? [], values['adapter-dir'] ?? [], cwd);
  } catch (error) {
    if (error instanceof AdapterLoadError) throw new UsageError(error.message);
    throw error;
  }
  const adapters = [...(await dependencies.adapters()), ...sources.modules.map((module) => module.info)];
  const names = new Set<string>();
  for (const adapter of adapters) {
    if (names.has(adapter.name)) throw new UsageError(`adapter '${adapter.name}' is registered twice (a built-in name, or a module given twice with --adapter)`);
    names.add(adapter.name);
  }
  const templates = dependencies.templates ?? new TemplateRegistry();
  const store = new ConfigStore(positionals[0]!, {
    adapters,
    adapterSources: sources,
    templates,
    ...(namespace === undefined ? {} : { defaultNamespace: namespace }),
    environment: io.environment,
  });
  let result: Awaited<ReturnType<ConfigStore['loadWithFiles']>>;
  try {
    result = await store.loadWithFiles();
  } catch (error) {
    if (error instanceof ConfigPathError) {
      io.stderr(`mixer validate: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  const { snapshot, loaded } = result;
  const classifier = new KindClassifier(adapters.map((adapter) => adapter.name), templates.names());

  io.stdout(`${loadedLine(snapshot, loaded.files.length, classifier)}\n`);
  for (const error of snapshot.errors) io.stdout(`${display(error, cwd)}\n`);
  io.stdout(`${summaryLine(snapshot)}\n`);
  return snapshot.errors.length === 0 ? EXIT_OK : EXIT_FAILURE;
}

/** `loaded 14 resources from 3 files: attributemanifest 2, handler 3, ... (not Mixer config, ignored: DestinationRule 2)`. */
function loadedLine(snapshot: Snapshot, files: number, classifier: KindClassifier): string {
  const mixer: string[] = [];
  const ignored: string[] = [];
  let total = 0;
  for (const kind of Object.keys(snapshot.resourceCounts).sort()) {
    const count = snapshot.resourceCounts[kind] ?? 0;
    total += count;
    const isMixer = classifier.roleOf('config.istio.io/v1alpha2', kind) !== ResourceRole.IGNORED;
    (isMixer ? mixer : ignored).push(`${kind} ${count}`);
  }
  const kinds = mixer.length === 0 ? 'no Mixer resources' : mixer.join(', ');
  const others = ignored.length === 0 ? '' : ` (not Mixer config, ignored: ${ignored.join(', ')})`;
  return `loaded ${plural(total, 'resource')} from ${plural(files, 'file')}: ${kinds}${others}`;
}

function summaryLine(snapshot: Snapshot): string {
  const valid = `${plural(snapshot.handlers.size, 'handler')}, ${plural(snapshot.instances.size, 'instance')}, ${plural(snapshot.rules.length, 'rule')} valid`;
  if (snapshot.errors.length === 0) return `config is valid: ${valid}`;
  const files = new Set(snapshot.errors.map((error) => error.file)).size;
  return `${plural(snapshot.errors.length, 'error')} in ${plural(files, 'file')}; ${valid}`;
}

/** The error with its file (and any path in its message) relative to `cwd` when under it. */
function display(error: ConfigError, cwd: string): string {
  const prefix = cwd.endsWith(sep) ? cwd : `${cwd}${sep}`;
  const file = isAbsolute(error.file) && error.file.startsWith(prefix) ? relative(cwd, error.file) : error.file;
  return formatConfigError({ ...error, file, message: error.message.split(prefix).join('') });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The adapters compiled into this Mixer (adapters/inventory.ts). */
export function builtInAdapters(): Promise<readonly AdapterInfo[]> {
  return Promise.resolve(BUILT_IN_ADAPTERS.map((adapter) => adapter.info));
}

export const validateCommand: Command = createValidateCommand({ adapters: builtInAdapters });
