import type { ConfigErrorCollector } from './config-error-collector.js';
import type { ConfigResource } from './config-resource.js';
import { ResourceRole, type KindClassifier } from './kinds.js';
import type { MixerResource } from './mixer-resource.js';
import { resourceKey } from './names.js';
import type { Steps } from './time-slicer.js';

/** Mixer's resources grouped by role, plus a count of every resource read by kind. */
export interface ClassifiedResources {
  readonly byRole: ReadonlyMap<ResourceRole, readonly MixerResource[]>;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Sorts resources into Mixer's roles: resolves each one's namespace (the default config
 * namespace when empty) and identity `name.kind.namespace`. A resource without a name, with a
 * malformed envelope or whose identity is already taken is reported and left out; other kinds
 * are only counted.
 */
export function* classifyResources(
  resources: readonly ConfigResource[],
  classifier: KindClassifier,
  defaultNamespace: string,
  errors: ConfigErrorCollector,
): Steps<ClassifiedResources> {
  const counts: Record<string, number> = {};
  const byRole = new Map<ResourceRole, MixerResource[]>();
  const seen = new Map<string, MixerResource>();
  for (const resource of resources) {
    yield;
    counts[resource.kind] = (counts[resource.kind] ?? 0) + 1;
    const role = classifier.roleOf(resource.apiVersion, resource.kind);
    if (role === ResourceRole.IGNORED) continue;
    const namespace = resource.namespace === '' ? defaultNamespace : resource.namespace;
    const key = resourceKey(resource.name, resource.kind, namespace);
    const subject: MixerResource = Object.freeze({
      resource,
      role,
      namespace,
      key,
      origin: Object.freeze({ file: resource.file, line: resource.line, kind: resource.kind, namespace, name: resource.name }),
    });
    if (resource.envelopeProblems.length > 0) {
      for (const problem of resource.envelopeProblems) errors.report(subject, problem.field, problem.message);
      continue;
    }
    if (resource.name === '') {
      errors.report(subject, 'metadata.name', 'a name is required');
      continue;
    }
    const first = seen.get(key);
    if (first !== undefined) {
      const where = first.resource.file === resource.file ? `line ${first.resource.line}` : `${first.resource.file}:${first.resource.line}`;
      errors.report(subject, 'metadata.name', `duplicate resource '${key}': already defined at ${where}; this one is ignored`);
      continue;
    }
    seen.set(key, subject);
    const list = byRole.get(role) ?? [];
    list.push(subject);
    byRole.set(role, list);
  }
  return { byRole, counts: Object.freeze(counts) };
}
