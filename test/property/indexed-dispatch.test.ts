import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { pino } from 'pino';
import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import { defineAdapter } from '../../adapters/sdk/define-adapter.js';
import { defineParams } from '../../adapters/sdk/params-schema.js';
import type { AttributeBag } from '../../core/attribute/bag.js';
import { DictBag } from '../../core/attribute/dict-bag.js';
import { StringMap } from '../../core/attribute/string-map.js';
import type { AttributeValue } from '../../core/attribute/value.js';
import { configResource, type ConfigResource } from '../../core/config/config-resource.js';
import { SnapshotBuilder } from '../../core/config/snapshot-builder.js';
import type { Snapshot } from '../../core/config/snapshot.js';
import type { CompiledExpression } from '../../core/expr/expression.js';
import { Dispatcher } from '../../core/runtime/dispatcher.js';
import type { DispatchObserver } from '../../core/runtime/dispatch-observer.js';
import { MixerRuntime } from '../../core/runtime/mixer-runtime.js';
import { OK_STATUS } from '../../core/status/rpc-status.js';

// Indexed dispatch (rules looked up by their matches' selectors) must decide exactly as walking
// every rule does. Each random config is run twice: as built, and with every rule's match
// stripped of its selector (so nothing is indexed); Checks and Reports over random requests
// must give the same statuses, read the same attributes in the same order, send the same
// instances to the same handlers in the same order, and count the same errors.

const logger = pino({ level: 'silent' });

/** The recording stand-in adapter (it exists to record calls): handlers with `deny` answer PERMISSION_DENIED. */
function recorder(log: string[]): AdapterInfo {
  return defineAdapter({
    name: 'recorder',
    description: 'records every call, in order',
    supportedTemplates: ['checknothing', 'listentry', 'quota', 'reportnothing'] as const,
    params: defineParams(Type.Object({ name: Type.String(), deny: Type.Boolean({ default: false }) })),
    build: ({ params }) => {
      const check = (template: string) => (instance: unknown) => {
        log.push(`${params.name} ${template} ${JSON.stringify(instance)}`);
        return { status: params.deny ? { code: 7, message: `${params.name} says no` } : OK_STATUS, validDurationMs: 1000, validUseCount: 3 };
      };
      return {
        handleCheckNothing: check('checknothing'),
        handleListEntry: check('listentry'),
        handleQuota: (instance: unknown, args: { amount: number }) => {
          log.push(`${params.name} quota ${JSON.stringify(instance)} ${args.amount}`);
          return { status: OK_STATUS, grantedAmount: params.deny ? 0 : args.amount, validDurationMs: 500 };
        },
        handleReportNothing: (instances: readonly unknown[]) => void log.push(`${params.name} report ${JSON.stringify(instances)}`),
      };
    },
  }).info;
}

const STRINGS = ['a', 'b', 'c'];
/** Operands (E) with the literals they are compared with. */
const OPERANDS: readonly { text: string; literal: fc.Arbitrary<string> }[] = [
  { text: 'destination.service.host', literal: fc.constantFrom(...STRINGS).map((value) => `"${value}"`) },
  { text: 'source.labels["app"]', literal: fc.constantFrom(...STRINGS).map((value) => `"${value}"`) },
  { text: '(request.headers["x"] | "none")', literal: fc.constantFrom(...STRINGS, 'none').map((value) => `"${value}"`) },
  { text: 'destination.port', literal: fc.constantFrom('1', '2', '3') },
  { text: 'connection.mtls', literal: fc.constantFrom('true', 'false') },
];

type Operand = (typeof OPERANDS)[number];

/** `E == v`, or `E == v1 || E == v2 ...`, over `operand` (any one when not given). */
function selectorTerm(operand?: Operand): fc.Arbitrary<string> {
  return fc
    .tuple(operand === undefined ? fc.constantFrom(...OPERANDS) : fc.constant(operand), fc.integer({ min: 1, max: 3 }))
    .chain(([chosen, terms]) => fc.array(chosen.literal, { minLength: terms, maxLength: terms }).map((literals) => literals.map((literal) => `${chosen.text} == ${literal}`).join(' || ')));
}

const rest = fc.constantFrom('request.path.startsWith("/a")', 'source.labels["version"] == "v1"', 'destination.port > 1', '(request.headers["y"] | "") == "b"');

