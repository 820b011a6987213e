/**
 * Test support (not a test file): reads the shared conformance vectors and turns their JSON
 * encoding (see spec/mixer-config.md, "Encoding used in the data files") into bags and back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertJsonValue } from '../../attribute/convert.js';
import { DictBag } from '../../attribute/dict-bag.js';
import { toJsonValue, type JsonValue } from '../../attribute/format.js';
import type { AttributeValue } from '../../attribute/value.js';
import { parseValueType } from '../../attribute/value-type.js';

/** The repository root: the nearest directory above this file holding package.json. */
function repositoryRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('package.json not found above the test file');
    directory = parent;
  }
  return directory;
}

/** `<repo>/../shared/conformance/<name>`. */
export function conformancePath(name: string): string {
  return resolve(repositoryRoot(), '..', 'shared', 'conformance', name);
}

/**
 * Reads a conformance file. When it is missing the suite skips, except on CI
 * (`CI=true`), where a missing file is a failure.
 */
export function readConformance<T>(name: string): { data: T } | { missing: string } {
  const path = conformancePath(name);
  if (!existsSync(path)) {
    if (process.env['CI'] === 'true') throw new Error(`conformance file missing on CI: ${path}`);
    return { missing: path };
  }
  return { data: JSON.parse(readFileSync(path, 'utf8')) as T };
}

/**
 * A bag from a vector's `input`, each value converted to its `attrTypes` type; a value that
 * does not convert (or an attribute without a type) goes in raw, as Istio's fake bag held it.
 */
export function bagFromVector(input: Readonly<Record<string, unknown>>, attrTypes: Readonly<Record<string, string>>): DictBag {
  const values: [string, AttributeValue][] = [];
  for (const [name, raw] of Object.entries(input)) {
    const typeName = attrTypes[name];
    const type = typeName === undefined ? undefined : parseValueType(typeName);
    let value = raw as AttributeValue;
    if (type !== undefined) {
      try {
        value = convertJsonValue(name, type, raw);
      } catch {
        value = raw as AttributeValue;
      }
    }
    values.push([name, value]);
  }
  return new DictBag(values);
}

/** A result in the vectors' encoding. */
export function encodeResult(value: unknown): JsonValue {
  return toJsonValue(value as AttributeValue);
}

export interface ExternSpec {
  readonly name: string;
  readonly instance: boolean;
  readonly args?: readonly string[];
  readonly target?: string;
  readonly returns: string;
}

/** The error `action` throws (failing the test when it returns normally). */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but none was thrown');
}
