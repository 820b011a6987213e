import type { AttributeBag } from '../attribute/bag.js';
import type { AttributeValue } from '../attribute/value.js';
import type { Steps } from '../config/time-slicer.js';
import type { CompiledExpression, SelectorValue } from '../expr/expression.js';

/** Something a request may match: a rule's compiled condition (undefined: it always applies). */
export interface Matchable {
  readonly condition: CompiledExpression | undefined;
}

/** Returns false to stop the walk (a quota's first applicable route ends it). */
export type MatchVisitor<T> = (entry: T) => boolean | void;

/** A selector shared by enough entries to be worth indexing. */
const MIN_GROUP = 4;
/** Selectors indexed per list: each adds a comparison per candidate walked. */
const MAX_GROUPS = 16;

const NO_POSITIONS: readonly number[] = Object.freeze([]);

/** The entries of one list whose conditions share a selector operand. */
interface SelectorGroup {
  readonly operand: (bag: AttributeBag) => AttributeValue;
  /** The first position: where the unindexed walk would evaluate the operand first. */
  readonly first: number;
  /** Every position of the group, ascending (walked when the operand cannot be evaluated). */
  readonly all: readonly number[];
  /** Positions by selector value, ascending. */
  readonly byValue: ReadonlyMap<SelectorValue, readonly number[]>;
}

/** One indexed list of entries. */
class Segment<T extends Matchable> {
  constructor(
    readonly entries: readonly T[],
    /** Positions of entries no selector group holds, ascending. */
    private readonly unindexed: readonly number[],
    /** Ordered by `first`. */
    private readonly groups: readonly SelectorGroup[],
  ) {}

  /**
   * Walks, in order, the entries not ruled out: unindexed ones, and those of each group whose
   * values hold its operand's value (every one of the group when the operand cannot be
   * evaluated, so that their conditions fail one by one as they would without the index). An
   * operand is evaluated when the walk reaches the group's first position, where the unindexed
   * walk would first read it: what the reads record, and in which order, does not change.
   */
  walk(bag: AttributeBag, visit: MatchVisitor<T>): boolean {
    const { entries, unindexed, groups } = this;
    if (groups.length === 0) {
      for (const position of unindexed) if (visit(entries[position]!) === false) return false;
      return true;
    }
    const lists: (readonly number[])[] = [];
    const cursors: number[] = [];
    let nextGroup = 0;
    let nextUnindexed = 0;
    for (;;) {
      let best = nextUnindexed < unindexed.length ? unindexed[nextUnindexed]! : Number.POSITIVE_INFINITY;
      let source = -1;
      for (let index = 0; index < lists.length; index++) {
        const list = lists[index]!;
        const cursor = cursors[index]!;
        if (cursor < list.length && list[cursor]! < best) {
          best = list[cursor]!;
          source = index;
        }
      }
      if (nextGroup < groups.length && groups[nextGroup]!.first < best) {
        lists.push(candidatesOf(groups[nextGroup]!, bag));
        cursors.push(0);
        nextGroup++;
        continue;
      }
      if (best === Number.POSITIVE_INFINITY) return true;
      if (source < 0) nextUnindexed++;
      else cursors[source]!++;
      if (visit(entries[best]!) === false) return false;
    }
  }
}

function candidatesOf(group: SelectorGroup, bag: AttributeBag): readonly number[] {
  let value: AttributeValue;
  try {
    value = group.operand(bag);
  } catch {
    return group.all;
  }
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return group.byValue.get(value) ?? NO_POSITIONS;
    default:
      // Not a value `==` compares with `===`: leave the decision to the conditions.
      return group.all;
  }
}

/**
 * An ordered list of rule entries (a namespace's check or report routes, one quota's routes,
 * header rules) indexed by their conditions' selectors, so that a request walks only the
 * entries that can match it: the cost of a Check follows the rules that apply to it, not all
 * of them. The walk gives exactly what walking every entry and evaluating its condition gives:
 * the same matches in the same order, the same attributes read (the check cache's key) and the
 * same evaluation errors. Lists concatenate without copying (a namespace's routes are the
 * default namespace's followed by its own).
 */
export class MatchIndex<T extends Matchable> {
  private constructor(private readonly segments: readonly Segment<T>[]) {}

  static empty<T extends Matchable>(): MatchIndex<T> {
    return new MatchIndex<T>([]);
  }

  /** Indexes `entries` (kept in their order), yielding after each one (see TimeSlicer). */
  static *build<T extends Matchable>(entries: readonly T[]): Steps<MatchIndex<T>> {
    if (entries.length === 0) return MatchIndex.empty<T>();
    const byKey = new Map<string, number[]>();
    const unindexed: number[] = [];
    for (let position = 0; position < entries.length; position++) {
      yield;
      const selector = entries[position]!.condition?.selector;
      if (selector === undefined) {
        unindexed.push(position);
        continue;
      }
      const positions = byKey.get(selector.key);
      if (positions === undefined) byKey.set(selector.key, [position]);
      else positions.push(position);
    }
    const chosen = [...byKey.values()]
      .filter((positions) => positions.length >= MIN_GROUP)
      .sort((a, b) => b.length - a.length)
      .slice(0, MAX_GROUPS);
    const kept = new Set(chosen);
    for (const positions of byKey.values()) if (!kept.has(positions)) unindexed.push(...positions);
    unindexed.sort((a, b) => a - b);
    const groups: SelectorGroup[] = [];
    for (const positions of chosen) {
      const byValue = new Map<SelectorValue, number[]>();
      for (const position of positions) {
        yield;
        for (const value of new Set(entries[position]!.condition!.selector!.values)) {
          const list = byValue.get(value);
          if (list === undefined) byValue.set(value, [position]);
          else list.push(position);
        }
      }
      groups.push({ operand: entries[positions[0]!]!.condition!.selector!.operand, first: positions[0]!, all: positions, byValue });
    }
    groups.sort((a, b) => a.first - b.first);
    return new MatchIndex([new Segment(Object.freeze([...entries]), unindexed, groups)]);
  }

  /** This list followed by `next`. */
  concat(next: MatchIndex<T>): MatchIndex<T> {
    if (next.segments.length === 0) return this;
    if (this.segments.length === 0) return next;
    return new MatchIndex([...this.segments, ...next.segments]);
  }

  get size(): number {
    let size = 0;
    for (const segment of this.segments) size += segment.entries.length;
    return size;
  }

  /** Visits every entry in order (to explain a decision, every rule is looked at); false when `visit` stopped. */
  forEach(visit: MatchVisitor<T>): boolean {
    for (const segment of this.segments) for (const entry of segment.entries) if (visit(entry) === false) return false;
    return true;
  }

  /**
   * Visits, in order, every entry whose condition may hold for `bag` (each still has to be
   * evaluated); false when `visit` stopped. The entries left out are exactly those whose
   * condition is false having read nothing but what this walk reads itself.
   */
  forEachCandidate(bag: AttributeBag, visit: MatchVisitor<T>): boolean {
    for (const segment of this.segments) if (!segment.walk(bag, visit)) return false;
    return true;
  }
}
