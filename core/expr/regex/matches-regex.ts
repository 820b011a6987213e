import { ExpressionEvaluationError } from '../errors.js';
import { RegexCache } from './regex-cache.js';
import { RegexSyntaxError } from './regex-syntax-error.js';

/**
 * The cache behind `matchesRegex` when none is passed: a memo only (a hit and a miss give the same
 * answer), so sharing it process-wide is safe.
 */
export const defaultRegexCache = new RegexCache();

/**
 * Go's `regexp.MatchString(pattern, input)` for a pattern known only at request time, as CEXL
 * `pattern.matches(str)` and CEL `str.matches(pattern)` evaluate it. An invalid pattern is an
 * evaluation error carrying Go's message (``error parsing regexp: missing closing ): `(` ``).
 * Patterns known at config time should be compiled once with `compileRegex` instead.
 */
export function matchesRegex(pattern: string, input: string, cache: RegexCache = defaultRegexCache): boolean {
  let regex;
  try {
    regex = cache.get(pattern);
  } catch (error) {
    if (error instanceof RegexSyntaxError) throw new ExpressionEvaluationError(error.message);
    throw error;
  }
  return regex.test(input);
}
