import { setFlagsFromString } from 'node:v8';

/**
 * THE ONE PLACE where this process changes V8's regexp flags. It runs once, when this module is
 * first imported (before any translated RegExp exists), and affects every RegExp in the process:
 *
 * - `--enable-experimental-regexp-engine-on-excessive-backtracks`: when one execution of a regexp
 *   backtracks more than the threshold below, V8 reruns that execution on its linear-time
 *   (automaton) engine instead of continuing, if the regexp is one that engine supports. The result
 *   is the same; only the time changes.
 * - `--regexp-backtracks-before-fallback=10000` (V8's default is 50 000): the threshold. Native
 *   execution can spend roughly `threshold × input length` steps before falling back (the backtracks
 *   V8 counts each may be followed by an uncounted scan of the input), so a lower threshold lowers
 *   the worst case of a hostile pattern on a short input about fivefold. Regexps elsewhere in the
 *   process only notice on executions that already backtrack 10 000 times, which then run linearly.
 * - `--enable-experimental-regexp-engine`: makes the `l` flag available, so that
 *   `new RegExp(source, 'l')` tells at compile time whether the linear engine supports a pattern
 *   (it throws otherwise). We only use the `l` flag for that check, never to match.
 *
 * Node documents changing V8 flags after startup as undefined behaviour in general; these three are
 * read when a regexp is compiled or executed. `linearRegexpSupport` checks that the `l` flag took
 * effect; if not, every pattern runs on re2js (see compile-regex.ts). The fallback flag cannot be
 * observed without timing, so hostile-input.test.ts covers it (with a test timeout).
 */
export const REGEXP_V8_FLAGS: readonly string[] = [
  '--enable-experimental-regexp-engine-on-excessive-backtracks',
  '--regexp-backtracks-before-fallback=10000',
  '--enable-experimental-regexp-engine',
];

export interface LinearRegexpSupport {
  /** V8 accepted the flags and the linear engine answers the `l`-flag capability check. */
  readonly available: boolean;
  /** Why not, when it is not available. */
  readonly detail?: string;
}

/** V8's `l` (linear) flag, only understood with --enable-experimental-regexp-engine. */
const LINEAR_FLAG: string = 'l';

function enable(): LinearRegexpSupport {
  try {
    for (const flag of REGEXP_V8_FLAGS) setFlagsFromString(flag);
    // Both must hold: the `l` flag exists, and it refuses what the linear engine cannot run.
    if (!new RegExp('a+b', LINEAR_FLAG).test('xaab')) return { available: false, detail: 'the l flag does not match' };
    try {
      new RegExp('(a)\\1', LINEAR_FLAG);
      return { available: false, detail: 'the l flag accepts a backreference' };
    } catch {
      return { available: true };
    }
  } catch (error) {
    return { available: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

export const linearRegexpSupport: LinearRegexpSupport = enable();

/** Whether V8's linear engine can run `source` (no flags), so that the backtrack fallback applies. */
export function isLinearCapable(source: string): boolean {
  if (!linearRegexpSupport.available) return false;
  try {
    new RegExp(source, LINEAR_FLAG);
    return true;
  } catch {
    return false;
  }
}
