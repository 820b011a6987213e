import type { AttributeBag } from '../../attribute/bag.js';
import { type CelType, sameType } from './types.js';

/**
 * A function implementation. It receives the arguments in the plain form of the overload's
 * parameter types (type parameters: whatever form the caller's binding gives, the same for
 * every argument bound to the parameter), then the request's bag, and returns its result in
 * the plain form of the result type. It raises errors with `fail`.
 */
export type Impl = (...args: unknown[]) => unknown;

/** One typed signature of a function, with its implementation. */
export interface Overload {
  /** cel-go style overload id (`add_int64`, `string_starts_with`). */
  readonly id: string;
  readonly fn: string;
  /** Called as `target.fn(args)`; the target is `params[0]`. */
  readonly receiver: boolean;
  readonly params: readonly CelType[];
  readonly result: CelType;
  readonly impl: Impl;
}

/** Typed helpers so implementations can name their parameter types. */
export function impl1<A>(f: (a: A, bag: AttributeBag) => unknown): Impl {
  return f as unknown as Impl;
}

export function impl2<A, B>(f: (a: A, b: B, bag: AttributeBag) => unknown): Impl {
  return f as unknown as Impl;
}

export function impl3<A, B, C>(f: (a: A, b: B, c: C, bag: AttributeBag) => unknown): Impl {
  return f as unknown as Impl;
}

export function global(id: string, fn: string, params: readonly CelType[], result: CelType, impl: Impl): Overload {
  return { id, fn, receiver: false, params, result, impl };
}

export function member(id: string, fn: string, params: readonly CelType[], result: CelType, impl: Impl): Overload {
  return { id, fn, receiver: true, params, result, impl };
}

/** The functions an expression may call, by name. Immutable once built. */
export class FunctionRegistry {
  private readonly byName = new Map<string, Overload[]>();

  constructor(overloads: Iterable<Overload>) {
    for (const overload of overloads) this.add(overload);
  }

  private add(overload: Overload): void {
    let list = this.byName.get(overload.fn);
    if (list === undefined) {
      list = [];
      this.byName.set(overload.fn, list);
    }
    // A later declaration of the same signature replaces an earlier one.
    const existing = list.findIndex(
      (candidate) =>
        candidate.id === overload.id ||
        (candidate.receiver === overload.receiver &&
          candidate.params.length === overload.params.length &&
          candidate.params.every((type, index) => sameType(type, overload.params[index]!))),
    );
    if (existing >= 0) list[existing] = overload;
    else list.push(overload);
  }

  overloads(fn: string): readonly Overload[] {
    return this.byName.get(fn) ?? [];
  }

  has(fn: string): boolean {
    return this.byName.has(fn);
  }
}
