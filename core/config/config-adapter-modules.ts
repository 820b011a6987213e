import { dirname, isAbsolute, resolve } from 'node:path';
import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import { AdapterLoadError, loadAdapterModule } from './adapter-module-loader.js';
import type { ConfigError } from './config-error.js';
import type { ConfigResource } from './config-resource.js';

/** The resource that lists a third-party adapter module in config (a Mixer extension to Istio's kinds). */
export const ADAPTER_MODULE_API_VERSION = 'mixer.dev/v1alpha1';
export const ADAPTER_MODULE_KIND = 'AdapterModule';

/**
 * Loads the adapters config lists with
 * `apiVersion: mixer.dev/v1alpha1, kind: AdapterModule, spec: {module: ./path/or-package}`.
 * A relative path is relative to the file that lists it. Problems are ConfigErrors on the
 * resource; the other adapters still load. Node caches modules: a changed module file is picked
 * up at the next restart, a newly listed one at the next reload.
 */
export async function loadConfigAdapterModules(resources: readonly ConfigResource[]): Promise<{ adapters: AdapterInfo[]; errors: ConfigError[] }> {
  const adapters: AdapterInfo[] = [];
  const errors: ConfigError[] = [];
  for (const resource of resources) {
    if (resource.apiVersion !== ADAPTER_MODULE_API_VERSION || resource.kind !== ADAPTER_MODULE_KIND) continue;
    const fail = (field: string, message: string): void => {
      errors.push({
        file: resource.file,
        line: resource.positions.lineOf(field),
        kind: resource.kind,
        namespace: resource.namespace,
        name: resource.name,
        field,
        message,
      });
    };
    const spec = resource.spec as { module?: unknown } | null;
    const specifier = typeof spec === 'object' && spec !== null ? spec.module : undefined;
    if (typeof specifier !== 'string' || specifier.trim() === '') {
      fail('spec.module', 'expected the path or package name of a module exporting defineAdapter()');
      continue;
    }
    const local = specifier.startsWith('.') || isAbsolute(specifier);
    try {
      const module = await loadAdapterModule(local ? resolve(dirname(resource.file), specifier) : specifier);
      adapters.push(module.info);
    } catch (error) {
      fail('spec.module', error instanceof AdapterLoadError ? error.message.replace(/^--adapter /, '') : String(error));
    }
  }
  return { adapters, errors };
}
