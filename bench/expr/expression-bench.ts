import { parse as parseCelLibrary } from '@marcbachmann/cel-js';
import type { AttributeBag } from '../../core/attribute/bag.js';
import { bagFromJson } from '../../core/attribute/convert.js';
import { AttributeManifest } from '../../core/attribute/manifest.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { ExpressionLanguage } from '../../core/expr/expression.js';
import { ExpressionCompilers } from '../../core/expr/expression-compilers.js';
import { measureRate, printBench, type BenchOptions } from '../harness.js';

/** One typical match, written in each language, plus the hand-written function that is its ceiling. */
interface ExpressionCase {
  readonly name: string;
  readonly cexl: string;
  readonly cel: string;
  /** The same in plain CEL for the library (no Istio `pick`); defaults to `cel`. */
  readonly celLibrary?: string;
  readonly handwritten: (bag: AttributeBag) => boolean;
  /** Attribute sets the evaluations rotate through (matching and not matching). */
  readonly requests: readonly Record<string, unknown>[];
}

function header(bag: AttributeBag, map: string, key: string): string | undefined {
  const value = bag.get(map);
  return value instanceof StringMap ? bag.lookupKey(value, key) : undefined;
}

const API_PATH = /^\/api\/v[0-9]+\/users\/[a-z]+$/;

const CASES: readonly ExpressionCase[] = [
  {
    name: 'single_equality',
    cexl: 'source.namespace == "default"',
    cel: 'source.namespace == "default"',
    handwritten: (bag) => bag.get('source.namespace') === 'default',
    requests: [{ 'source.namespace': 'default' }, { 'source.namespace': 'istio-system' }, { 'source.namespace': 'prod' }],
  },
  {
    name: 'header_equality',
    cexl: 'request.headers["x-user"] == "admin"',
    cel: 'request.headers["x-user"] == "admin"',
    handwritten: (bag) => header(bag, 'request.headers', 'x-user') === 'admin',
    requests: [
      { 'request.headers': { 'x-user': 'admin', ':path': '/' } },
      { 'request.headers': { 'x-user': 'jason', ':path': '/' } },
      { 'request.headers': { 'x-user': 'root', accept: '*/*' } },
    ],
  },
  {
    name: 'two_label_equalities',
    cexl: 'destination.labels["app"] == "reviews" && destination.labels["version"] == "v2"',
    cel: 'destination.labels["app"] == "reviews" && destination.labels["version"] == "v2"',
    handwritten: (bag) => header(bag, 'destination.labels', 'app') === 'reviews' && header(bag, 'destination.labels', 'version') === 'v2',
    requests: [
      { 'destination.labels': { app: 'reviews', version: 'v2' } },
      { 'destination.labels': { app: 'reviews', version: 'v1' } },
      { 'destination.labels': { app: 'ratings', version: 'v2' } },
    ],
  },
  {
    name: 'prefix',
    cexl: 'request.path.startsWith("/api/")',
    cel: 'request.path.startsWith("/api/")',
    handwritten: (bag) => (bag.get('request.path') as string).startsWith('/api/'),
    requests: [{ 'request.path': '/api/v1/users/bob' }, { 'request.path': '/healthz' }, { 'request.path': '/api/v2/orders' }],
  },
  {
    name: 'regex',
    cexl: '"^/api/v[0-9]+/users/[a-z]+$".matches(request.path)',
    cel: 'request.path.matches("^/api/v[0-9]+/users/[a-z]+$")',
    handwritten: (bag) => API_PATH.test(bag.get('request.path') as string),
    requests: [{ 'request.path': '/api/v1/users/bob' }, { 'request.path': '/api/v2/orders/1' }, { 'request.path': '/healthz' }],
  },
  {
    name: 'default_chain',
    cexl: '(request.headers["x-tenant"] | source.labels["tenant"] | "default") == "acme"',
    cel: 'pick(request.headers["x-tenant"], source.labels["tenant"], "default") == "acme"',
    celLibrary:
      '("x-tenant" in request.headers ? request.headers["x-tenant"] : "tenant" in source.labels ? source.labels["tenant"] : "default") == "acme"',
    handwritten: (bag) => (header(bag, 'request.headers', 'x-tenant') ?? header(bag, 'source.labels', 'tenant') ?? 'default') === 'acme',
    requests: [
      { 'request.headers': { 'x-tenant': 'acme' }, 'source.labels': { tenant: 'other' } },
      { 'request.headers': {}, 'source.labels': { tenant: 'acme' } },
      { 'request.headers': {}, 'source.labels': {} },
    ],
  },
  {
    name: 'five_clause_rule',
    cexl:
      'destination.service.host == "reviews.default.svc.cluster.local" && request.method == "GET" && request.path.startsWith("/reviews") && (request.headers["x-user"] | "anonymous") != "blocked" && source.namespace == "default"',
    cel:
      'destination.service.host == "reviews.default.svc.cluster.local" && request.method == "GET" && request.path.startsWith("/reviews") && pick(request.headers["x-user"], "anonymous") != "blocked" && source.namespace == "default"',
    celLibrary:
      'destination.service.host == "reviews.default.svc.cluster.local" && request.method == "GET" && request.path.startsWith("/reviews") && ("x-user" in request.headers ? request.headers["x-user"] : "anonymous") != "blocked" && source.namespace == "default"',
    handwritten: (bag) =>
      bag.get('destination.service.host') === 'reviews.default.svc.cluster.local' &&
      bag.get('request.method') === 'GET' &&
      (bag.get('request.path') as string).startsWith('/reviews') &&
      (header(bag, 'request.headers', 'x-user') ?? 'anonymous') !== 'blocked' &&
      bag.get('source.namespace') === 'default',
    requests: [
      {
        'destination.service.host': 'reviews.default.svc.cluster.local',
        'request.method': 'GET',
        'request.path': '/reviews/1',
        'request.headers': { 'x-user': 'jason' },
        'source.namespace': 'default',
      },
      {
        'destination.service.host': 'reviews.default.svc.cluster.local',
        'request.method': 'GET',
        'request.path': '/reviews/2',
        'request.headers': {},
        'source.namespace': 'default',
      },
      {
        'destination.service.host': 'ratings.default.svc.cluster.local',
        'request.method': 'POST',
        'request.path': '/ratings',
        'request.headers': { 'x-user': 'blocked' },
        'source.namespace': 'prod',
      },
    ],
  },
];

