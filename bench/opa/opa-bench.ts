import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { opa } from '../../adapters/opa/index.js';
import { authorizationInput } from '../../adapters/opa/input-document.js';
import {
  ADMIN, buildBundle, FRONTEND, ORDERS, RBAC_ENTRYPOINT, rbacDecision, rbacPolicy, STRANGER, wasmOf,
} from '../../adapters/opa/testing/rego-fixtures.js';
import { compileWasm, WasmPolicy } from '../../adapters/opa/wasm-policy.js';
import { ManualEnvironment } from '../../adapters/sdk/testing/manual-environment.js';
import { buildForTest } from '../../adapters/sdk/testing/harness.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import type { AuthorizationInstance } from '../../templates/definitions.js';
import type { CheckResult } from '../../templates/handler-contract.js';
import { findOpa } from '../../test/support/tools.js';
import { consume, measureRate, printBench, type BenchOptions } from '../harness.js';

/** A mix of requests, allowed and denied, cycled through by every measurement. */
function requests(): AuthorizationInstance[] {
  const out: AuthorizationInstance[] = [];
  for (const user of [ADMIN, FRONTEND, ORDERS, STRANGER]) {
    for (const method of ['GET', 'POST', 'DELETE']) {
      for (const path of ['/products/42', '/orders/17', '/admin']) {
        out.push({
          name: 'requestcontext.instance.istio-system',
          subject: { user, groups: undefined, properties: { app: 'frontend', version: 'v1' } },
          action: { namespace: 'shop', service: 'products.shop.svc.cluster.local', method, path, properties: {} },
        });
      }
    }
  }
  return out;
}

interface Latency {
  readonly medianUs: number;
  readonly p99Us: number;
}

/** Times each call on its own (hrtime costs well under a microsecond next to a decision). */
function latency(iteration: (index: number) => unknown, calls: number): Latency {
  const samples = new Float64Array(calls);
  for (let index = 0; index < Math.min(calls, 2000); index++) consume(iteration(index)); // warm-up
  for (let index = 0; index < calls; index++) {
    const started = process.hrtime.bigint();
    consume(iteration(index));
    samples[index] = Number(process.hrtime.bigint() - started) / 1000;
  }
  samples.sort();
  return { medianUs: samples[Math.floor(calls / 2)]!, p99Us: samples[Math.floor(calls * 0.99)]! };
}

/**
 * Calls per second of CPU time the process got (user + system): unlike the wall-clock rate, it
 * holds on a machine whose other processes take the CPU away.
 */
function cpuRate(iteration: (index: number) => unknown, calls: number): number {
  const before = process.cpuUsage();
  for (let index = 0; index < calls; index++) consume(iteration(index));
  const used = process.cpuUsage(before);
  return calls / ((used.user + used.system) / 1e6);
}

/**
 * OPA decisions in process for the RBAC policy (principal and path), compiled by the real
 * `opa build -t wasm`: through the adapter's handler (input shaping, evaluation, answer), and
 * the raw wasm evaluation with the input as an object (the SDK serialises it), as JSON bytes
 * serialised beforehand (what a caller already holding JSON saves), and as JSON bytes
 * serialised by the caller on each call (whether doing the SDK's work ourselves pays). The
 * ceiling is the same decision by a hand-written JS function, in the same run. Every decision
 * is checked against the JS function before anything is timed. Each figure comes as a
 * wall-clock rate, a rate per CPU-second (steadier on a shared machine; the ratios use it) and
 * the median and p99 of single calls.
 */
