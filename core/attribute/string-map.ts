/**
 * A STRING_MAP attribute value (headers, labels, claims). It carries the name of the attribute
 * it was read from so that key lookups can be recorded as referenced attributes (`map[key]`);
 * maps built by expressions (emptyStringMap()) have an empty name and are not recorded.
 * Immutable. It is backed by a Map or, to avoid copying on the request path, by a plain record
 * that nobody else holds (a parsed JSON object).
 */
export class StringMap {
  static readonly EMPTY = new StringMap(new Map(), '');

  private map: ReadonlyMap<string, string> | undefined;
  private readonly record: Readonly<Record<string, string>> | undefined;

  constructor(entries: ReadonlyMap<string, string>, name: string);
  constructor(entries: ReadonlyMap<string, string> | undefined, name: string, record: Readonly<Record<string, string>>);
  constructor(
    entries: ReadonlyMap<string, string> | undefined,
    readonly name: string,
    record?: Readonly<Record<string, string>>,
  ) {
    this.map = entries;
    this.record = record;
  }

  /** Copies `object`'s entries. */
  static fromObject(object: Readonly<Record<string, string>>, name = ''): StringMap {
    return new StringMap(new Map(Object.entries(object)), name);
  }

  /**
   * Wraps `record` without copying: the caller hands it over and must not change it (the HTTP
   * API does this with the JSON it parsed). Every value must be a string.
   */
  static adopt(record: Readonly<Record<string, string>>, name: string): StringMap {
    return new StringMap(undefined, name, record);
  }

  get(key: string): string | undefined {
    if (this.record !== undefined) return Object.hasOwn(this.record, key) ? this.record[key] : undefined;
    return this.map!.get(key);
  }

  has(key: string): boolean {
    return this.record !== undefined ? Object.hasOwn(this.record, key) : this.map!.has(key);
  }

  /** The entries as a Map (built once for a record-backed map). */
  get entries(): ReadonlyMap<string, string> {
    this.map ??= new Map(Object.entries(this.record!));
    return this.map;
  }

  /**
   * Calls `visit(key, value, context)` for every entry, in the order `entries` has them, without
   * building a Map for a record-backed map (encoders walk maps once per request).
   */
  forEachEntry<Context>(visit: (key: string, value: string, context: Context) => void, context: Context): void {
    if (this.map !== undefined) {
      for (const [key, value] of this.map) visit(key, value, context);
      return;
    }
    const record = this.record!;
    for (const key of Object.keys(record)) visit(key, record[key]!, context);
  }

  /** The same entries under another attribute name. */
  withName(name: string): StringMap {
    if (name === this.name) return this;
    return this.record !== undefined ? new StringMap(undefined, name, this.record) : new StringMap(this.map!, name);
  }

  get size(): number {
    return this.record !== undefined ? Object.keys(this.record).length : this.map!.size;
  }

  toObject(): Record<string, string> {
    const object: Record<string, string> = {};
    for (const [key, value] of [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) object[key] = value;
    return object;
  }

  toJSON(): Record<string, string> {
    return this.toObject();
  }
}
