import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { pino } from 'pino';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import { defineAdapter } from '../../adapters/sdk/define-adapter.js';
import { defineParams } from '../../adapters/sdk/params-schema.js';
import { requestBagFromJson } from '../attribute/convert.js';
import { configResource, type ConfigResource } from '../config/config-resource.js';
import { SnapshotBuilder } from '../config/snapshot-builder.js';
import { OK_STATUS } from '../status/rpc-status.js';
import { Dispatcher } from './dispatcher.js';
import { MixerRuntime } from './mixer-runtime.js';
import { manyRuleResources, manyRulesRequest } from './testing/many-rules.js';

const logger = pino({ level: 'silent' });

/** The many-rules config plus a rule that denies the many-rules request with `message`. */
function denying(message: string): ConfigResource[] {
  return [
    ...manyRuleResources(10),
    configResource({ kind: 'handler', name: 'old', spec: { compiledAdapter: 'denier', params: { status: { code: 7, message } } } }),
    configResource({ kind: 'rule', name: 'old', spec: { match: 'destination.service.host == "svc-5.default.svc.cluster.local"', actions: [{ handler: 'old', instances: ['nothing'] }] } }),
  ];
}

describe('MixerRuntime reloads', () => {
  const builder = new SnapshotBuilder({ adapters: BUILT_IN_ADAPTERS.map((adapter) => adapter.info), environment: {} });

  test('a Check issued while a 10,000-rule config is built and applied is answered by the old config', async () => {
    const runtime = new MixerRuntime({ logger });
    const dispatcher = new Dispatcher(runtime, { logger });
    try {
      const old = await builder.buildInSlices({ resources: denying('old config') });
      await runtime.apply(old);
      const bag = requestBagFromJson(manyRulesRequest(), old.manifest);

      // Reload: build the snapshot (in slices, by default), then apply it.
      let reloaded = false;
      const reload = builder
        .buildInSlices({ resources: manyRuleResources(10_000) })
        .then((snapshot) => runtime.apply(snapshot))
        .then(() => {
          reloaded = true;
        });
      const during = await new Promise<{ message: string; reloaded: boolean }>((resolve, reject) => {
        setImmediate(() => void dispatcher.check(bag).then((outcome) => resolve({ message: outcome.status.message, reloaded }), reject));
      });
      await reload;
      assert.deepEqual(during, { message: 'old.handler.istio-system:old config', reloaded: false });
      assert.equal((await dispatcher.check(bag)).status.code, 0, 'the new config answers once swapped in');
    } finally {
      dispatcher.close();
      await runtime.close();
    }
  });

  test('applying a built 10,000-rule snapshot shares the event loop: Checks meanwhile see the old snapshot, never a mix', async () => {
    // sliceMs 0 yields at every checkpoint, so the test does not depend on how fast this machine builds.
    const runtime = new MixerRuntime({ logger, sliceMs: 0 });
    const dispatcher = new Dispatcher(runtime, { logger });
    try {
      const old = builder.build({ resources: denying('old config') });
      await runtime.apply(old);
      const next = builder.build({ resources: manyRuleResources(10_000) });
      const bag = requestBagFromJson(manyRulesRequest(), old.manifest);
      const answers: { snapshot: number | undefined; code: number }[] = [];
      let settled = false;
      const applying = runtime.apply(next).finally(() => {
        settled = true;
      });
      // Checks keep arriving from the event loop until the swap.
      await new Promise<void>((resolve, reject) => {
        const issue = (): void => {
          if (settled) return resolve();
          const snapshot = runtime.snapshot?.id;
          dispatcher.check(bag).then((outcome) => {
            answers.push({ snapshot, code: outcome.status.code });
            setImmediate(issue);
          }, reject);
        };
        setImmediate(issue);
      });
      assert.equal((await applying).applied, true);
      assert.ok(answers.length > 1, `${answers.length} Check(s) ran while the snapshot was applied`);
      for (const answer of answers) assert.deepEqual(answer, { snapshot: old.id, code: 7 });
      assert.equal(runtime.snapshot?.id, next.id);
      assert.equal((await dispatcher.check(bag)).status.code, 0);
    } finally {
      dispatcher.close();
      await runtime.close();
    }
  });
});

/**
 * A stand-in adapter (no real adapter builds slowly on demand): handlers with `gated: true`
 * build only once `open()` is called; every build and close is counted by the handler's `id`.
 */
