import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import type { AdapterSources } from './adapter-sources.js';
import type { ConfigError } from './config-error.js';
import type { ConfigResource } from './config-resource.js';

/** The resource that lists a third-party adapter module in config (a Mixer extension to Istio's kinds). */
export const ADAPTER_MODULE_API_VERSION = 'mixer.dev/v1alpha1';
export const ADAPTER_MODULE_KIND = 'AdapterModule';

/**
 * The adapters config lists with
 * `apiVersion: mixer.dev/v1alpha1, kind: AdapterModule, spec: {module: ./path/or-package}`,
 * found through `sources`: an `--adapter` module, or a file inside an `--adapter-dir` directory
 * (a relative path is relative to the file that lists it). Any other module is a ConfigError on
 * `spec.module` and is never imported. The other adapters still load. Node caches modules: a
 * changed module file is picked up at the next restart, a newly listed one at the next reload.
 */
export async function loadConfigAdapterModules(resources: readonly ConfigResource[], sources: AdapterSources): Promise<{ adapters: AdapterInfo[]; errors: ConfigError[] }> {
  const adapters: AdapterInfo[] = [];
  const errors: ConfigError[] = [];
  for (const resource of resources) {
    if (resource.apiVersion !== ADAPTER_MODULE_API_VERSION || resource.kind !== ADAPTER_MODULE_KIND) continue;
    const fail = (message: string): void => {
      errors.push({
        file: resource.file,
        line: resource.positions.lineOf('spec.module'),
        kind: resource.kind,
        namespace: resource.namespace,
        name: resource.name,
        field: 'spec.module',
        message,
      });
    };
    const spec = resource.spec as { module?: unknown } | null;
    const specifier = typeof spec === 'object' && spec !== null ? spec.module : undefined;
    if (typeof specifier !== 'string' || specifier.trim() === '') {
      fail('expected the path or package name of a module exporting defineAdapter()');
      continue;
    }
    const found = await sources.adapterFor(specifier, resource.file);
    if ('problem' in found) fail(found.problem);
    else adapters.push(found);
  }
  return { adapters, errors };
}
