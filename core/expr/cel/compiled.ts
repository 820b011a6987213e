import { type AttributeBag, plainLookupKey } from '../../attribute/bag.js';
import type { AttributeNode } from './attribute-tree.js';
import type { Converter } from './representation.js';

/**
 * A compiled expression node: a closure over the request's bag and the comprehension variable
 * slots. No AST is consulted at evaluation time.
 */
export type Eval = (bag: AttributeBag, vars: unknown[]) => unknown;

export interface Compiled {
  readonly eval: Eval;
  /** Known at compile time (and `value` holds it). */
  readonly constant: boolean;
  readonly value?: unknown;
  /** Evaluating it may read attributes (so it must run to record references). */
  readonly readsBag: boolean;
  /** Evaluating it may raise an error. */
  readonly mayFail: boolean;
  /** Set when the node is exactly a read of this leaf attribute (for fused fast paths). */
  readonly attribute?: AttributeNode;
}

export function constantNode(value: unknown): Compiled {
  return { eval: () => value, constant: true, value, readsBag: false, mayFail: false };
}

export function dynamicNode(evaluate: Eval, readsBag: boolean, mayFail = true): Compiled {
  return { eval: evaluate, constant: false, readsBag, mayFail };
}

/** The closure with a value conversion applied to its result. */
export function converted(evaluate: Eval, convert: Converter): Eval {
  if (convert === undefined) return evaluate;
  return (bag, vars) => convert(evaluate(bag, vars));
}

/** Rethrows a caught CEL error value as is. */
export function rethrow(error: unknown): never {
  throw error;
}

/** Marks "no error caught" in error-absorbing closures. */
export const NO_ERROR: unique symbol = Symbol('no error');

/** A bag for constant folding: constants never read attributes. */
export const FOLDING_BAG: AttributeBag = {
  get: () => {
    throw new Error('internal error: a constant expression read an attribute');
  },
  lookupKey: plainLookupKey,
  names: () => [],
};
