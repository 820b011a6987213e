import { pino } from 'pino';
import { stringify } from 'yaml';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import { requestBagFromJson } from '../../core/attribute/convert.js';
import type { ConfigResource } from '../../core/config/config-resource.js';
import { parseConfigSteps, parseConfigText } from '../../core/config/loader.js';
import { SnapshotBuilder } from '../../core/config/snapshot-builder.js';
import type { Snapshot } from '../../core/config/snapshot.js';
import { TimeSlicer } from '../../core/config/time-slicer.js';
import { Dispatcher } from '../../core/runtime/dispatcher.js';
import { RpcCode } from '../../core/status/rpc-code.js';
import { MixerRuntime } from '../../core/runtime/mixer-runtime.js';
import { manyRuleResources, manyRulesRequest } from '../../core/runtime/testing/many-rules.js';
import { printBench, quantile, type BenchOptions } from '../harness.js';

const LARGE = 10_000;
const SMALL = 10;
/** Checks issued per second while latency is sampled (open loop, as a sidecar fleet sends them). */
const CHECK_RATE = 1000;

/**
 * What a big config costs a running Mixer, in one process: the latency of Checks issued at a
 * fixed rate while a 10,000-rule config is built and swapped in, beside the same load with no
 * reload (the reference); a reload is what a config change costs: the loader's YAML parse,
 * the build and the swap, each in slices. Also the cost of one Check with 10,000 rules against
 * 10, and the parse timed on its own.
 */
export async function runRulesBench(options: BenchOptions): Promise<void> {
  const logger = pino({ level: 'silent' });
  const builder = new SnapshotBuilder({ adapters: BUILT_IN_ADAPTERS.map((adapter) => adapter.info), environment: {} });
  const small = manyRuleResources(SMALL);
  const large = manyRuleResources(LARGE);

  // The YAML parse's share of a reload, per 1,000 rules, at once (the loader runs it in slices, as the build).
  const toYaml = (resources: readonly ConfigResource[]): string =>
    resources.map((resource) => stringify({ apiVersion: resource.apiVersion, kind: resource.kind, metadata: { name: resource.name, namespace: resource.namespace }, spec: resource.spec })).join('---\n');
  const largeYaml = toYaml(large);
  const parsedRules = options.quick ? LARGE / 10 : LARGE;
  const parsedResources = parsedRules === LARGE ? large : manyRuleResources(parsedRules);
  const parsedYaml = parsedRules === LARGE ? largeYaml : toYaml(parsedResources);
  const parseStarted = performance.now();
  const parsed = parseConfigText(parsedYaml, 'rules.yaml');
  printBench('rules.reload.yaml_parse_per_1k_rules', (performance.now() - parseStarted) / (parsedRules / 1000), 'ms');
  if (parsed.resources.length !== parsedResources.length) throw new Error(`the YAML form of the config parsed into ${parsed.resources.length} resources, not ${parsedResources.length}`);

  // Check latency while the 10,000-rule config replaces the 10-rule one, and with no reload.
  const runtime = new MixerRuntime({ logger });
  const smallSnapshot = await buildSnapshot(builder, small);
  await runtime.apply(smallSnapshot);
  const dispatcher = new Dispatcher(runtime, { logger });
  const bag = requestBagFromJson(manyRulesRequest(), smallSnapshot.manifest);
  const reference = await openLoopChecks(dispatcher, bag, async () => {
    await new Promise((resolve) => setTimeout(resolve, options.quick ? 500 : 3000));
  });
  const rounds = options.quick ? 1 : 3;
  const during: number[] = [];
  let reloadMs = 0;
  for (let round = 0; round < rounds; round++) {
    if (round > 0) await runtime.apply(smallSnapshot);
    during.push(
      ...(await openLoopChecks(dispatcher, bag, async () => {
        const reloadStarted = performance.now();
        // What a config change costs: the loader's parse, the build and the swap, each in slices.
        const { resources } = await new TimeSlicer().run(parseConfigSteps(largeYaml, 'rules.yaml'));
        const applied = await runtime.apply(await buildSnapshot(builder, resources));
        reloadMs = Math.max(reloadMs, performance.now() - reloadStarted);
        if (applied.failures.length > 0) throw new Error(`handlers failed to build: ${JSON.stringify(applied.failures)}`);
      })),
    );
  }
  printBench('rules.reload.duration_10k', reloadMs, 'ms');
  printBench('rules.reload.check_p99_no_reload', quantile(reference, 0.99), 'ms');
  printBench('rules.reload.check_max_no_reload', Math.max(...reference), 'ms');
  printBench('rules.reload.check_p99_during_10k_reload', quantile(during, 0.99), 'ms');
  printBench('rules.reload.check_max_during_10k_reload', Math.max(...during), 'ms');

  // The cost of one Check with the 10,000 rules now active, then with 10.
  const millis = options.quick ? 300 : 2000;
  const large10k = await costOfCheck(dispatcher, bag, millis);
  await runtime.apply(smallSnapshot);
  const small10 = await costOfCheck(dispatcher, bag, millis);
  printBench('rules.check.cost_10_rules', small10, 'us');
  printBench('rules.check.cost_10k_rules', large10k, 'us');
  printBench('rules.check.cost_10k_vs_10', large10k / small10, 'ratio');
  dispatcher.close();
  await runtime.close();
}

