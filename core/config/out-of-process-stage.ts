import type { ConfigErrorCollector } from './config-error-collector.js';
import { MixerKind } from './kinds.js';
import type { MixerResource } from './mixer-resource.js';
import { resolveReference } from './names.js';
import { adapterSpec, templateSpec } from './schemas/out-of-process-schema.js';

/**
 * The out-of-process adapters and templates the config declares (`kind: adapter`,
 * `kind: template`), validated as far as Istio's snapshot builder does. This build does not
 * call out-of-process adapters yet: handlers and instances using them are reported as such.
 */
export interface OutOfProcessConfig {
  readonly templates: ReadonlyMap<string, MixerResource>;
  readonly adapters: ReadonlyMap<string, MixerResource>;
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

export function processOutOfProcess(
  templateResources: readonly MixerResource[],
  adapterResources: readonly MixerResource[],
  errors: ConfigErrorCollector,
): OutOfProcessConfig {
  const templates = new Map<string, MixerResource>();
  for (const subject of templateResources) {
    const spec = templateSpec.parse(subject.resource.spec);
    if (!spec.ok) {
      errors.reportProblems(subject, spec.problems, 'spec', 'spec');
      continue;
    }
    const descriptor = spec.value.descriptor ?? '';
    if (descriptor.trim() === '' || !BASE64.test(descriptor)) {
      errors.report(subject, 'spec.descriptor', `unable to parse descriptor: ${descriptor.trim() === '' ? 'descriptor is empty' : 'not base64 text'}`);
      continue;
    }
    templates.set(subject.key, subject);
  }

  const adapters = new Map<string, MixerResource>();
  for (const subject of adapterResources) {
    const spec = adapterSpec.parse(subject.resource.spec);
    if (!spec.ok) {
      errors.reportProblems(subject, spec.problems, 'spec', 'spec');
      continue;
    }
    const config = spec.value.config ?? '';
    if (!BASE64.test(config)) {
      errors.report(subject, 'spec.config', 'unable to parse adapter configuration: not base64 text');
      continue;
    }
    let resolved = true;
    (spec.value.templates ?? []).forEach((reference, position) => {
      if (resolveReference(reference, MixerKind.TEMPLATE, subject.namespace, (name) => templates.get(name)) === undefined) {
        errors.report(subject, `spec.templates[${position}]`, `unable to find template '${reference}'`);
        resolved = false;
      }
    });
    if (resolved) adapters.set(subject.key, subject);
  }
  return { templates, adapters };
}
