import { MixerError } from '../errors/mixer-error.js';

/** Where in an expression's text something is: 1-based line and column (byte-based, like Go). */
export interface SourcePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/**
 * An expression that does not parse or type-check. `message` is Istio's text for the same
 * mistake (for example `unable to parse expression 'a = 2': 1:3: expected '==', found '='` or
 * `EQ($ai, true) arg 2 (true) typeError got BOOL, expected INT64`); `position` is set when the
 * mistake has a place in the text.
 */
export class ExpressionCompileError extends MixerError {
  constructor(
    message: string,
    readonly expression: string,
    readonly position?: SourcePosition,
  ) {
    super('MIXER_ERR_EXPR_COMPILE', message);
  }
}

/**
 * An evaluation that cannot produce a value for this request (`lookup failed: 'a'`, a bad
 * conversion such as `could not convert 10.1.12 to IP_ADDRESS`). Rules treat it as a
 * non-match; instance fields as "not built".
 */
export class ExpressionEvaluationError extends MixerError {
  constructor(message: string) {
    super('MIXER_ERR_EXPR_EVAL', message);
  }
}

/** Thrown when an attribute the expression needs is absent from the bag. */
export function lookupFailed(name: string): ExpressionEvaluationError {
  return new ExpressionEvaluationError(`lookup failed: '${name}'`);
}