function gatedAdapter(): { info: AdapterInfo; builds: Map<string, number>; closes: Map<string, number>; open: () => void } {
  const builds = new Map<string, number>();
  const closes = new Map<string, number>();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const count = (counts: Map<string, number>, id: string): void => void counts.set(id, (counts.get(id) ?? 0) + 1);
  const info = defineAdapter({
    name: 'gated',
    description: 'test stand-in whose handler builds wait for a gate',
    supportedTemplates: ['checknothing'] as const,
    params: defineParams(Type.Object({ id: Type.String(), gated: Type.Boolean({ default: false }) })),
    build: async (config) => {
      count(builds, config.params.id);
      if (config.params.gated) await gate;
      return { handleCheckNothing: () => ({ status: OK_STATUS, validDurationMs: 1000, validUseCount: 1 }), close: () => count(closes, config.params.id) };
    },
  }).info as AdapterInfo;
  return { info, builds, closes, open };
}

function gatedConfig(handlers: readonly { id: string; gated?: boolean }[]): ConfigResource[] {
  return [
    configResource({ kind: 'instance', name: 'nothing', spec: { compiledTemplate: 'checknothing' } }),
    ...handlers.flatMap(({ id, gated }) => [
      configResource({ kind: 'handler', name: id, spec: { compiledAdapter: 'gated', params: { id, gated: gated ?? false } } }),
      configResource({ kind: 'rule', name: id, spec: { actions: [{ handler: id, instances: ['nothing'] }] } }),
    ]),
  ];
}

describe('MixerRuntime supersession', () => {
  test('a snapshot applied while an older one is still building calls it off: only the newest is swapped in', async () => {
    const gated = gatedAdapter();
    const builder = new SnapshotBuilder({ adapters: [gated.info], environment: {} });
    const runtime = new MixerRuntime({ logger });
    try {
      const first = builder.build({ resources: gatedConfig([{ id: 'kept' }]) });
      await runtime.apply(first);
      const older = builder.build({ resources: gatedConfig([{ id: 'kept' }, { id: 'shared' }, { id: 'dropped', gated: true }]) });
      const newer = builder.build({ resources: gatedConfig([{ id: 'kept' }, { id: 'shared' }]) });
      const swaps: number[] = [];
      const olderApplied = runtime.apply(older).then((result) => {
        swaps.push(runtime.snapshot!.id);
        return result;
      });
      // The older snapshot's handlers are being built (one waits at the gate) when the newer one arrives.
      while (gated.builds.get('dropped') === undefined) await new Promise((resolve) => setImmediate(resolve));
      const newerApplied = runtime.apply(newer).then((result) => {
        swaps.push(runtime.snapshot!.id);
        return result;
      });
      gated.open();
      const [olderResult, newerResult] = await Promise.all([olderApplied, newerApplied]);
      assert.equal(olderResult.applied, false);
      assert.equal(newerResult.applied, true);
      assert.deepEqual(swaps, [first.id, newer.id], 'the older snapshot was never active');
      assert.equal(runtime.snapshot?.id, newer.id);
      assert.equal(gated.builds.get('kept'), 1, 'reused from the active config');
      assert.equal(gated.builds.get('shared'), 1, 'built for the superseded snapshot, reused by the newer one');
      assert.equal(newerResult.handlersReused, 1);
      await eventually(() => gated.closes.get('dropped') === 1, 'the handler only the superseded snapshot had is closed');
      assert.equal(gated.closes.get('shared'), undefined);
      await runtime.close();
      assert.deepEqual(Object.fromEntries(gated.closes), { dropped: 1, kept: 1, shared: 1 }, 'each handler is closed exactly once');
    } finally {
      await runtime.close();
    }
  });

  test('applies queued behind a build are called off without building anything', async () => {
    const gated = gatedAdapter();
    const builder = new SnapshotBuilder({ adapters: [gated.info], environment: {} });
    const runtime = new MixerRuntime({ logger });
    try {
      const results = await Promise.all(
        ['a', 'b', 'c'].map((id) => runtime.apply(builder.build({ resources: gatedConfig([{ id }]) })).then((result) => result.applied)),
      );
      assert.deepEqual(results, [false, false, true]);
      assert.deepEqual([...gated.builds.keys()], ['c']);
    } finally {
      await runtime.close();
    }
  });
});

async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 1000 && !condition(); attempt++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), what);
}
