/**
 * Values found by a tuple of strings (a series by its label values, in label order): a tree of
 * Maps, one level per position. Finding a tuple hashes each string once, and V8 keeps a
 * string's hash, so the metrics fed by one request (whose label values are the same strings)
 * share that work; a flat Map would hash a newly built key string for each of them.
 */
export class SeriesIndex<T extends object> {
  private readonly root = new Map<string, unknown>();
  private count = 0;

  constructor(
    /** How many strings a tuple has. */
    private readonly width: number,
  ) {}

  get size(): number {
    return this.count;
  }

  /** The value of `tuple` (`width` strings), made by `create` on first use. */
  getOrCreate(tuple: readonly string[], create: () => T): T {
    if (this.width === 0) return this.leaf(this.root, '', create);
    let level = this.root;
    for (let i = 0; i < this.width - 1; i++) {
      const key = tuple[i]!;
      let next = level.get(key) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map<string, unknown>();
        level.set(key, next);
      }
      level = next;
    }
    return this.leaf(level, tuple[this.width - 1]!, create);
  }

  values(): T[] {
    const found: T[] = [];
    this.walk(this.root, 0, (value) => {
      found.push(value);
      return false;
    });
    return found;
  }

  /** Removes every value `remove` says to; returns how many were removed. */
  removeWhere(remove: (value: T) => boolean): number {
    const before = this.count;
    this.walk(this.root, 0, remove);
    return before - this.count;
  }

  private leaf(level: Map<string, unknown>, key: string, create: () => T): T {
    let value = level.get(key) as T | undefined;
    if (value === undefined) {
      value = create();
      level.set(key, value);
      this.count++;
    }
    return value;
  }

  /** Visits the leaves under `level` (at `depth`), deleting those `visit` answers true for and the levels left empty. */
  private walk(level: Map<string, unknown>, depth: number, visit: (value: T) => boolean): void {
    const leaves = depth >= this.width - 1;
    for (const [key, child] of level) {
      if (leaves) {
        if (visit(child as T)) {
          level.delete(key);
          this.count--;
        }
        continue;
      }
      const next = child as Map<string, unknown>;
      this.walk(next, depth + 1, visit);
      if (next.size === 0) level.delete(key);
    }
  }
}