export async function runOpaBench(options: BenchOptions): Promise<void> {
  const opaCli = findOpa();
  if (opaCli === undefined) throw new Error('the opa bench needs the opa CLI (run .ci/run, or set MIXER_OPA)');
  const dir = await mkdtemp(join(tmpdir(), 'mixer-opa-bench-'));
  const env = new ManualEnvironment({ logger: pino({ level: 'silent' }), metrics: new Registry() });
  try {
    const wasm = await wasmOf(await buildBundle(opaCli, { 'rbac.rego': rbacPolicy() }, [RBAC_ENTRYPOINT]));
    const wasmPath = join(dir, 'rbac.wasm');
    await writeFile(wasmPath, wasm);
    const { handler } = await buildForTest(opa.info, env, { params: { wasm: wasmPath, entrypoint: RBAC_ENTRYPOINT, validDuration: '10s', validUseCount: 100 } });
    const policy = new WasmPolicy(await compileWasm(wasm), RBAC_ENTRYPOINT, {});

    const instances = requests();
    const objects = instances.map((instance) => authorizationInput(instance));
    const encoder = new TextEncoder();
    const jsonBuffers = objects.map((input) => {
      const bytes = encoder.encode(JSON.stringify(input));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    });
    const context = { deduplicationId: '' };
    const count = instances.length;

    const viaHandler = (index: number) => (handler.handleAuthorization(instances[index % count]!, context) as CheckResult).status.code === RpcCode.OK;
    const viaObject = (index: number) => {
      const outcome = policy.query(objects[index % count]);
      return outcome.ok && outcome.value === true;
    };
    const viaJson = (index: number) => {
      const outcome = policy.query(jsonBuffers[index % count]);
      return outcome.ok && outcome.value === true;
    };
    const viaStringified = (index: number) => {
      const bytes = encoder.encode(JSON.stringify(objects[index % count]));
      const outcome = policy.query(bytes.buffer);
      return outcome.ok && outcome.value === true;
    };
    const viaJs = (index: number) => {
      const instance = instances[index % count]!;
      return rbacDecision(instance.subject.user, instance.action.method, instance.action.path);
    };

    let allowed = 0;
    for (let index = 0; index < count; index++) {
      const expected = viaJs(index);
      if (expected) allowed++;
      for (const [name, decide] of [['handler', viaHandler], ['object input', viaObject], ['JSON input', viaJson], ['JSON input serialised here', viaStringified]] as const) {
        if (decide(index) !== expected) throw new Error(`opa bench: the wasm decision (${name}) disagrees with the JS function for request ${index}`);
      }
    }
    if (allowed === 0 || allowed === count) throw new Error('opa bench: the request mix must hold both allowed and denied requests');
    process.stderr.write(`# opa: ${count} requests (${allowed} allowed), decisions agree with the JS function\n`);

    const calls = options.quick ? 20_000 : 200_000;
    const measured = [
      { name: 'opa_wasm_decision', iteration: viaHandler },
      { name: 'opa_wasm_evaluate_object_input', iteration: viaObject },
      { name: 'opa_wasm_evaluate_json_input', iteration: viaJson },
      { name: 'opa_wasm_evaluate_stringified_input', iteration: viaStringified },
      { name: 'opa_js_ceiling_decision', iteration: viaJs },
    ];
    // Ratios use the CPU-time rates, which a loaded machine disturbs least.
    const rates = new Map<string, number>();
    for (const { name, iteration } of measured) {
      printBench(`${name}_per_sec`, measureRate(name, iteration, options).perSecond, 'ops/s');
      const perCpuSecond = cpuRate(iteration, calls);
      rates.set(name, perCpuSecond);
      printBench(`${name}_per_cpu_sec`, perCpuSecond, 'ops/s');
      const timing = latency(iteration, calls);
      printBench(`${name}_median`, timing.medianUs, 'us');
      printBench(`${name}_p99`, timing.p99Us, 'us');
    }
    printBench('opa_wasm_decision_vs_js_ceiling', rates.get('opa_wasm_decision')! / rates.get('opa_js_ceiling_decision')!, 'ratio');
    printBench('opa_wasm_json_vs_object_input', rates.get('opa_wasm_evaluate_json_input')! / rates.get('opa_wasm_evaluate_object_input')!, 'ratio');
    printBench('opa_wasm_stringified_vs_object_input', rates.get('opa_wasm_evaluate_stringified_input')! / rates.get('opa_wasm_evaluate_object_input')!, 'ratio');
  } finally {
    env.close();
    await rm(dir, { recursive: true, force: true });
  }
}