/** A selector term, alone or first in an && chain. */
function indexableMatch(operand?: Operand): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: selectorTerm(operand) },
    { weight: 2, arbitrary: fc.tuple(selectorTerm(operand), rest).map(([term, more]) => (term.includes('||') ? `(${term}) && ${more}` : `${term} && ${more}`)) },
  );
}

const match: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 10, arbitrary: indexableMatch() },
  { weight: 1, arbitrary: fc.constantFrom('destination.service.host != "a"', '"b" == destination.service.host', 'request.path.startsWith("/b")', 'destination.port == 2 && connection.mtls') },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const INSTANCES = ['nothing', 'entry', 'strictentry', 'q1', 'q2', 'rep'];

function ruleWith(namespace: fc.Arbitrary<string>, ruleMatch: fc.Arbitrary<string | undefined>) {
  return fc.record({
    namespace,
    match: ruleMatch,
    actions: fc.array(fc.record({ handler: fc.integer({ min: 0, max: 3 }), instances: fc.subarray(INSTANCES, { minLength: 1 }) }), { minLength: 0, maxLength: 2 }),
    headers: fc.boolean(),
  });
}

const rule = ruleWith(fc.constantFrom('istio-system', 'istio-system', 'ns1'), match);
type RuleSpec = typeof rule extends fc.Arbitrary<infer R> ? R : never;

/** Random rules among which at least four default-namespace rules share an operand, so that the index is always used. */
const rules: fc.Arbitrary<RuleSpec[]> = fc
  .tuple(
    fc.array(rule, { maxLength: 24 }),
    fc.constantFrom(...OPERANDS).chain((operand) => fc.array(ruleWith(fc.constant('istio-system'), indexableMatch(operand)), { minLength: 4, maxLength: 8 })),
  )
  .chain(([others, shared]) => fc.shuffledSubarray([...others, ...shared], { minLength: others.length + shared.length }));

function resources(specs: readonly RuleSpec[]): ConfigResource[] {
  const out: ConfigResource[] = [];
  for (const namespace of ['istio-system', 'ns1']) {
    for (let handler = 0; handler < 4; handler++) {
      out.push(configResource({ kind: 'handler', name: `h${handler}`, namespace, spec: { compiledAdapter: 'recorder', params: { name: `h${handler}`, deny: handler % 2 === 1 } } }));
    }
    out.push(
      configResource({ kind: 'instance', name: 'nothing', namespace, spec: { compiledTemplate: 'checknothing' } }),
      configResource({ kind: 'instance', name: 'entry', namespace, spec: { compiledTemplate: 'listentry', params: { value: 'source.labels["app"] | "none"' } } }),
      // Fails to build when the label is absent: the Check fails with the instance error.
      configResource({ kind: 'instance', name: 'strictentry', namespace, spec: { compiledTemplate: 'listentry', params: { value: 'source.labels["team"]' } } }),
      configResource({ kind: 'instance', name: 'q1', namespace, spec: { compiledTemplate: 'quota', params: { dimensions: { host: 'destination.service.host | "none"' } } } }),
      configResource({ kind: 'instance', name: 'q2', namespace, spec: { compiledTemplate: 'quota', params: { dimensions: { path: 'request.path' } } } }),
      configResource({ kind: 'instance', name: 'rep', namespace, spec: { compiledTemplate: 'reportnothing' } }),
    );
  }
  specs.forEach((spec, index) => {
    const actions = spec.actions.map((action) => ({ handler: `h${action.handler}`, instances: action.instances }));
    const headers = spec.headers || actions.length === 0 ? { requestHeaderOperations: [{ name: 'x-seen', values: ['(request.headers["x"] | "-")'] }] } : {};
    out.push(configResource({ kind: 'rule', name: `r${index}`, namespace: spec.namespace, spec: { ...(spec.match === undefined ? {} : { match: spec.match }), actions, ...headers } }));
  });
  return out;
}

const stringMap = (key: string, values: readonly string[]): fc.Arbitrary<StringMap | undefined> =>
  fc.option(fc.dictionary(fc.constantFrom(key, 'version', 'team'), fc.constantFrom(...values, 'v1')).map((entries) => StringMap.fromObject(entries)), { nil: undefined });

