import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import { requestBagFromJson } from '../attribute/convert.js';
import { SnapshotBuilder } from '../config/snapshot-builder.js';
import type { Snapshot } from '../config/snapshot.js';
import type { CompiledExpression } from '../expr/expression.js';
import { RpcCode } from '../status/rpc-code.js';
import { Dispatcher } from './dispatcher.js';
import { ExplainTrace } from './explain-trace.js';
import { MixerRuntime } from './mixer-runtime.js';
import { manyRuleResources, manyRulesRequest } from './testing/many-rules.js';

const logger = pino({ level: 'silent' });

/** The snapshot with each rule's match counting its evaluations (by rule name) into `counts`. */
function counting(snapshot: Snapshot, counts: Map<string, number>): Snapshot {
  const counted = (name: string, match: CompiledExpression | undefined): CompiledExpression | undefined =>
    match === undefined
      ? undefined
      : {
          text: match.text,
          language: match.language,
          type: match.type,
          selector: match.selector,
          evaluate: (bag) => {
            counts.set(name, (counts.get(name) ?? 0) + 1);
            return match.evaluate(bag);
          },
        };
  return { ...snapshot, rules: snapshot.rules.map((rule) => ({ ...rule, match: counted(rule.name, rule.match) })) };
}

describe('Dispatcher with 10,000 rules', () => {
  test('a Check evaluates the conditions of the rules that can match it, not of every rule; --explain still looks at every rule', async () => {
    const builder = new SnapshotBuilder({ adapters: BUILT_IN_ADAPTERS.map((adapter) => adapter.info), environment: {} });
    const snapshot = builder.build({ resources: manyRuleResources(10_000) });
    assert.deepEqual(snapshot.errors, []);
    const counts = new Map<string, number>();
    const runtime = new MixerRuntime({ logger });
    const dispatcher = new Dispatcher(runtime, { logger });
    try {
      await runtime.apply(counting(snapshot, counts));
      const bag = requestBagFromJson(manyRulesRequest(), snapshot.manifest);

      const outcome = await dispatcher.check(bag);
      assert.equal(outcome.status.code, RpcCode.OK);
      assert.deepEqual(outcome.routeDirective?.requestHeaderOperations, [{ name: 'x-user-verified', value: 'jason', operation: 'REPLACE' }]);
      assert.deepEqual(Object.fromEntries(counts), {
        'adminpaths.rule.istio-system': 1,
        'policy5.rule.istio-system': 1,
        'policy6.rule.istio-system': 1,
        'users.rule.istio-system': 1,
      });

      counts.clear();
      const trace = new ExplainTrace();
      await dispatcher.check(bag, new Map(), '', trace);
      assert.equal(counts.size, 10_002);
      assert.equal(trace.rules.length, 10_001);
      assert.deepEqual(
        trace.rules.filter((rule) => rule.matched).map((rule) => rule.rule),
        ['policy5.rule.istio-system', 'policy6.rule.istio-system'],
      );
    } finally {
      dispatcher.close();
      await runtime.close();
    }
  });
});
