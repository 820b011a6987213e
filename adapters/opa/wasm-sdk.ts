import { createRequire } from 'node:module';

/**
 * The two outside APIs the opa adapter runs policies on, typed here and only here: the
 * WebAssembly global (our tsconfig has no DOM lib, so TypeScript knows no `WebAssembly`) and
 * @open-policy-agent/opa-wasm (whose own typings name WebAssembly types). Only what the
 * adapter uses is declared.
 */

/** A compiled WebAssembly module (opaque: it is only handed back to `instantiatePolicy`). */
export interface WasmModule {
  readonly [WASM_MODULE]: true;
}
declare const WASM_MODULE: unique symbol;

/** One running instance of an OPA policy module (opa-wasm's LoadedPolicy). */
export interface OpaPolicyInstance {
  /** Entrypoint names (`mixerauthz/allow`) to their ids. */
  readonly entrypoints: Readonly<Record<string, number>>;
  /**
   * The result set of `entrypoint` for `input`: a JSON-able value, or an ArrayBuffer holding the
   * input already serialised as JSON text.
   */
  evaluate(input: unknown, entrypoint: number): unknown;
  /** Loads the data document (a JSON-able object, or its JSON text in an ArrayBuffer). */
  setData(data: object | ArrayBuffer): void;
}

interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  readonly RuntimeError: abstract new (...args: never[]) => Error;
}

interface OpaWasmSdk {
  loadPolicySync(module: WasmModule): OpaPolicyInstance;
}

const webAssembly = (globalThis as unknown as { readonly WebAssembly: WebAssemblyApi }).WebAssembly;

// The SDK's ESM entry exports only the async `loadPolicy`; its CommonJS entry also has
// `loadPolicySync`, which instantiates an already compiled module without a promise.
const sdk = createRequire(import.meta.url)('@open-policy-agent/opa-wasm') as OpaWasmSdk;

/** Compiles WebAssembly bytes; rejects (with the engine's error) when they are not a valid module. */
export function compileWasmModule(bytes: Uint8Array): Promise<WasmModule> {
  return webAssembly.compile(bytes);
}

/** A new instance of an OPA policy module; throws (possibly a string, as the SDK does) when it is not one. */
export function instantiatePolicy(module: WasmModule): OpaPolicyInstance {
  return sdk.loadPolicySync(module);
}

/** Whether `thrown` is a wasm trap (the engine faulted), after which an instance may be unusable. */
export function isWasmTrap(thrown: unknown): boolean {
  return thrown instanceof webAssembly.RuntimeError;
}