/** The same attributes as nested plain objects, the input form of the CEL library. */
function nestedContext(request: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request)) {
    const parts = name.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}

/**
 * Evaluations per second of typical rule matches: compiled CEXL, our CEL, the
 * @marcbachmann/cel-js library, and a hand-written function over the same bag (the ceiling).
 */
export function runExpressionBench(options: BenchOptions): void {
  const manifest = AttributeManifest.standard();
  const compilers = new ExpressionCompilers(manifest);
  const table: string[] = [];
  for (const benchCase of CASES) {
    const bags = benchCase.requests.map((request) => bagFromJson(request, manifest));
    const count = bags.length;
    const cexl = compilers.compile(benchCase.cexl, ExpressionLanguage.CEXL);
    const cel = compilers.compile(benchCase.cel, ExpressionLanguage.CEL);
    const library = parseCelLibrary(benchCase.celLibrary ?? benchCase.cel);
    const contexts = benchCase.requests.map(nestedContext);

    // The engines must agree before their speed means anything.
    for (let index = 0; index < count; index++) {
      const want = benchCase.handwritten(bags[index]!);
      const got = [cexl.evaluate(bags[index]!), cel.evaluate(bags[index]!), library(contexts[index])];
      if (got.some((value) => value !== want)) {
        throw new Error(`${benchCase.name}: engines disagree on request ${index}: want ${String(want)}, got ${got.map(String).join(', ')}`);
      }
    }

    const results = [
      measureRate('handwritten', (index) => benchCase.handwritten(bags[index % count]!), options),
      measureRate('cexl', (index) => cexl.evaluate(bags[index % count]!), options),
      measureRate('cel', (index) => cel.evaluate(bags[index % count]!), options),
      measureRate('cel_library', (index) => library(contexts[index % count]), options),
    ];
    const ceiling = results[0]!.perSecond;
    for (const result of results) printBench(`expr.${benchCase.name}.${result.name}`, result.perSecond, 'evals/s');
    for (const result of results.slice(1)) printBench(`expr.${benchCase.name}.${result.name}_vs_handwritten`, result.perSecond / ceiling, 'ratio');
    table.push(
      `${benchCase.name.padEnd(22)} ${results.map((result) => `${result.name} ${(result.perSecond / 1e6).toFixed(2)}M (${(result.perSecond / ceiling).toFixed(2)}x)`).join('  ')}`,
    );
  }
  process.stderr.write(`${table.join('\n')}\n`);
}