/** Requests over a few values, so that rules match, miss, and fail to evaluate (absent or mistyped attributes). */
const request: fc.Arbitrary<AttributeBag> = fc
  .record({
    'destination.service.host': fc.option(fc.constantFrom<AttributeValue>(...STRINGS, 7), { nil: undefined }),
    'source.labels': stringMap('app', STRINGS),
    'request.headers': stringMap('x', STRINGS),
    'destination.port': fc.option(fc.constantFrom<AttributeValue>(1, 2, 3, 'two'), { nil: undefined }),
    'connection.mtls': fc.option(fc.boolean(), { nil: undefined }),
    'request.path': fc.option(fc.constantFrom('/a/x', '/b'), { nil: undefined }),
    'destination.namespace': fc.option(fc.constantFrom('ns1', 'default'), { nil: undefined }),
    'context.reporter.kind': fc.option(fc.constantFrom('inbound', 'outbound'), { nil: undefined }),
    'source.namespace': fc.option(fc.constant('ns1'), { nil: undefined }),
  })
  .map((values) => new DictBag(Object.entries(values).filter((entry): entry is [string, AttributeValue] => entry[1] !== undefined)));

function withoutSelectors(snapshot: Snapshot): Snapshot {
  const plain = (match: CompiledExpression | undefined): CompiledExpression | undefined =>
    match === undefined ? undefined : { text: match.text, language: match.language, type: match.type, evaluate: (bag) => match.evaluate(bag) };
  return { ...snapshot, rules: snapshot.rules.map((entry) => ({ ...entry, match: plain(entry.match) })) };
}

/** One runtime and what it did, recorded. */
class Run {
  readonly log: string[] = [];
  readonly builder = new SnapshotBuilder({ adapters: [recorder(this.log)], environment: {} });
  readonly runtime = new MixerRuntime({ logger });
  readonly dispatcher: Dispatcher;

  constructor() {
    const observer: DispatchObserver = {
      handlerStats: () => ({ record: () => undefined }),
      conditionError: (ruleName) => void this.log.push(`condition error ${ruleName}`),
      instanceError: (instance) => void this.log.push(`instance error ${instance}`),
    };
    this.dispatcher = new Dispatcher(this.runtime, { logger, observer });
  }

  async check(bag: AttributeBag): Promise<unknown> {
    const quotas = new Map([
      ['q1', { amount: 2, bestEffort: false }],
      ['q2', { amount: 1, bestEffort: true }],
    ]);
    try {
      const outcome = await this.dispatcher.check(bag, quotas, 'request-1');
      return {
        status: outcome.status,
        validity: [outcome.validDurationMs, outcome.validUseCount],
        referenced: outcome.referenced.entries(),
        routeDirective: outcome.routeDirective,
        quotas: [...outcome.quotas].map(([name, quota]) => ({ name, status: quota.status, granted: quota.grantedAmount, referenced: quota.referenced.entries() })),
      };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    this.dispatcher.close();
    await this.runtime.close();
  }
}

test('indexed dispatch decides, reads, calls and counts exactly as walking every rule', async () => {
  await fc.assert(
    fc.asyncProperty(rules, fc.array(request, { minLength: 1, maxLength: 4 }), async (specs, bags) => {
      const indexed = new Run();
      const plain = new Run();
      try {
        const config = resources(specs);
        const snapshot = indexed.builder.build({ resources: config });
        assert.deepEqual(snapshot.errors, []);
        await indexed.runtime.apply(snapshot);
        await plain.runtime.apply(withoutSelectors(plain.builder.build({ resources: config })));
        const keys = snapshot.rules.flatMap((entry) => (entry.namespace === 'istio-system' && entry.match?.selector !== undefined ? [entry.match.selector.key] : []));
        assert.ok(
          keys.some((key) => keys.filter((other) => other === key).length >= 4),
          'four rules share a selector',
        );

        for (const bag of bags) assert.deepEqual(await indexed.check(bag), await plain.check(bag));
        assert.deepEqual(await indexed.dispatcher.report(bags), await plain.dispatcher.report(bags));
        assert.deepEqual(indexed.log, plain.log);
      } finally {
        await Promise.all([indexed.close(), plain.close()]);
      }
    }),
    { numRuns: 150 },
  );
});
