import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** The repository root: the nearest directory above this file holding package.json. */
export function repositoryRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('package.json not found above the test files');
    directory = parent;
  }
  return directory;
}

/** `../shared/conformance` beside the checkout, where CI always has it. */
export function conformanceDirectory(): string {
  return resolve(repositoryRoot(), '..', 'shared', 'conformance');
}

/**
 * Reads a conformance data file. When it is missing, the test fails under CI=true (a missing
 * file must never pass as a skip there) and is skipped elsewhere; returns undefined then.
 */
export function readConformanceJson<T>(context: TestContext, file: string): T | undefined {
  const path = join(conformanceDirectory(), file);
  if (!existsSync(path)) {
    if (process.env['CI'] === 'true') throw new Error(`conformance data missing under CI: ${path}`);
    context.skip(`conformance data not found at ${path}`);
    return undefined;
  }
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
