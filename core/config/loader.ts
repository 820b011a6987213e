import type { Dirent } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { Composer, LineCounter, Parser, type Document, type YAMLError } from 'yaml';
import { MixerError } from '../errors/mixer-error.js';
import type { ConfigError } from './config-error.js';
import type { ConfigResource } from './config-resource.js';
import { SourcePositions } from './source-positions.js';
import { runAtOnce, TimeSlicer, type Steps, type TimeSlicerOptions } from './time-slicer.js';
import { nestingSteps } from './yaml-nesting.js';
import { AliasBudget, DEFAULT_YAML_LIMITS, yamlValue } from './yaml-value.js';

/** What a config directory holds: its YAML files, the resources in them, and what could not be read. */
export interface LoadedConfig {
  /** Every file read, absolute, in load order. */
  readonly files: readonly string[];
  readonly resources: readonly ConfigResource[];
  /** YAML syntax errors, unreadable files, documents that are not resources. */
  readonly errors: readonly ConfigError[];
}

/** The config path itself cannot be read (missing, not a directory or YAML file, no permission). */
export class ConfigPathError extends MixerError {
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('MIXER_ERR_CONFIG_PATH', `cannot read config at ${path}: ${reason}`, options);
  }
}

const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);

/**
 * The largest config file read (8 MiB; a Kubernetes ConfigMap holds at most 1 MiB). Parsing
 * takes about 25 bytes of memory per byte of YAML, so an unbounded file could exhaust memory.
 */
