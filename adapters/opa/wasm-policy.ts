import type { JsonObject } from './data-document.js';
import { describeThrown } from './errors.js';
import { compileWasmModule, instantiatePolicy, isWasmTrap, type OpaPolicyInstance, type WasmModule } from './wasm-sdk.js';

/** What one query of the policy gave: the entrypoint's value, or why there is none. */
export type QueryOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/** Compiles a policy.wasm (done once per file version; instances are made from the module). */
export async function compileWasm(bytes: Uint8Array): Promise<WasmModule> {
  try {
    return await compileWasmModule(bytes);
  } catch (error) {
    throw new Error(`not a WebAssembly module: ${describeThrown(error)}`);
  }
}

/**
 * A compiled Rego policy ready to answer queries: one wasm instance of the module with the data
 * document loaded into its memory once (`setData`), and the entrypoint resolved to its id. A
 * query only writes the input and runs the policy. Immutable from the outside: a new policy or
 * new data is a new WasmPolicy, swapped in whole. A wasm trap (an engine fault, not a Rego
 * error) replaces the instance with a fresh one, so a fault cannot poison later queries.
 */
export class WasmPolicy {
  private instance: OpaPolicyInstance;
  private readonly entrypointId: number;

  /** Throws when the module is not an OPA policy, the data cannot be loaded, or the entrypoint is unknown. */
  constructor(
    private readonly module: WasmModule,
    readonly entrypoint: string,
    private readonly data: JsonObject,
  ) {
    this.instance = this.instantiate();
    const entrypoints = this.instance.entrypoints;
    const id = Object.prototype.hasOwnProperty.call(entrypoints, entrypoint) ? entrypoints[entrypoint] : undefined;
    if (typeof id !== 'number') {
      const known = Object.keys(entrypoints).sort();
      throw new Error(`the policy has no entrypoint '${entrypoint}' (it was built with: ${known.length === 0 ? 'none' : known.join(', ')})`);
    }
    this.entrypointId = id;
  }

  /** The entrypoints the module was built with (`opa build -e`). */
  get entrypoints(): string[] {
    return Object.keys(this.instance.entrypoints).sort();
  }

  /**
   * Evaluates the entrypoint for `input` (a JSON-able value, or an ArrayBuffer holding the input
   * already serialised as JSON). A Rego runtime error, an undefined result or several results
   * are not ok.
   */
  query(input: unknown): QueryOutcome {
    let resultSet: unknown;
    try {
      resultSet = this.instance.evaluate(input, this.entrypointId);
    } catch (error) {
      if (isWasmTrap(error)) this.instance = this.instantiate();
      return { ok: false, message: `evaluation failed: ${describeThrown(error)}` };
    }
    if (!Array.isArray(resultSet) || resultSet.length === 0) return { ok: false, message: `${this.entrypoint} is undefined` };
    if (resultSet.length > 1) return { ok: false, message: `${this.entrypoint} has ${resultSet.length} results` };
    const first: unknown = resultSet[0];
    if (typeof first !== 'object' || first === null || !('result' in first)) return { ok: false, message: `${this.entrypoint} is undefined` };
    return { ok: true, value: first.result };
  }

  private instantiate(): OpaPolicyInstance {
    let instance: OpaPolicyInstance;
    try {
      instance = instantiatePolicy(this.module);
    } catch (error) {
      throw new Error(`not an OPA policy module: ${describeThrown(error)}`);
    }
    try {
      instance.setData(this.data);
    } catch (error) {
      throw new Error(`the data document could not be loaded into the policy: ${describeThrown(error)}`);
    }
    return instance;
  }
}

