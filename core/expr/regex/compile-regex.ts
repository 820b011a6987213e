import { RE2JS, RE2JSSyntaxException } from 're2js';
import { MixerError } from '../../errors/mixer-error.js';
import { compileCost } from './compile-cost.js';
import { translateToJs } from './js-translator.js';
import { printRe2 } from './re2-printer.js';
import type { RegexNode } from './regex-ast.js';
import { parseRegex } from './regex-parser.js';
import { RegexErrorCode, RegexSyntaxError } from './regex-syntax-error.js';
import { isLinearCapable, linearRegexpSupport } from './v8-regexp-flags.js';

/**
 * A compiled RE2 pattern. `test` answers what Go's `regexp.MatchString(pattern, input)` answers:
 * is there a match anywhere in `input` (unanchored search)?
 */
export interface Regex {
  readonly pattern: string;
  /**
   * `v8`: translated to a native RegExp, which runs inputs of at most NATIVE_MAX_INPUT_LENGTH
   * UTF-16 units (longer ones go to re2js). `re2js`: every input runs on re2js.
   */
  readonly engine: 'v8' | 're2js';
  /** Why the pattern runs on re2js (`(?m) line anchor`, `Unicode class (\p)`…); undefined for `v8`. */
  readonly fallbackReason: string | undefined;
  test(input: string): boolean;
}

export interface CompileRegexOptions {
  /** `re2js` forces the fallback engine (a test seam: both engines must agree with Go). */
  readonly engine?: 'auto' | 're2js';
  /**
   * Refuse, as Go's `expression too large`, a pattern whose estimated compile cost (see
   * compile-cost.ts) exceeds this. Default: none beyond re2js's program limit. Patterns that arrive with a
   * request should get a small one (RegexCache uses REQUEST_PATTERN_MAX_COST), because re2js takes
   * about a microsecond per unit to compile and Go's own limit allows millions.
   */
  readonly maxCost?: number;
}

/**
 * Longest input (UTF-16 units) that a translated pattern runs on V8; longer inputs go to re2js.
 *
 * V8's backtracking engine is not linear even with the excessive-backtracks fallback: an
 * unanchored `a+b` rescans the input from every start position without counting a backtrack
 * (quadratic: ~10 s on 100 000 `a`s), `a.*a.*b` spends up to `threshold × length` steps before it
 * falls back, and after a fallback V8's linear engine is ~100× slower than re2js on long inputs.
 * Bounding the length bounds all three (a few ms for the worst patterns measured); re2js is linear
 * and fast on long inputs.
 */
export const NATIVE_MAX_INPUT_LENGTH = 256;

/**
 * Compiles an RE2 (Go regexp) pattern. Throws RegexSyntaxError, with Go's message, when Go would
 * reject it, and also as `expression too large` past re2js's program limit (1.4 M instructions,
 * where Go allows 3.3 M) or past `options.maxCost`.
 */
export function compileRegex(pattern: string, options: CompileRegexOptions = {}): Regex {
  const tree = parseRegex(pattern);
  if (options.maxCost !== undefined && compileCost(tree) > options.maxCost) {
    throw new RegexSyntaxError(RegexErrorCode.large, pattern, pattern);
  }
  let reason: string;
  if (options.engine === 're2js') {
    reason = 'forced';
  } else if (!linearRegexpSupport.available) {
    reason = `V8 linear engine unavailable: ${linearRegexpSupport.detail ?? 'unknown'}`;
  } else {
    const translation = translateToJs(tree);
    if (!translation.ok) {
      reason = translation.reason;
    } else if (!isLinearCapable(translation.source)) {
      reason = 'not supported by the V8 linear engine (for example a large counted repeat)';
    } else {
      return new TieredRegex(pattern, new RegExp(translation.source), compileRe2js(pattern, tree));
    }
  }
  return new Re2jsRegex(pattern, compileRe2js(pattern, tree), reason);
}

function compileRe2js(pattern: string, tree: RegexNode): RE2JS {
  try {
    return RE2JS.compile(printRe2(tree));
  } catch (error) {
    // re2js allows programs of 1.4 M instructions where Go allows 3.3 M: report Go's error for those.
    if (error instanceof RE2JSSyntaxException && error.message.includes(RegexErrorCode.large)) {
      throw new RegexSyntaxError(RegexErrorCode.large, pattern, pattern);
    }
    // Any other refusal of a pattern Go accepts is a bug in this module.
    const shown = pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern;
    throw new MixerError('MIXER_ERR_REGEX', `re2js cannot compile regexp \`${shown}\``, { cause: error });
  }
}

/** V8 for short inputs, re2js for long ones. */
class TieredRegex implements Regex {
  readonly engine = 'v8';
  readonly fallbackReason = undefined;

  constructor(
    readonly pattern: string,
    private readonly native: RegExp,
    private readonly linear: RE2JS,
  ) {}

  test(input: string): boolean {
    return input.length <= NATIVE_MAX_INPUT_LENGTH ? this.native.test(input) : this.linear.test(input);
  }
}

class Re2jsRegex implements Regex {
  readonly engine = 're2js';

  constructor(
    readonly pattern: string,
    private readonly linear: RE2JS,
    readonly fallbackReason: string,
  ) {}

  test(input: string): boolean {
    return this.linear.test(input);
  }
}
