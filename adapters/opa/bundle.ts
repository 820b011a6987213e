import { parse as parseYaml } from 'yaml';
import { atPath, mergeData, type JsonObject } from './data-document.js';
import { ArchiveError, readTarGz } from './tar-archive.js';

/** What a bundle from `opa build -t wasm` holds that this adapter uses. */
export interface PolicyBundle {
  /** The compiled policy (`/policy.wasm`). */
  readonly wasm: Buffer;
  /** The bundle's data files merged into one document (`/roles/data.json` → `data.roles`). */
  readonly data: JsonObject;
}

/** Reads a bundle; throws an Error whose message says what is wrong with it. */
export async function readBundle(compressed: Uint8Array): Promise<PolicyBundle> {
  let files: Map<string, Buffer>;
  try {
    files = await readTarGz(compressed);
  } catch (error) {
    if (error instanceof ArchiveError) throw new Error(`not a bundle (.tar.gz): ${error.message}`);
    throw error;
  }
  const modules = [...files.keys()].filter((path) => path.endsWith('.wasm'));
  if (modules.length !== 1) {
    throw new Error(
      modules.length === 0
        ? 'the bundle has no wasm module (build it with `opa build -t wasm -e <entrypoint>`)'
        : `the bundle has ${modules.length} wasm modules (${modules.join(', ')}); one is supported`,
    );
  }
  return { wasm: files.get(modules[0]!)!, data: bundleData(files) };
}

function bundleData(files: ReadonlyMap<string, Buffer>): JsonObject {
  const documents: { depth: number; document: JsonObject }[] = [];
  for (const [path, content] of files) {
    const parts = path.split('/');
    const base = parts.pop()!;
    if (base !== 'data.json' && base !== 'data.yaml' && base !== 'data.yml') continue;
    let value: unknown;
    try {
      value = base === 'data.json' ? JSON.parse(content.toString('utf8')) : parseYaml(content.toString('utf8'));
    } catch (error) {
      throw new Error(`${path} in the bundle is not valid ${base === 'data.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
    }
    const document = atPath(parts, value ?? {});
    if (document === undefined) throw new Error(`${path} in the bundle must hold an object`);
    documents.push({ depth: parts.length, document });
  }
  documents.sort((a, b) => a.depth - b.depth);
  return mergeData(...documents.map((entry) => entry.document));
}
