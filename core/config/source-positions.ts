import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/**
 * Where each field of one resource is written: the 1-based line of every path
 * (`spec.actions[1].handler`) in its YAML document. Paths are looked up ignoring the
 * snake_case / lowerCamelCase difference, since config may use either; a path with no line of
 * its own gets its nearest written ancestor's, and finally the resource's line.
 */
export class SourcePositions {
  private constructor(
    private readonly lines: ReadonlyMap<string, number>,
    /** The line the resource starts on. */
    readonly line: number,
  ) {}

  /** Positions of a document's contents. */
  static of(contents: Node | null | undefined, lineCounter: LineCounter): SourcePositions {
    const lines = new Map<string, number>();
    const line = contents?.range === undefined || contents.range === null ? 1 : lineCounter.linePos(contents.range[0]).line;
    if (contents !== null && contents !== undefined) index(contents, '', lineCounter, lines);
    return new SourcePositions(lines, line);
  }

  /** Positions for a resource built without YAML (tests, other stores): every field on `line`. */
  static at(line: number): SourcePositions {
    return new SourcePositions(new Map(), line);
  }

  /** The line of `path`, or of its nearest ancestor written in the file. */
  lineOf(path: string): number {
    let current = normalize(path);
    for (;;) {
      if (current === '') return this.line;
      const line = this.lines.get(current);
      if (line !== undefined) return line;
      current = parent(current);
    }
  }
}

function index(node: Node, path: string, lineCounter: LineCounter, lines: Map<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const childPath = path === '' ? key : `${path}.${key}`;
      const range = pair.key.range;
      if (range !== undefined && range !== null) setLine(lines, childPath, lineCounter.linePos(range[0]).line);
      if (pair.value !== null && typeof pair.value === 'object') index(pair.value as Node, childPath, lineCounter, lines);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, position) => {
      const childPath = `${path}[${position}]`;
      if (item === null || typeof item !== 'object') return;
      const range = (item as Node).range;
      if (range !== undefined && range !== null) setLine(lines, childPath, lineCounter.linePos(range[0]).line);
      index(item as Node, childPath, lineCounter, lines);
    });
  }
}

function setLine(lines: Map<string, number>, path: string, line: number): void {
  const key = normalize(path);
  if (!lines.has(key)) lines.set(key, line);
}

function normalize(path: string): string {
  return path.replace(/_([a-z0-9])/g, (_all, letter: string) => letter.toUpperCase());
}

/** `a.b[2]` → `a.b`, `a.b` → `a`, `a` → ''. */
function parent(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}
