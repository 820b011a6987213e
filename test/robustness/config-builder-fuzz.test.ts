import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { BUILT_IN_ADAPTERS } from '../../adapters/inventory.js';
import { configResource, type ConfigResource } from '../../core/config/config-resource.js';
import { loadConfigPath } from '../../core/config/loader.js';
import { SnapshotBuilder } from '../../core/config/snapshot-builder.js';
import { conformanceDirectory, repositoryRoot } from '../support/conformance.js';

// The snapshot builder meets whatever YAML turned into: every stage must answer a mutated
// resource with config errors, never a throw. Seeds are real configs (the bookstore example and
// Istio's samples); each run replaces, removes or retypes parts of their specs and metadata.

const RUNS = Number(process.env['MIXER_CONFIG_BUILDER_RUNS'] ?? 300);

/** JSON data as yamlValue produces it, with the awkward corners weighted up. */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 64, -(2 ** 63), '', ' ', '0', 'true', '5s', '-1s', '1e309', '__proto__', 'constructor', '"', '\\', '\u0000', '\ud800', 'a.b.c', '*', '$(x)'),
    fc.string({ maxLength: 20 }),
    fc.double(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'name', 'params', 'match', 'handler', 'instances')), tie('value'), { maxKeys: 4 }).map(plainObject),
  ),
})).value;

/** fast-check's dictionaries have no prototype; YAML's maps are plain objects (with `__proto__` as an own key). */
function plainObject(entries: Record<string, unknown>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const key of Object.keys(entries)) Object.defineProperty(object, key, { value: entries[key], enumerable: true, writable: true, configurable: true });
  return object;
}

type Path = readonly (string | number)[];

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, index) => pathsOf(item, [...prefix, index], out));
  else if (typeof value === 'object' && value !== null) for (const key of Object.keys(value)) pathsOf((value as Record<string, unknown>)[key], [...prefix, key], out);
  return out;
}

/** A copy of `value` with the node at `path` replaced (or removed when `replacement` is REMOVE). */
function replaced(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement === REMOVE ? undefined : replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy: unknown[] = [...(value as unknown[])];
    if (replacement === REMOVE && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = replaced(copy[head as number], rest, replacement);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (key !== head) Object.defineProperty(copy, key, { value: entry, enumerable: true, writable: true, configurable: true });
    else if (!(replacement === REMOVE && rest.length === 0)) Object.defineProperty(copy, key, { value: replaced(entry, rest, replacement), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

const REMOVE = Symbol('remove');

interface Mutation {
  readonly resource: number;
  readonly path: number;
  readonly replacement: unknown;
  readonly field: 'spec' | 'kind' | 'name' | 'namespace';
}

function mutate(seeds: readonly ConfigResource[], mutations: readonly Mutation[]): ConfigResource[] {
  const resources = [...seeds];
  for (const mutation of mutations) {
    const index = mutation.resource % resources.length;
    const original = resources[index]!;
    const fields = { kind: original.kind, name: original.name, namespace: original.namespace, apiVersion: original.apiVersion, spec: original.spec, file: original.file, line: original.line };
    if (mutation.field === 'spec') {
      const paths = pathsOf(original.spec);
      fields.spec = replaced(original.spec, paths[mutation.path % paths.length]!, mutation.replacement);
    } else {
      fields[mutation.field] = typeof mutation.replacement === 'string' ? mutation.replacement : JSON.stringify(mutation.replacement) ?? '';
    }
    resources[index] = configResource(fields);
  }
  return resources;
}

async function seeds(): Promise<ConfigResource[]> {
  const directories = [join(repositoryRoot(), 'examples', 'bookstore'), join(conformanceDirectory(), 'istio-config')];
  if (!existsSync(directories[1]!) && process.env['CI'] === 'true') throw new Error(`conformance data missing under CI: ${directories[1]}`);
  const resources: ConfigResource[] = [];
  for (const directory of directories.filter((path) => existsSync(path))) resources.push(...(await loadConfigPath(directory)).resources);
  return resources;
}

test('mutated real configs build into snapshots with errors, never a throw', async () => {
  const resources = await seeds();
  assert.ok(resources.length > 50, `only ${resources.length} seed resources`);
  const builder = new SnapshotBuilder({ adapters: BUILT_IN_ADAPTERS.map((adapter) => adapter.info), environment: {} });
  const mutation = fc.record({
    resource: fc.nat(),
    path: fc.nat(),
    replacement: fc.oneof(jsonValue, fc.constant(REMOVE)),
    field: fc.constantFrom<Mutation['field']>('spec', 'spec', 'spec', 'spec', 'kind', 'name', 'namespace'),
  });
  // A subset of the seeds per run: faster builds, and references left dangling.
  const subset = fc.uniqueArray(fc.nat(resources.length - 1), { minLength: 1, maxLength: 30 }).map((indexes) => indexes.map((index) => resources[index]!));
  fc.assert(
    fc.property(subset, fc.array(mutation, { minLength: 1, maxLength: 6 }), (chosen, mutations) => {
      const snapshot = builder.build({ resources: mutate(chosen, mutations) });
      for (const error of snapshot.errors) {
        assert.equal(typeof error.line, 'number');
        assert.ok(error.message.length > 0);
      }
    }),
    { numRuns: RUNS, seed: Number(process.env['MIXER_FUZZ_SEED'] ?? 13) },
  );
});
