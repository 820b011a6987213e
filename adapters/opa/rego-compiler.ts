import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from './data-document.js';
import { OpaError, OpaErrorCode } from './errors.js';
import type { RegoVersion } from './params.js';

/** What to compile: Rego module texts, the entrypoints, and optionally a data document to bundle. */
export interface RegoBuild {
  /** The opa CLI (a path, or a name on PATH). */
  readonly opaCommand: string;
  readonly modules: readonly string[];
  /** Entrypoints in `pkg/rule` form. */
  readonly entrypoints: readonly string[];
  readonly regoVersion: RegoVersion;
  /** Bundled as the bundle's root data.json. */
  readonly data?: JsonObject;
  /** Aborts the compiler (the handler closed, or it took too long). */
  readonly signal?: AbortSignal;
}

/** Files are named as Istio named them, so compiler messages read alike. */
const moduleFile = (index: number) => `opa_policy.${index}.rego`;

/**
 * Compiles Rego modules to a bundle (`.tar.gz` bytes) with `opa build -t wasm`, in a temporary
 * directory removed afterwards. Compiler errors come back as an OpaError (code OPA_ERR_COMPILE)
 * carrying opa's own message, with the temporary paths removed.
 */
export async function compileRego(build: RegoBuild): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'mixer-opa-'));
  try {
    const files = build.modules.map((_module, index) => moduleFile(index));
    await Promise.all(build.modules.map((text, index) => writeFile(join(dir, files[index]!), text)));
    if (build.data !== undefined) {
      await writeFile(join(dir, 'data.json'), JSON.stringify(build.data));
      files.push('data.json');
    }
    const args = ['build', '-t', 'wasm', ...build.entrypoints.flatMap((entrypoint) => ['-e', entrypoint]), '-o', 'bundle.tar.gz'];
    if (build.regoVersion === 'v0') args.push('--v0-compatible');
    await run(build.opaCommand, [...args, ...files], dir, build.signal);
    return await readFile(join(dir, 'bundle.tar.gz'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: readonly string[], cwd: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, signal, maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (error === null) {
        resolve();
        return;
      }
      const code = (error as { code?: unknown }).code;
      let message: string;
      if (code === 'ENOENT') message = `the opa CLI '${command}' was not found (install opa, or set params.opaCommand)`;
      else if (signal?.aborted === true) message = `opa build was stopped: ${reasonText(signal.reason)}`;
      // opa prints its errors on stdout (`error: load error: ...`), older versions on stderr.
      else message = `opa build failed: ${cleanOutput(`${String(stderr)}\n${String(stdout)}`, cwd) || error.message}`;
      reject(new OpaError(OpaErrorCode.Compile, 'params.policy', `params.policy: ${message}`, { cause: error }));
    });
  });
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : 'aborted';
}

/**
 * opa's output on one line: its message lines joined with '; ', without the indented source
 * excerpts and carets, and with the temporary directory left out of file names.
 */
function cleanOutput(output: string, dir: string): string {
  return output
    .split(`${dir}/`)
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s/.test(line))
    .map((line) => line.trim())
    .join('; ');
}
