import fc from 'fast-check';

// The config the fuzz keeps good, and the broken changes it writes over it. Every change is
// broken for a reason Mixer must report (with a file and line), so every one must be rejected.

/** The deny handler and its instance. */
export const HANDLERS_YAML = `apiVersion: config.istio.io/v1alpha2
kind: handler
metadata:
  name: deny
  namespace: istio-system
spec:
  compiledAdapter: denier
  params:
    status:
      code: 7
      message: ratings is closed
---
apiVersion: config.istio.io/v1alpha2
kind: instance
metadata:
  name: nothing
  namespace: istio-system
spec:
  compiledTemplate: checknothing
`;

/** The rule sending requests to ratings to the deny handler; every other request is allowed. */
export const RULES_YAML = `apiVersion: config.istio.io/v1alpha2
kind: rule
metadata:
  name: deny-ratings
  namespace: istio-system
spec:
  match: destination.labels["app"] == "ratings"
  actions:
  - handler: deny
    instances: [ nothing ]
`;

/** The good config as one file. */
export const DENY_POLICY = `${HANDLERS_YAML}---\n${RULES_YAML}`;

/** The good config as files in the config directory. */
export const GOOD_FILES: Readonly<Record<string, string>> = { 'handlers.yaml': HANDLERS_YAML, 'rules.yaml': RULES_YAML };

/** The Check the deny rule matches, and what the good config answers it. */
export const RATINGS: Readonly<Record<string, unknown>> = { 'destination.labels': { app: 'ratings' } };
export const DENIED = { status: 200, code: 7, message: 'deny.handler.istio-system:ratings is closed' } as const;

/** A Check no rule matches, and what the good config answers it. */
export const PRODUCTPAGE: Readonly<Record<string, unknown>> = { 'destination.labels': { app: 'productpage' } };
export const ALLOWED = { status: 200, code: 0, message: undefined } as const;

/** The file broken changes that add a file write to. */
export const EXTRA_FILE = 'zz-extra.yaml';

/** One broken change: what to write where, and which file the errors must name. */
export interface BrokenChange {
  /** What kind of breakage (for reports). */
  readonly family: string;
  /** The file written: one of GOOD_FILES, replaced, or EXTRA_FILE, added. */
  readonly file: string;
  readonly content: string | Uint8Array;
  /** The file Mixer's errors must name (the written one unless a reference breaks elsewhere). */
  readonly errorFile: string;
}

function lines(text: string): string[] {
  return text.slice(0, -1).split('\n');
}

function joinLines(list: readonly string[]): string {
  return `${list.join('\n')}\n`;
}

const GOOD_FILE_NAMES = Object.keys(GOOD_FILES);

/** A good file and the index of one of its lines that `accept` takes. */
function lineOf(accept: (line: string) => boolean): fc.Arbitrary<{ file: string; index: number; lines: string[] }> {
  return fc.constantFrom(...GOOD_FILE_NAMES).chain((file) => {
    const all = lines(GOOD_FILES[file]!);
    const indexes = all.map((line, index) => (accept(line) ? index : -1)).filter((index) => index >= 0);
    return fc.constantFrom(...indexes).map((index) => ({ file, index, lines: [...all] }));
  });
}

const isKeyValue = (line: string): boolean => /^\s*[A-Za-z]+: \S/.test(line) && !line.trimStart().startsWith('-');

/** A syntax error somewhere in one of the good files. */
const syntaxError: fc.Arbitrary<BrokenChange> = fc.oneof(
  lineOf((line) => line !== '---').map(({ file, index, lines: all }) => {
    all.splice(index + 1, 0, `${all[index]!.match(/^\s*/)![0]}broken: "unterminated`);
    return { family: 'syntax: unterminated quote', file, content: joinLines(all), errorFile: file };
  }),
  lineOf((line) => line !== '---').map(({ file, index, lines: all }) => {
    all.splice(index + 1, 0, `${all[index]!.match(/^\s*/)![0]}broken: [ unclosed, flow`);
    return { family: 'syntax: unclosed flow list', file, content: joinLines(all), errorFile: file };
  }),
  lineOf((line) => /^ +\S/.test(line)).map(({ file, index, lines: all }) => {
    all[index] = all[index]!.replace(/^ +/, '\t');
    return { family: 'syntax: tab indentation', file, content: joinLines(all), errorFile: file };
  }),
  lineOf(isKeyValue).map(({ file, index, lines: all }) => {
    all.splice(index + 1, 0, all[index]!);
    return { family: 'syntax: duplicate key', file, content: joinLines(all), errorFile: file };
  }),
  lineOf(isKeyValue).map(({ file, index, lines: all }) => {
    all[index] = `${all[index]}: nested`;
    return { family: 'syntax: nested compact mapping', file, content: joinLines(all), errorFile: file };
  }),
);

