import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import type { TemplateRegistry } from '../../templates/registry.js';
import type { ConfigErrorCollector } from './config-error-collector.js';

/** What every stage of a snapshot build shares: the error collector and what this build of Mixer has. */
export interface BuildContext {
  readonly errors: ConfigErrorCollector;
  readonly adapters: ReadonlyMap<string, AdapterInfo>;
  readonly templates: TemplateRegistry;
  /** Read for ISTIO_LANG, which overrides every resource's language annotation. */
  readonly environment: Readonly<Record<string, string | undefined>>;
}

/** `(available: denier, listchecker, ...)`: what this build offers, sorted. */
export function availableList(names: Iterable<string>): string {
  const sorted = [...names].sort();
  return `(available: ${sorted.length === 0 ? 'none' : sorted.join(', ')})`;
}
