import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { SourcePositions } from '../core/config/source-positions.js';
import { ProxyConfigError, type ProxyConfigProblem } from './proxy-config-error.js';

/** A parsed YAML file plus where each field is written, for messages that name file, line and field. */
export interface YamlSource {
  readonly file: string;
  readonly value: unknown;
  readonly positions: SourcePositions;
}

/** Reads and parses one YAML document; syntax errors and unreadable files throw ProxyConfigError. */
export function readYamlFile(file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ProxyConfigError([{ file, line: 0, field: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  return parseYamlText(file, text);
}

export function parseYamlText(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    throw new ProxyConfigError(document.errors.map((error) => ({ file, line: error.linePos?.[0].line ?? 1, field: '', message: `YAML syntax: ${error.message.split('\n')[0] ?? ''}` })));
  }
  return { file, value: document.toJS() as unknown, positions: SourcePositions.of(document.contents, lineCounter) };
}

type Plain = Readonly<Record<string, unknown>>;

/**
 * Typed reads of an untrusted YAML value. Every problem is collected with its field path and
 * line; `done` throws them all at once. Unknown keys are problems too (a typo must not be ignored).
 */
export class FieldReader {
  readonly problems: ProxyConfigProblem[] = [];

  constructor(private readonly source: YamlSource) {}

  get root(): unknown {
    return this.source.value;
  }

  problem(field: string, message: string): void {
    this.problems.push({ file: this.source.file, line: this.source.positions.lineOf(field), field, message });
  }

  /** An object at `path` (undefined when absent); checks its keys against `known` (any keys when undefined). */
  object(value: unknown, path: string, known: readonly string[] | undefined, required = false): Plain | undefined {
    if (value === undefined || value === null) {
      if (required) this.problem(path, 'is required');
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.problem(path, `expected a mapping, got ${describe(value)}`);
      return undefined;
    }
    const object = value as Plain;
    if (known !== undefined) for (const key of Object.keys(object)) if (!known.includes(key)) this.problem(join(path, key), `unknown field (known: ${known.join(', ')})`);
    return object;
  }

  list(value: unknown, path: string): readonly unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.problem(path, `expected a list, got ${describe(value)}`);
      return [];
    }
    return value;
  }

  string(object: Plain | undefined, key: string, path: string, fallback?: string): string {
    const value = object?.[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) this.problem(join(path, key), 'is required');
      return fallback ?? '';
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.problem(join(path, key), `expected a string, got ${describe(value)}`);
      return fallback ?? '';
    }
    return String(value);
  }

  number(object: Plain | undefined, key: string, path: string, fallback: number, check: (value: number) => boolean, expected: string): number {
    const value = object?.[key];
    if (value === undefined || value === null) return fallback;
    const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof parsed !== 'number' || !check(parsed)) {
      this.problem(join(path, key), `expected ${expected}, got ${describe(value)}`);
      return fallback;
    }
    return parsed;
  }

  boolean(object: Plain | undefined, key: string, path: string, fallback: boolean): boolean {
    const value = object?.[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.problem(join(path, key), `expected true or false, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  /** A map of string to string (labels). */
  labels(object: Plain | undefined, key: string, path: string): ReadonlyMap<string, string> {
    const value = object?.[key];
    const labels = new Map<string, string>();
    if (value === undefined || value === null) return labels;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.problem(join(path, key), `expected a mapping of strings, got ${describe(value)}`);
      return labels;
    }
    for (const [name, text] of Object.entries(value as Plain)) {
      if (typeof text === 'string' || typeof text === 'number' || typeof text === 'boolean') labels.set(name, String(text));
      else this.problem(join(join(path, key), name), `expected a string, got ${describe(text)}`);
    }
    return labels;
  }

  /** Throws every collected problem. */
  done(): void {
    if (this.problems.length > 0) throw new ProxyConfigError(this.problems);
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** `host:port` with a port 0-65535; undefined when malformed. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
}