export const MAX_CONFIG_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Reads every `.yaml`/`.yml` file under `path` (recursively, in name order, following
 * symbolic links, skipping entries whose name starts with '.' such as a ConfigMap's `..data`),
 * or the single file `path`. A file that does not parse is reported and the others still load.
 * Parsing runs in slices that yield to the event loop between documents (`slicing`: see
 * TimeSlicer), so a large config does not hold up the requests served meanwhile.
 */
export async function loadConfigPath(path: string, slicing: TimeSlicerOptions = {}): Promise<LoadedConfig> {
  const root = resolve(path);
  let files: string[];
  try {
    const info = await stat(root);
    files = info.isDirectory() ? await yamlFilesUnder(root, new Set()) : [root];
  } catch (error) {
    throw new ConfigPathError(root, (error as NodeJS.ErrnoException).code ?? String(error), { cause: error });
  }
  const resources: ConfigResource[] = [];
  const errors: ConfigError[] = [];
  const slicer = new TimeSlicer(slicing);
  for (const file of files) {
    const text = await readConfigFile(file);
    if (typeof text !== 'string') {
      errors.push(text);
      continue;
    }
    const parsed = await slicer.run(parseConfigSteps(text, file));
    resources.push(...parsed.resources);
    errors.push(...parsed.errors);
  }
  return { files, resources, errors };
}

/** The file's text, or why it cannot be had: unreadable, or larger than MAX_CONFIG_FILE_BYTES. */
async function readConfigFile(file: string): Promise<string | ConfigError> {
  try {
    const handle = await open(file, 'r');
    try {
      // Read one byte past the limit rather than trusting stat: the file may grow meanwhile.
      const buffer = Buffer.allocUnsafe(Math.min((await handle.stat()).size, MAX_CONFIG_FILE_BYTES) + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length === buffer.length) {
          if (length > MAX_CONFIG_FILE_BYTES) return fileError(file, 1, `file is larger than ${MAX_CONFIG_FILE_BYTES} bytes (8 MiB): split the config into several files`);
          break;
        }
      }
      return buffer.toString('utf8', 0, length);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return fileError(file, 1, `cannot read file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function yamlFilesUnder(directory: string, visited: Set<string>): Promise<string[]> {
  const real = await realpath(directory);
  if (visited.has(real)) return [];
  visited.add(real);
  const entries: Dirent[] = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDirectory) files.push(...(await yamlFilesUnder(path, visited)));
    else if (isFile && YAML_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files;
}

/** What one file's text holds. */
export interface ParsedConfigText {
  readonly resources: ConfigResource[];
  readonly errors: ConfigError[];
}

/**
 * Parses one file's text: `---`-separated documents, empty ones skipped. A document with a
 * syntax error, or whose aliases, merge keys, nesting or types cannot become JSON data (see
 * yamlValue), is reported (with its line) and skipped; the file's other documents still load.
 */
export function parseConfigText(text: string, file: string): ParsedConfigText {
  return runAtOnce(parseConfigSteps(text, file));
}

/**
 * parseConfigText as work that yields after each document (and during the nesting scan): the
 * library's parser and composer are lazy, so a document is lexed, composed and converted only
 * when the walk reaches it.
 */
export function* parseConfigSteps(text: string, file: string): Steps<ParsedConfigText> {
  const resources: ConfigResource[] = [];
  const errors: ConfigError[] = [];
  // Not parsed at all when too deep: parsing it could exhaust memory (see excessiveNesting).
  const deep = yield* nestingSteps(text, DEFAULT_YAML_LIMITS.maxDepth);
  if (deep !== undefined) return { resources, errors: [fileError(file, deep.line, `YAML error: nested more than ${DEFAULT_YAML_LIMITS.maxDepth} levels deep; the file is not read`)] };
  const lineCounter = new LineCounter();
  const aliases = new AliasBudget(DEFAULT_YAML_LIMITS.maxAliasedNodes);
  // `merge`: Kubernetes' YAML reader (go-yaml) understands `<<: *anchor` merge keys; so do we.
  // `logLevel`: the library would otherwise print its warnings through process.emitWarning.
  const composer = new Composer({ merge: true, logLevel: 'error' });
  const documents = composer.compose(new Parser(lineCounter.addNewLine).parse(text));
  for (;;) {
    let next: IteratorResult<Document.Parsed>;
    try {
      next = documents.next();
    } catch (error) {
      // The parser records problems in each document; this is a backstop for one it did not foresee.
      return { resources, errors: [...errors, fileError(file, 1, `YAML cannot be read: ${(error as Error).message}`)] };
    }
    if (next.done === true) break;
    addDocument(next.value, file, lineCounter, aliases, resources, errors);
    yield;
  }
  return { resources, errors };
}

function addDocument(document: Document.Parsed, file: string, lineCounter: LineCounter, aliases: AliasBudget, resources: ConfigResource[], errors: ConfigError[]): void {
  if (document.errors.length > 0) {
    for (const error of document.errors) errors.push(fileError(file, lineOf(error, lineCounter), syntaxMessage(error, lineCounter)));
    return;
  }
  const converted = yamlValue(document.contents, lineCounter, aliases);
  if ('problem' in converted) {
    errors.push(fileError(file, converted.problem.line, `YAML error: ${converted.problem.message}`));
    return;
  }
  const value = converted.value;
  if (value === null || value === undefined) return;
  // Only now: the walk is recursive, and yamlValue has bounded the depth.
  const positions = SourcePositions.of(document.contents, lineCounter);
  if (!isRecord(value)) {
    errors.push(fileError(file, positions.line, 'not a resource: expected a map with apiVersion, kind, metadata and spec'));
    return;
  }
  const resource = toResource(value, file, positions);
  if (typeof resource === 'string') errors.push(fileError(file, positions.line, resource));
  else resources.push(resource);
}

function toResource(value: Record<string, unknown>, file: string, positions: SourcePositions): ConfigResource | string {
  const kind = value['kind'];
  if (typeof kind !== 'string' || kind === '') return 'not a resource: kind is missing';
  const problems: { field: string; message: string }[] = [];
  const apiVersion = value['apiVersion'];
  if (apiVersion !== undefined && typeof apiVersion !== 'string') problems.push({ field: 'apiVersion', message: 'must be a string' });
  let metadata = value['metadata'];
  if (metadata === undefined || metadata === null) metadata = {};
  if (!isRecord(metadata)) {
    problems.push({ field: 'metadata', message: 'must be a map' });
    metadata = {};
  }
  const meta = metadata as Record<string, unknown>;
  return Object.freeze({
    file,
    line: positions.line,
    apiVersion: typeof apiVersion === 'string' ? apiVersion : '',
    kind,
    name: stringField(meta, 'name', problems),
    namespace: stringField(meta, 'namespace', problems),
    annotations: stringMap(meta, 'annotations', problems),
    labels: stringMap(meta, 'labels', problems),
    spec: value['spec'] ?? undefined,
    envelopeProblems: Object.freeze(problems),
    positions,
  });
}

function stringField(metadata: Record<string, unknown>, key: string, problems: { field: string; message: string }[]): string {
  const value = metadata[key];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  problems.push({ field: `metadata.${key}`, message: `must be a string, got ${JSON.stringify(value)}` });
  return '';
}

function stringMap(metadata: Record<string, unknown>, key: string, problems: { field: string; message: string }[]): Readonly<Record<string, string>> {
  const value = metadata[key];
  if (value === undefined || value === null) return Object.freeze({});
  if (!isRecord(value)) {
    problems.push({ field: `metadata.${key}`, message: 'must be a map of string to string' });
    return Object.freeze({});
  }
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry === 'string') out[name] = entry;
    else problems.push({ field: `metadata.${key}.${name}`, message: `must be a string, got ${JSON.stringify(entry)}` });
  }
  return Object.freeze(out);
}

/** `Missing closing "quote at line 15, column 1:\n\n<frame>` → `YAML syntax error: Missing closing "quote (column 1)`. */
function lineOf(error: YAMLError, lineCounter: LineCounter): number {
  return error.pos[0] < 0 ? 1 : lineCounter.linePos(error.pos[0]).line;
}

function syntaxMessage(error: YAMLError, lineCounter: LineCounter): string {
  const text = error.message.split('\n', 1)[0] ?? error.message;
  const column = error.pos[0] < 0 ? undefined : lineCounter.linePos(error.pos[0]).col;
  return `YAML syntax error: ${text}${column === undefined ? '' : ` (column ${column})`}`;
}

function fileError(file: string, line: number, message: string): ConfigError {
  return { file, line, kind: '', namespace: '', name: '', field: '', message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
