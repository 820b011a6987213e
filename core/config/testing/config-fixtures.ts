import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatConfigError } from '../config-error.js';
import type { ConfigError } from '../config-error.js';
import type { ConfigResource } from '../config-resource.js';
import { parseConfigText } from '../loader.js';
import { SnapshotBuilder, type SnapshotBuilderOptions } from '../snapshot-builder.js';
import type { Snapshot } from '../snapshot.js';
import { testAdapters } from './test-adapters.js';

/**
 * Builds a snapshot from in-memory YAML files (name → text), with the test adapters unless
 * others are given, and no ISTIO_LANG override.
 */
export function snapshotOf(files: Readonly<Record<string, string>> | string, options: Partial<SnapshotBuilderOptions> = {}): Snapshot {
  const texts = typeof files === 'string' ? { 'config.yaml': files } : files;
  const resources: ConfigResource[] = [];
  const errors: ConfigError[] = [];
  for (const [file, text] of Object.entries(texts)) {
    const parsed = parseConfigText(text, file);
    resources.push(...parsed.resources);
    errors.push(...parsed.errors);
  }
  return new SnapshotBuilder({ adapters: testAdapters(), environment: {}, ...options }).build({ resources, errors });
}

/** The snapshot's errors as `file:line: kind/namespace/name: field: reason` lines. */
export function errorLines(snapshot: Snapshot): string[] {
  return snapshot.errors.map(formatConfigError);
}

/** A temporary directory holding `files` (relative path → text); removed when `body` settles. */
export async function withConfigDirectory<T>(files: Readonly<Record<string, string>>, body: (directory: string) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(join(tmpdir(), 'mixer-config-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      const target = join(directory, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    return await body(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** YAML text from lines, so tests can count lines. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
