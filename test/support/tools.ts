import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** The opa version `.ci/run` builds (keep the two in step). */
export const OPA_VERSION = 'v1.22.3';

/**
 * The `opa` CLI: `MIXER_OPA`, else `opa` on PATH, else the cache `.ci/run` builds it into.
 * Undefined when none is found.
 */
export function findOpa(): string | undefined {
  const candidates = [
    process.env['MIXER_OPA'],
    'opa',
    join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'mixer', 'tools', `opa-${OPA_VERSION}`, 'opa'),
  ];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === '') continue;
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // Not this one.
    }
  }
  return undefined;
}

/**
 * A tool a test needs: its path, or, when it is missing, a failure under CI=true (a missing tool
 * never passes as a skip there) and a skip elsewhere (then undefined).
 */
export function requireTool(context: TestContext, name: string, path: string | undefined, install: string): string | undefined {
  if (path !== undefined) return path;
  if (process.env['CI'] === 'true') throw new Error(`${name} is required under CI=true but was not found; ${install}`);
  context.skip(`${name} not found (${install})`);
  return undefined;
}
