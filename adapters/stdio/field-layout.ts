import type { InstanceValue } from '../../templates/template.js';

/**
 * The output order of one instance's variables (or dimensions): its names sorted, each with its
 * JSON-quoted text ready. Worked out once per instance shape instead of sorting and quoting the
 * names on every line.
 */
export class FieldLayout {
  /** The names in the order the instance object holds them (what `fits` compares against). */
  private readonly ownOrder: readonly string[];
  /** The names in output (sorted) order. */
  readonly names: readonly string[];
  /** `"name":` for each name in output order. */
  readonly quotedNames: readonly string[];

  constructor(ownOrder: readonly string[]) {
    this.ownOrder = ownOrder;
    this.names = [...ownOrder].sort();
    this.quotedNames = this.names.map((name) => `${JSON.stringify(name)}:`);
  }

  /** Whether `values` has exactly these names, in the same order (no allocation). */
  fits(values: Readonly<Record<string, InstanceValue>>): boolean {
    let index = 0;
    for (const name in values) {
      if (this.ownOrder[index] !== name) return false;
      index++;
    }
    return index === this.ownOrder.length;
  }
}

/** One layout per instance name, rebuilt when an instance of that name changes shape. */
export class FieldLayouts {
  private readonly byInstance = new Map<string, FieldLayout>();

  layoutFor(instanceName: string, values: Readonly<Record<string, InstanceValue>>): FieldLayout {
    const cached = this.byInstance.get(instanceName);
    if (cached?.fits(values) === true) return cached;
    const layout = new FieldLayout(Object.keys(values));
    this.byInstance.set(instanceName, layout);
    return layout;
  }
}
