import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DictBag } from '../attribute/dict-bag.js';
import { AttributeManifest } from '../attribute/manifest.js';
import { TrackingBag } from '../attribute/tracking-bag.js';
import type { AttributeValue } from '../attribute/value.js';
import { runAtOnce } from '../config/time-slicer.js';
import { ExpressionCompilers } from '../expr/expression-compilers.js';
import type { CompiledExpression } from '../expr/expression.js';
import { MatchIndex } from './match-index.js';

const compilers = new ExpressionCompilers(AttributeManifest.of({ as: 'STRING', bs: 'STRING', ai: 'INT64', ab: 'BOOL' }));

interface Entry {
  readonly name: string;
  readonly condition: CompiledExpression | undefined;
}

function index(...matches: (string | undefined)[]): MatchIndex<Entry> {
  return runAtOnce(MatchIndex.build(matches.map((match, position) => ({ name: `r${position}`, condition: match === undefined ? undefined : compilers.compile(match) }))));
}

function candidates(list: MatchIndex<Entry>, values: Record<string, AttributeValue>): string[] {
  const names: string[] = [];
  list.forEachCandidate(DictBag.of(values), (entry) => void names.push(entry.name));
  return names;
}

/** Five rules keyed on `as`, one per value a..e. */
const BY_AS = ['as == "a"', 'as == "b"', 'as == "c" || as == "x"', 'as == "d" && bs == "z"', 'as == "e"'];

describe('MatchIndex', () => {
  test('walks only the rules whose literal the selected value equals, among the others, in order', () => {
    const list = index('bs == "q"', ...BY_AS, undefined, 'ai == 3');
    assert.deepEqual(candidates(list, { as: 'c', bs: 'q', ai: 3 }), ['r0', 'r3', 'r6', 'r7']);
    assert.deepEqual(candidates(list, { as: 'x', bs: 'q', ai: 3 }), ['r0', 'r3', 'r6', 'r7']);
    assert.deepEqual(candidates(list, { as: 'd', bs: 'q', ai: 3 }), ['r0', 'r4', 'r6', 'r7']);
    assert.deepEqual(candidates(list, { as: 'none', bs: 'q', ai: 3 }), ['r0', 'r6', 'r7']);
    assert.equal(list.size, 8);
  });

  test('two selectors interleave in order; integers and booleans index too', () => {
    const list = index('ai == 1', 'ab == true', 'ai == 2', 'ab == false', 'ai == 1 || ai == 2', 'ab == true', 'ai == 3', 'ab == false', 'ai == 1', 'ab == true');
    assert.deepEqual(candidates(list, { ai: 1, ab: true }), ['r0', 'r1', 'r4', 'r5', 'r8', 'r9']);
    assert.deepEqual(candidates(list, { ai: 2, ab: false }), ['r2', 'r3', 'r4', 'r7']);
  });

  test('when the selected value cannot be evaluated, every rule of the selector is walked (their conditions fail one by one)', () => {
    assert.deepEqual(candidates(index(...BY_AS), { bs: 'z' }), ['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  test('a selector fewer than four rules share is not indexed', () => {
    assert.deepEqual(candidates(index('as == "a"', 'as == "b"', 'as == "c"'), { as: 'z' }), ['r0', 'r1', 'r2']);
  });

  test('the selected value is read where the first rule of its selector is, and not at all when the walk stops before it', () => {
    const list = index('bs == "q"', ...BY_AS);
    const stopped = new TrackingBag(DictBag.of({ as: 'c', bs: 'q' }));
    list.forEachCandidate(stopped, (entry) => {
      entry.condition?.evaluate(stopped);
      return false;
    });
    assert.deepEqual(stopped.referenced.toStrings(), ['bs']);

    // Walking the candidates and evaluating their conditions reads what evaluating every condition reads, in the same order.
    const walked = new TrackingBag(DictBag.of({ as: 'c', bs: 'q' }));
    list.forEachCandidate(walked, (entry) => void entry.condition?.evaluate(walked));
    const all = new TrackingBag(DictBag.of({ as: 'c', bs: 'q' }));
    list.forEach((entry) => void entry.condition?.evaluate(all));
    assert.deepEqual(walked.referenced.entries(), all.referenced.entries());
  });

  test('concatenated lists walk the first, then the second, each with its own index', () => {
    const list = index(...BY_AS).concat(index('bs == "q"', ...BY_AS));
    assert.deepEqual(candidates(list, { as: 'b', bs: 'q' }), ['r1', 'r0', 'r2']);
    const names: string[] = [];
    list.forEach((entry) => void names.push(entry.name));
    assert.deepEqual(names, ['r0', 'r1', 'r2', 'r3', 'r4', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    assert.equal(list.concat(MatchIndex.empty()), list);
  });
});
