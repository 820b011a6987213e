import type { ConfigErrorCollector } from './config-error-collector.js';
import { MixerKind } from './kinds.js';
import type { MixerResource } from './mixer-resource.js';
import { resolveReference } from './names.js';
import { adapterSpec, templateSpec } from './schemas/out-of-process-schema.js';
import { templateNameOfDescriptor } from '../oop/template-descriptor.js';

/**
 * The out-of-process adapters and templates the config declares (`kind: adapter`,
 * `kind: template`), validated as far as Istio's snapshot builder does. Out-of-process adapters
 * receive the compiled-in templates (core/oop): a template resource stands for the compiled-in
 * template its descriptor names, and an adapter's `templates` may also name one directly.
 */
export interface OutOfProcessConfig {
  readonly templates: ReadonlyMap<string, MixerResource>;
  readonly adapters: ReadonlyMap<string, MixerResource>;
  /** Per template resource: the compiled-in template its descriptor declares (when it is one). */
  readonly compiledTemplateOf: ReadonlyMap<string, string>;
  /** Per adapter: the compiled-in templates it handles (its `templates`: template resources, or compiled-in names). */
  readonly adapterTemplates: ReadonlyMap<string, readonly string[]>;
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

export function processOutOfProcess(
  templateResources: readonly MixerResource[],
  adapterResources: readonly MixerResource[],
  errors: ConfigErrorCollector,
  isCompiledTemplate: (name: string) => boolean = () => false,
): OutOfProcessConfig {
  const templates = new Map<string, MixerResource>();
  const compiledTemplateOf = new Map<string, string>();
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
    const declared = templateNameOfDescriptor(descriptor);
    if (declared !== undefined && isCompiledTemplate(declared)) compiledTemplateOf.set(subject.key, declared);
  }

  const adapters = new Map<string, MixerResource>();
  const adapterTemplates = new Map<string, readonly string[]>();
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
    const handled: string[] = [];
    (spec.value.templates ?? []).forEach((reference, position) => {
      const found = resolveReference(reference, MixerKind.TEMPLATE, subject.namespace, (name) => templates.get(name));
      const compiled = found !== undefined ? compiledTemplateOf.get(found.name) : isCompiledTemplate(reference) ? reference : undefined;
      if (found === undefined && compiled === undefined) {
        errors.report(subject, `spec.templates[${position}]`, `unable to find template '${reference}'`);
        resolved = false;
      }
      if (compiled !== undefined && !handled.includes(compiled)) handled.push(compiled);
    });
    if (resolved) {
      adapters.set(subject.key, subject);
      adapterTemplates.set(subject.key, Object.freeze(handled));
    }
  }
  return { templates, adapters, compiledTemplateOf, adapterTemplates };
}
