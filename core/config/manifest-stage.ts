import { AttributeManifest, ManifestError } from '../attribute/manifest.js';
import type { ConfigErrorCollector } from './config-error-collector.js';
import type { MixerResource } from './mixer-resource.js';

/**
 * The attribute vocabulary of a snapshot: the standard Istio vocabulary, with every valid
 * attributemanifest merged on top in load order (later declarations win). A manifest with a
 * bad entry is reported (every entry) and left out.
 */
export function buildManifest(manifests: readonly MixerResource[], errors: ConfigErrorCollector): AttributeManifest {
  let manifest = AttributeManifest.standard();
  for (const subject of manifests) {
    try {
      manifest = manifest.merge(AttributeManifest.fromSpec(subject.resource.spec ?? {}));
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      for (const problem of error.problems) errors.report(subject, problem.path, problem.message);
    }
  }
  return manifest;
}