/** A value replaced by an alias to an anchor that does not exist. */
const unresolvedAlias: fc.Arbitrary<BrokenChange> = fc.tuple(lineOf(isKeyValue), fc.nat(99)).map(([{ file, index, lines: all }, anchor]) => {
  all[index] = all[index]!.replace(/: .*$/, `: *a${anchor}`);
  return { family: 'unresolved alias', file, content: joinLines(all), errorFile: file };
});

function handlerWith(params: readonly string[]): string {
  return joinLines(['apiVersion: config.istio.io/v1alpha2', 'kind: handler', 'metadata:', '  name: extra', '  namespace: istio-system', 'spec:', '  compiledAdapter: denier', '  params:', ...params.map((line) => `    ${line}`)]);
}

/** Billion Laughs: each level a list of `width` aliases to the level below. */
const aliasBomb: fc.Arbitrary<BrokenChange> = fc.record({ width: fc.integer({ min: 10, max: 20 }), depth: fc.integer({ min: 5, max: 9 }) }).map(({ width, depth }) => {
  const levels = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let level = 1; level <= depth; level++) levels.push(`l${level}: &l${level} [${Array(width).fill(`*l${level - 1}`).join(', ')}]`);
  return { family: 'alias bomb', file: EXTRA_FILE, content: handlerWith(levels), errorFile: EXTRA_FILE };
});

/** An alias inside the node it names. */
const aliasCycle: fc.Arbitrary<BrokenChange> = fc.constantFrom('status: &s { code: *s }', 'status: &s [ *s ]', 'list: &s\n  - more: *s').map((cycle) => ({
  family: 'alias cycle',
  file: EXTRA_FILE,
  content: handlerWith(cycle.split('\n')),
  errorFile: EXTRA_FILE,
}));

/**
 * Flow lists nested past Mixer's limit (100) and past the parser's stack; block maps past the
 * limit; one line of a million `[` or `- ` (parsing it would take gigabytes).
 */
const deepNesting: fc.Arbitrary<BrokenChange> = fc.oneof(
  fc.tuple(fc.constantFrom('[', '- ', '{ a: '), fc.integer({ min: 100_000, max: 2_000_000 })).map(([opener, depth]) => ({
    family: 'nesting bomb',
    file: EXTRA_FILE,
    content: `kind: handler\nspec: ${opener.repeat(depth)}\n`,
    errorFile: EXTRA_FILE,
  })),
  fc.integer({ min: 101, max: 50_000 }).map((depth) => ({ family: 'deep nesting (flow)', file: EXTRA_FILE, content: handlerWith([`deep: ${'['.repeat(depth)}${']'.repeat(depth)}`]), errorFile: EXTRA_FILE })),
  fc.integer({ min: 101, max: 400 }).map((depth) => ({
    family: 'deep nesting (block)',
    file: EXTRA_FILE,
    content: handlerWith(Array.from({ length: depth }, (_, level) => `${' '.repeat(level)}k:`).concat(`${' '.repeat(depth)}leaf`)),
    errorFile: EXTRA_FILE,
  })),
);

/** A good file with one value of the wrong type. */
const wrongType: fc.Arbitrary<BrokenChange> = fc.constantFrom(
  ['handlers.yaml', '      code: 7', '      code: seven'],
  ['handlers.yaml', '      code: 7', '      code: [ 7 ]'],
  ['handlers.yaml', '  compiledAdapter: denier', '  compiledAdapter: { name: denier }'],
  ['handlers.yaml', '    status:', '    status: 12'],
  ['handlers.yaml', '  name: deny', '  name: [ deny ]'],
  ['handlers.yaml', '  compiledTemplate: checknothing', '  compiledTemplate: 3'],
  ['rules.yaml', '    instances: [ nothing ]', '    instances: nothing'],
  ['rules.yaml', '  match: destination.labels["app"] == "ratings"', '  match: [ 1, 2 ]'],
  ['rules.yaml', '  actions:', '  actions: 42\n  x:'],
  ['rules.yaml', 'metadata:', 'metadata: [ deny-ratings ]\nx:'],
).map(([file, from, to]) => ({ family: 'wrong type', file, content: GOOD_FILES[file]!.replace(from, to), errorFile: file }));

