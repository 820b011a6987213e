import { isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/**
 * Bounds on what one file's YAML may expand to. The `yaml` library's own `toJS` throws on an
 * unresolved alias, an alias bomb or a bad merge key, and returns cyclic values for an alias
 * inside its own anchor, which every later walk over the spec then follows forever.
 */
export interface YamlValueLimits {
  /** Nesting depth of maps and lists, counting what aliases bring in. */
  readonly maxDepth: number;
  /** Nodes that aliases may copy in, over all the documents of one file (Billion Laughs). */
  readonly maxAliasedNodes: number;
}

export const DEFAULT_YAML_LIMITS: YamlValueLimits = Object.freeze({ maxDepth: 100, maxAliasedNodes: 100_000 });

/** One reason a document cannot become a value, on its line. */
export interface YamlValueProblem {
  readonly line: number;
  readonly message: string;
}

/** Nodes aliases have copied in so far in one file, shared by its documents. */
export class AliasBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

/**
 * Turns one parsed YAML document into plain JSON data (objects, arrays, strings, numbers,
 * booleans, null), as Kubernetes' YAML-to-JSON reading does, or says on which line why not:
 * an alias with no anchor before it, an alias inside the node it names (a cycle), aliases that
 * expand past the budget, nesting past the depth limit, a merge key (`<<`) whose value is not a
 * map or a list of maps, a map or list used as a key, or a value of a YAML 1.1 type JSON lacks
 * (`!!binary`, `!!timestamp`, `!!omap`, `!!pairs`). Never throws on input: the first problem
 * stops the document.
 */
export function yamlValue(contents: Node | null | undefined, lineCounter: LineCounter, budget: AliasBudget, maxDepth = DEFAULT_YAML_LIMITS.maxDepth): { value: unknown } | { problem: YamlValueProblem } {
  const converter = new Converter(lineCounter, budget, maxDepth);
  const converted = converter.convert(contents, 0);
  return converter.problem === undefined ? { value: converted.value } : { problem: converter.problem };
}

/** A converted node: its value, how many nodes it stands for, and how deeply it nests. */
interface Converted {
  readonly value: unknown;
  readonly size: number;
  readonly height: number;
}

/** An anchor: `open` while its own node is being converted (an alias to it then is a cycle). */
type Anchor = { readonly open: true } | ({ readonly open: false } & Converted);

const NOTHING: Converted = { value: null, size: 1, height: 0 };

class Converter {
  problem: YamlValueProblem | undefined;
  private readonly anchors = new Map<string, Anchor>();

  constructor(
    private readonly lineCounter: LineCounter,
    private readonly budget: AliasBudget,
    private readonly maxDepth: number,
  ) {}

  convert(node: unknown, depth: number): Converted {
    if (this.problem !== undefined || node === null || node === undefined) return NOTHING;
    if (isAlias(node)) return this.alias(node.source, node, depth);
    const anchor = (node as Node).anchor;
    if (anchor !== undefined) this.anchors.set(anchor, { open: true });
    const converted = this.node(node as Node, depth);
    if (anchor !== undefined) this.anchors.set(anchor, { open: false, ...converted });
    return converted;
  }

  private node(node: Node, depth: number): Converted {
    if (isScalar(node)) {
      const value = node.value;
      if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { value, size: 1, height: 0 };
      return this.fail(node, `${describe(value)} values are not supported: write it as a string`);
    }
    if (depth >= this.maxDepth) return this.fail(node, `nested more than ${this.maxDepth} levels deep`);
    if (isSeq(node)) {
      const items: unknown[] = [];
      let size = 1;
      let height = 0;
      for (const item of node.items) {
        if (isPair(item)) return this.fail(node, 'ordered maps and pairs (!!omap, !!pairs) are not supported: write a map or a list');
        const converted = this.convert(item, depth + 1);
        items.push(converted.value);
        size += converted.size;
        height = Math.max(height, converted.height + 1);
      }
      return { value: items, size, height };
    }
    if (isMap(node)) {
      const map: Record<string, unknown> = {};
      let size = 1;
      let height = 0;
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const converted = this.convert(pair.value, depth + 1);
        size += converted.size;
        height = Math.max(height, converted.height + 1);
        if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
          this.merge(map, converted.value, (pair.value as Node | null) ?? keyNode);
          continue;
        }
        const key = this.key(keyNode, depth + 1);
        if (key === undefined) continue;
        setOwn(map, key, converted.value);
      }
      return { value: map, size, height };
    }
    return this.fail(node, 'unexpected YAML node');
  }

  private alias(source: string, node: Node, depth: number): Converted {
    const anchor = this.anchors.get(source);
    if (anchor === undefined) return this.fail(node, `unresolved alias *${source}: no anchor &${source} before it`);
    if (anchor.open) return this.fail(node, `alias *${source} is inside the node anchored &${source}: a cycle`);
    if (depth + anchor.height > this.maxDepth) return this.fail(node, `alias *${source} nests its value more than ${this.maxDepth} levels deep`);
    this.budget.used += anchor.size;
    if (this.budget.used > this.budget.limit) {
      return this.fail(node, `aliases expand to more than ${this.budget.limit} nodes in this file (an alias bomb?)`);
    }
    return anchor;
  }

  /** `<<: *base` or `<<: [*a, *b]`: copies keys the map does not have yet; earlier sources win. */
  private merge(map: Record<string, unknown>, value: unknown, at: Node): void {
    const sources = Array.isArray(value) ? value : [value];
    for (const source of sources) {
      if (!isPlainMap(source)) {
        this.fail(at, 'a merge key (<<) takes a map or a list of maps');
        return;
      }
      for (const [key, entry] of Object.entries(source)) if (!Object.hasOwn(map, key)) setOwn(map, key, entry);
    }
  }

  private key(node: Node | null, depth: number): string | undefined {
    const key = node === null ? NOTHING : this.convert(node, depth);
    if (this.problem !== undefined) return undefined;
    const value = key.value;
    if (value === null) return '';
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.fail(node, 'a map key must be a string, not a map or a list');
    return undefined;
  }

  private fail(node: Node | null, message: string): Converted {
    if (this.problem === undefined) {
      const offset = node?.range?.[0];
      this.problem = { line: offset === undefined ? 1 : this.lineCounter.linePos(offset).line, message };
    }
    return NOTHING;
  }
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property even for `__proto__`, which plain assignment would take as the prototype. */
function setOwn(map: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}

function describe(value: unknown): string {
  if (value instanceof Date) return '!!timestamp';
  if (value instanceof Uint8Array) return '!!binary';
  if (typeof value === 'bigint') return 'big integer';
  return typeof value;
}
