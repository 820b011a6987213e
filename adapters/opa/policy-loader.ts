import { basename } from 'node:path';
import { readBundle } from './bundle.js';
import { isJsonObject, mergeData, type JsonObject } from './data-document.js';
import { describeThrown, loadError, OpaError } from './errors.js';
import type { RegoVersion } from './params.js';
import { compileRego } from './rego-compiler.js';
import { WatchedFile } from './watched-file.js';
import { compileWasm, WasmPolicy } from './wasm-policy.js';
import type { WasmModule } from './wasm-sdk.js';

/** Where the compiled policy comes from. */
export type PolicySource =
  | { readonly kind: 'bundle' | 'wasm'; readonly path: string }
  | { readonly kind: 'rego'; readonly modules: readonly string[]; readonly opaCommand: string; readonly regoVersion: RegoVersion };

/** Everything a policy is made of. */
export interface PolicySpec {
  readonly source: PolicySource;
  /** In `pkg/rule` form. */
  readonly entrypoint: string;
  /** Inline data (params.data), merged over the bundle's data. */
  readonly inlineData: JsonObject;
  /** A JSON data file merged over the inline data; empty for none. */
  readonly dataFile: string;
  /** Aborts a running compiler when the handler closes. */
  readonly signal?: AbortSignal;
}

/** A policy made from the current files, and the sources that were (re)read to make it. */
export interface LoadedPolicy {
  readonly policy: WasmPolicy;
  readonly reread: readonly string[];
}

interface CompiledModule {
  readonly module: WasmModule;
  readonly data: JsonObject;
}

type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: OpaError };

/** The name a policy source is known by in messages: the file's name, or `params.policy`. */
export function policyName(source: PolicySource): string {
  return source.kind === 'rego' ? 'params.policy' : basename(source.path);
}

/**
 * Loads a policy from its spec, and again whenever its files change. The module is compiled
 * only when the policy file changed, the data file parsed only when it changed; each change
 * makes a fresh WasmPolicy (new instance, data loaded once). Inline Rego is compiled once.
 */
export class PolicyLoader {
  private readonly policyFile: WatchedFile | undefined;
  private readonly dataFile: WatchedFile | undefined;
  private module: Loaded<CompiledModule> | undefined;
  private fileData: Loaded<JsonObject> = { ok: true, value: {} };

  constructor(private readonly spec: PolicySpec) {
    this.policyFile = spec.source.kind === 'rego' ? undefined : new WatchedFile(spec.source.path);
    this.dataFile = spec.dataFile === '' ? undefined : new WatchedFile(spec.dataFile);
  }

  /** Whether any file is watched (a policy from inline Rego and inline data never changes). */
  get watchesFiles(): boolean {
    return this.policyFile !== undefined || this.dataFile !== undefined;
  }

  /**
   * Looks at the sources: undefined when nothing changed since the last call, else the policy
   * made from them. Throws an OpaError naming the file and the reason when what is there does
   * not make a policy (a missing, unreadable or corrupt file, a bad entrypoint, bad data).
   */
  async refresh(): Promise<LoadedPolicy | undefined> {
    const reread: string[] = [];
    const source = this.spec.source;
    if (this.policyFile === undefined) {
      if (this.module === undefined) {
        this.module = await settle(() => this.compileRego());
        reread.push('params.policy');
      }
    } else {
      const change = await this.policyFile.look();
      if (change.changed) {
        reread.push(this.policyFile.path);
        this.module = 'error' in change ? { ok: false, error: change.error } : await settle(() => compileFile(source, change.bytes));
      }
    }
    if (this.dataFile !== undefined) {
      const change = await this.dataFile.look();
      if (change.changed) {
        reread.push(this.dataFile.path);
        this.fileData = 'error' in change ? { ok: false, error: change.error } : settleNow(() => parseDataFile(this.dataFile!.path, change.bytes));
      }
    }
    if (reread.length === 0 || this.module === undefined) return undefined;
    if (!this.module.ok) throw this.module.error;
    if (!this.fileData.ok) throw this.fileData.error;
    const data = mergeData(this.module.value.data, this.spec.inlineData, this.fileData.value);
    try {
      return { policy: new WasmPolicy(this.module.value.module, this.spec.entrypoint, data), reread };
    } catch (error) {
      throw loadError(source.kind === 'rego' ? 'params.policy' : source.path, describeThrown(error), error);
    }
  }

  private async compileRego(): Promise<CompiledModule> {
    const source = this.spec.source;
    if (source.kind !== 'rego') throw new TypeError('not a Rego source');
    const bundle = await compileRego({
      opaCommand: source.opaCommand,
      modules: source.modules,
      entrypoints: [this.spec.entrypoint],
      regoVersion: source.regoVersion,
      ...(this.spec.signal === undefined ? {} : { signal: this.spec.signal }),
    });
    return fromBundle('params.policy', bundle);
  }
}

async function settle<T>(load: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await load() };
  } catch (error) {
    return { ok: false, error: error instanceof OpaError ? error : loadError('policy', describeThrown(error), error) };
  }
}

function settleNow<T>(load: () => T): Loaded<T> {
  try {
    return { ok: true, value: load() };
  } catch (error) {
    return { ok: false, error: error instanceof OpaError ? error : loadError('policy', describeThrown(error), error) };
  }
}

async function compileFile(source: PolicySource, bytes: Buffer): Promise<CompiledModule> {
  if (source.kind === 'rego') throw new TypeError('not a file source');
  if (source.kind === 'bundle') return fromBundle(source.path, bytes);
  try {
    return { module: await compileWasm(bytes), data: {} };
  } catch (error) {
    throw loadError(source.path, describeThrown(error), error);
  }
}

async function fromBundle(name: string, bytes: Uint8Array): Promise<CompiledModule> {
  try {
    const bundle = await readBundle(bytes);
    return { module: await compileWasm(bundle.wasm), data: bundle.data };
  } catch (error) {
    throw loadError(name, describeThrown(error), error);
  }
}

function parseDataFile(path: string, bytes: Buffer): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw loadError(path, `not valid JSON: ${describeThrown(error)}`, error);
  }
  if (!isJsonObject(value)) throw loadError(path, 'the data document must be a JSON object');
  return value;
}