function buildSnapshot(builder: SnapshotBuilder, resources: readonly ConfigResource[]): Promise<Snapshot> {
  return builder.buildInSlices({ resources }).then((snapshot) => {
    if (snapshot.errors.length > 0) throw new Error(`bench config has errors: ${JSON.stringify(snapshot.errors.slice(0, 3))}`);
    return snapshot;
  });
}

/** Mean µs per Check over about `millis` of back-to-back Checks, after a third as long to warm up. */
async function costOfCheck(dispatcher: Dispatcher, bag: Parameters<Dispatcher['check']>[0], millis: number): Promise<number> {
  const probe = await dispatcher.check(bag);
  if (probe.status.code !== RpcCode.OK || probe.routeDirective === undefined) throw new Error(`the bench request should be allowed with a header operation: ${JSON.stringify(probe.status)}`);
  const checksFor = async (budget: number): Promise<{ count: number; elapsed: number }> => {
    const started = performance.now();
    let count = 0;
    let elapsed = 0;
    while (elapsed < budget) {
      await dispatcher.check(bag);
      count++;
      elapsed = performance.now() - started;
    }
    return { count, elapsed };
  };
  await checksFor(millis / 3);
  const { count, elapsed } = await checksFor(millis);
  return (elapsed * 1000) / count;
}

/**
 * Issues Checks at CHECK_RATE while `during` runs, each on schedule whether or not the event
 * loop was free (a late timer sends every Check that fell due meanwhile), and returns each
 * one's latency in ms from when it was due to when it was answered: time spent blocked
 * behind other work counts.
 */
async function openLoopChecks(dispatcher: Dispatcher, bag: Parameters<Dispatcher['check']>[0], during: () => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  let failure: Error | undefined;
  const intervalMs = 1000 / CHECK_RATE;
  const started = performance.now();
  let sent = 0;
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const now = performance.now();
    while (sent * intervalMs <= now - started) {
      const due = started + sent * intervalMs;
      sent++;
      const call: Promise<void> = dispatcher
        .check(bag)
        .then(
          (outcome) => {
            if (outcome.status.code !== RpcCode.OK) throw new Error(`a Check was denied: ${JSON.stringify(outcome.status)}`);
            latencies.push(performance.now() - due);
          },
        )
        .catch((error: unknown) => {
          failure ??= error instanceof Error ? error : new Error(`a Check failed: ${JSON.stringify(error)}`);
        })
        .finally(() => pending.delete(call));
      pending.add(call);
    }
    if (running) timer = setTimeout(tick, 1);
  };
  tick();
  try {
    await during();
  } finally {
    running = false;
    clearTimeout(timer);
  }
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  return latencies;
}
