/**
 * A STRING_MAP attribute value (headers, labels, claims). It carries the name of the attribute
 * it was read from so that key lookups can be recorded as referenced attributes (`map[key]`);
 * maps built by expressions (emptyStringMap()) have an empty name and are not recorded.
 * Immutable.
 */
export class StringMap {
  static readonly EMPTY = new StringMap(new Map(), '');

  constructor(
    readonly entries: ReadonlyMap<string, string>,
    readonly name: string,
  ) {}

  static fromObject(object: Readonly<Record<string, string>>, name = ''): StringMap {
    return new StringMap(new Map(Object.entries(object)), name);
  }

  /** The same entries under another attribute name. */
  withName(name: string): StringMap {
    return name === this.name ? this : new StringMap(this.entries, name);
  }

  get size(): number {
    return this.entries.size;
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
