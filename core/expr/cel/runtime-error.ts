import { ExpressionEvaluationError } from '../errors.js';
import { MixerError } from '../../errors/mixer-error.js';

/**
 * A CEL evaluation error raised inside compiled closures. It is deliberately not an Error:
 * CEL treats errors as values that `||`, `&&` and the quantifier macros may absorb, and a
 * request that reads a missing header may raise one on every evaluation, so creating it must
 * not capture a stack trace. It becomes an ExpressionEvaluationError when it leaves
 * `evaluate`.
 */
export class CelEvalFault {
  constructor(readonly message: string) {}
}

/** Raises a CEL evaluation error. */
export function fail(message: string): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- see CelEvalFault
  throw new CelEvalFault(message);
}

export function noSuchOverload(fn: string): never {
  return fail(`no such overload: ${fn}`);
}

/** What leaves `evaluate`: always an ExpressionEvaluationError. */
export function toEvaluationError(error: unknown): ExpressionEvaluationError {
  if (error instanceof ExpressionEvaluationError) return error;
  if (error instanceof CelEvalFault) return new ExpressionEvaluationError(error.message);
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new ExpressionEvaluationError('expression evaluation exceeded the stack depth');
  }
  if (MixerError.is(error) || error instanceof Error) {
    const wrapped = new ExpressionEvaluationError(error.message);
    return Object.assign(wrapped, { cause: error });
  }
  return new ExpressionEvaluationError(String(error));
}
