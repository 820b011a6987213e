import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';

import { ManualEnvironment } from '../sdk/testing/manual-environment.js';
import { loadError } from './errors.js';
import type { LoadedPolicy } from './policy-loader.js';
import { opaMetrics } from './policy-metrics.js';
import { PolicyState, type PolicyReloader } from './policy-state.js';
import type { WasmPolicy } from './wasm-policy.js';

/** A reloader answering from a script: each refresh takes the next step (a policy name, 'same', or an error). */
class ScriptedReloader implements PolicyReloader {
  readonly watchesFiles = true;
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly steps: (string | Error)[]) {}

  async refresh(): Promise<LoadedPolicy | undefined> {
    this.calls++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    const step = this.steps.shift() ?? 'same';
    if (step instanceof Error) throw step;
    if (step === 'same') return undefined;
    return { policy: { entrypoint: step } as unknown as WasmPolicy, reread: [step] };
  }
}

function setup(steps: (string | Error)[]) {
  const records: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  const metrics = new Registry();
  const env = new ManualEnvironment({ logger, metrics });
  const reloader = new ScriptedReloader(steps);
  const state = new PolicyState(reloader, env, opaMetrics(metrics), 100);
  return { env, reloader, state, records, metrics };
}

describe('PolicyState', () => {
  it('loads at start, reloads on each poll that finds a change, and keeps the previous policy when a reload fails', async () => {
    const { env, state, records, metrics } = setup(['v1', 'same', loadError('/p.wasm', 'not a WebAssembly module'), 'v2']);
    await state.start();
    assert.equal(state.current?.entrypoint, 'v1');
    await env.advance(100);
    assert.equal(state.current?.entrypoint, 'v1');
    await env.advance(100);
    assert.equal(state.current?.entrypoint, 'v1', 'the failed reload leaves v1 serving');
    assert.match(state.loadError?.message ?? '', /\/p\.wasm: not a WebAssembly module/);
    assert.ok(records.some((record) => record['msg'] === 'opa policy reload failed; the previous policy keeps serving'));
    await env.advance(100);
    assert.equal(state.current?.entrypoint, 'v2');
    assert.equal(state.loadError, undefined);
    const text = await metrics.metrics();
    assert.match(text, /mixer_adapter_opa_policy_loads_total\{outcome="success"\} 2/);
    assert.match(text, /mixer_adapter_opa_policy_loads_total\{outcome="failure"\} 1/);
  });

  it('without any policy, says why (the load error) until one loads', async () => {
    const { env, state } = setup([loadError('/p.wasm', 'cannot read: ENOENT'), 'v1']);
    assert.equal(state.unavailableReason, 'the policy has not been loaded yet');
    const serving = () => state.current?.entrypoint;
    await state.start();
    assert.equal(serving(), undefined);
    assert.equal(state.unavailableReason, 'no policy loaded: /p.wasm: cannot read: ENOENT');
    await env.advance(100);
    assert.equal(serving(), 'v1');
  });

  it('never runs two refreshes at once, and stops polling when closed', async () => {
    const { env, state, reloader } = setup(['v1']);
    await state.start();
    await Promise.all([state.refresh(), state.refresh(), state.refresh()]);
    assert.equal(reloader.maxInFlight, 1);
    assert.equal(reloader.calls, 2, 'the start, then one shared refresh');
    state.close();
    await env.advance(1000);
    assert.equal(reloader.calls, 2);
    assert.equal(env.pendingTimers, 0);
  });
});