/** A field no schema has, at spec level or inside params. */
const unknownField: fc.Arbitrary<BrokenChange> = fc.tuple(
  fc.constantFrom(['handlers.yaml', '  compiledAdapter: denier'], ['handlers.yaml', '      code: 7'], ['rules.yaml', '  match: destination.labels["app"] == "ratings"'], ['handlers.yaml', '  compiledTemplate: checknothing']),
  fc.stringMatching(/^[a-z][a-zA-Z]{2,12}$/),
).map(([[file, anchor], name]) => {
  const indent = anchor.match(/^\s*/)![0];
  return { family: 'unknown field', file, content: GOOD_FILES[file]!.replace(anchor, `${anchor}\n${indent}${name}Xyz: red`), errorFile: file };
});

/** The handler's or instance's kind misspelt: the rule's reference dangles (the error is in rules.yaml). */
const unknownKind: fc.Arbitrary<BrokenChange> = fc.tuple(fc.constantFrom('handler', 'instance'), fc.constantFrom('handlr', 'Handler', 'hander', 'instanse', 'Instance', 'HANDLER')).map(([kind, typo]) => ({
  family: 'unknown kind',
  file: 'handlers.yaml',
  content: HANDLERS_YAML.replace(`kind: ${kind}`, `kind: ${typo}`),
  errorFile: 'rules.yaml',
}));

/** The rule's match replaced by an expression that does not compile (syntax, unknown attribute, type). */
const badExpression: fc.Arbitrary<BrokenChange> = fc
  .oneof(
    fc.constantFrom('destination.labels["app"] ==', 'destination.labels["app"] = "ratings"', 'nosuch.attribute == "x"', 'request.size == "big"', 'destination.labels["app"', '"ratings"', '1 + ', 'match(destination.labels["app"])', '!!!', '&& ||'),
    fc.stringMatching(/^[a-z]{3,10}\.[a-z]{3,10} (==|!=|<) [0-9]{1,4}$/),
  )
  // Single-quoted YAML takes any text ('' for a quote).
  .map((expression) => ({ family: 'bad expression', file: 'rules.yaml', content: RULES_YAML.replace('destination.labels["app"] == "ratings"', `'${expression.replaceAll("'", "''")}'`), errorFile: 'rules.yaml' }));

/** The rule naming a handler or instance that does not exist. */
const danglingReference: fc.Arbitrary<BrokenChange> = fc.tuple(fc.boolean(), fc.stringMatching(/^[a-z]{3,12}$/)).map(([handler, name]) => ({
  family: 'dangling reference',
  file: 'rules.yaml',
  content: handler ? RULES_YAML.replace('handler: deny', `handler: no-${name}`) : RULES_YAML.replace('[ nothing ]', `[ nothing, no-${name} ]`),
  errorFile: 'rules.yaml',
}));

/** Random bytes after a list marker: never a resource, whatever the bytes say. */
const binaryJunk: fc.Arbitrary<BrokenChange> = fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((bytes) => {
  const content = new Uint8Array(bytes.length + 2);
  content.set([0x2d, 0x20]);
  content.set(bytes, 2);
  return { family: 'binary junk', file: EXTRA_FILE, content, errorFile: EXTRA_FILE };
});

/** handlers.yaml emptied (a truncated write): the rule's references dangle. */
const emptyFile: fc.Arbitrary<BrokenChange> = fc.constant({ family: 'empty file', file: 'handlers.yaml', content: '', errorFile: 'rules.yaml' });

/** Over the 8 MiB limit (never parsed), or large and broken at its end (parsed, then rejected). */
const hugeFile: fc.Arbitrary<BrokenChange> = fc.oneof(
  fc.integer({ min: 1, max: 1024 * 1024 }).map((extra) => ({ family: 'huge file', file: EXTRA_FILE, content: `${'# padding\n'.repeat((8 * 1024 * 1024 + extra) / 10 + 1)}`, errorFile: EXTRA_FILE })),
  fc.integer({ min: 1000, max: 5000 }).map((count) => ({
    family: 'large file broken at its end',
    file: EXTRA_FILE,
    content: `${'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: filler }\ndata: { key: value }\n---\n'.repeat(count)}kind: [ unclosed\n`,
    errorFile: EXTRA_FILE,
  })),
);

/** Every family of broken change, equally likely. */
export const brokenChange: fc.Arbitrary<BrokenChange> = fc.oneof(
  syntaxError,
  unresolvedAlias,
  aliasBomb,
  aliasCycle,
  deepNesting,
  wrongType,
  unknownField,
  unknownKind,
  badExpression,
  danglingReference,
  binaryJunk,
  emptyFile,
  hugeFile,
);
