import { compileRegex, type Regex } from './compile-regex.js';
import { RegexSyntaxError } from './regex-syntax-error.js';

/** How many patterns a cache keeps by default. */
export const DEFAULT_REGEX_CACHE_CAPACITY = 256;
/** Longer patterns are compiled on every use rather than kept (compiling is linear in the pattern). */
export const MAX_CACHED_PATTERN_LENGTH = 4096;
/**
 * Compile budget (compile-cost.ts units, ~1 µs each) for a pattern that arrives with a request: a
 * pattern over it is refused as Go's `expression too large`, although Go itself would compile
 * patterns up to ~300× bigger. Real patterns are far below it (`^/api/v[0-9]+/users/[0-9]+$`
 * costs ~30); the budget keeps one request from spending more than ~20 ms compiling.
 */
export const REQUEST_PATTERN_MAX_COST = 20_000;

const compileRequestPattern = (pattern: string): Regex => compileRegex(pattern, { maxCost: REQUEST_PATTERN_MAX_COST });

/**
 * A bounded least-recently-used cache of compiled patterns, for patterns that only arrive at request
 * time (`as.matches(bs)`): each distinct pattern is parsed and compiled once while it stays in use.
 * Rejected patterns are cached too, so a request repeating a bad pattern costs a lookup. Caching
 * changes nothing observable but time.
 */
export class RegexCache {
  private readonly entries = new Map<string, Regex | RegexSyntaxError>();

  constructor(
    readonly capacity: number = DEFAULT_REGEX_CACHE_CAPACITY,
    private readonly compile: (pattern: string) => Regex = compileRequestPattern,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`regex cache capacity must be a positive integer: ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The compiled pattern; throws RegexSyntaxError (Go's message) when Go rejects it. */
  get(pattern: string): Regex {
    const hit = this.entries.get(pattern);
    if (hit !== undefined) {
      // Re-insert to mark it most recently used.
      this.entries.delete(pattern);
      this.entries.set(pattern, hit);
      if (hit instanceof RegexSyntaxError) throw hit;
      return hit;
    }
    let entry: Regex | RegexSyntaxError;
    try {
      entry = this.compile(pattern);
    } catch (error) {
      if (!(error instanceof RegexSyntaxError)) throw error;
      entry = error;
    }
    if (pattern.length <= MAX_CACHED_PATTERN_LENGTH) {
      this.entries.set(pattern, entry);
      if (this.entries.size > this.capacity) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
    }
    if (entry instanceof RegexSyntaxError) throw entry;
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }
}
