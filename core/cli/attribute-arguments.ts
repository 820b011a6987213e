import { readFileSync } from 'node:fs';
import { bagFromJson } from '../attribute/convert.js';
import type { DictBag } from '../attribute/dict-bag.js';
import type { AttributeManifest } from '../attribute/manifest.js';
import { UsageError } from './command.js';

/**
 * Builds a request's attributes from the command line: `--attributes JSON` (or `@file.json`)
 * first, then each `-a name=value` on top. Values are typed by the manifest
 * (`-a request.size=512`, `-a source.ip=10.0.0.1`, `-a 'request.headers={"x-user":"bob"}'`).
 */
export function attributesFromArguments(
  manifest: AttributeManifest,
  json: string | undefined,
  pairs: readonly string[],
): DictBag {
  const values: Record<string, unknown> = {};
  if (json !== undefined) {
    const text = json.startsWith('@') ? readAttributesFile(json.slice(1)) : json;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--attributes: not valid JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError('--attributes: expected a JSON object of attribute name to value');
    }
    Object.assign(values, parsed);
  }
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) throw new UsageError(`-a ${pair}: expected name=value`);
    values[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return bagFromJson(values, manifest);
}

function readAttributesFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--attributes @${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
