/**
 * Istio's authorization string matching, compiled once: each value is exact (`GET`), a prefix
 * (`/api/*`), a suffix (`*.example.com`) or `*` (any present value). A list matches when any
 * of its values does. An absent value (undefined, or '' unless `emptyIsValue`) matches
 * nothing, not even `*`.
 */
export class StringPatterns {
  private constructor(
    /** Exact values (a Set: one lookup however many there are). */
    readonly exact: ReadonlySet<string>,
    readonly prefixes: readonly string[],
    readonly suffixes: readonly string[],
    readonly any: boolean,
    private readonly lowerCase: boolean,
    private readonly emptyIsValue: boolean,
  ) {}

  /**
   * Compiles `values`. With `lowerCase` patterns and inputs compare lower-cased (hosts); with
   * `emptyIsValue` an empty input is a value like any other (Mixer's ServiceRole matching).
   */
  static compile(values: readonly string[], options: { lowerCase?: boolean; emptyIsValue?: boolean } = {}): StringPatterns {
    const lowerCase = options.lowerCase ?? false;
    const exact = new Set<string>();
    const prefixes: string[] = [];
    const suffixes: string[] = [];
    let any = false;
    for (const raw of values) {
      const value = lowerCase ? raw.toLowerCase() : raw;
      if (value === '*') any = true;
      else if (value.startsWith('*')) suffixes.push(value.slice(1));
      else if (value.endsWith('*')) prefixes.push(value.slice(0, -1));
      else exact.add(value);
    }
    return new StringPatterns(exact, prefixes, suffixes, any, lowerCase, options.emptyIsValue ?? false);
  }

  /** True when every value is exact (no wildcard), so the list can key an index. */
  get exactOnly(): boolean {
    return !this.any && this.prefixes.length === 0 && this.suffixes.length === 0;
  }

  matches(input: string | undefined): boolean {
    if (input === undefined || (input === '' && !this.emptyIsValue)) return false;
    if (this.any) return true;
    const value = this.lowerCase ? input.toLowerCase() : input;
    if (this.exact.has(value)) return true;
    for (const prefix of this.prefixes) if (value.startsWith(prefix)) return true;
    for (const suffix of this.suffixes) if (value.endsWith(suffix)) return true;
    return false;
  }
}
