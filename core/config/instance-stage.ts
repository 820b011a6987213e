import { TemplateVariety, type TemplateDefinition } from '../../templates/template.js';
import { compileInstanceBuilder } from '../../templates/instance-builder-compiler.js';
import type { ExpressionCompilers } from '../expr/expression-compilers.js';
import { languageOf } from '../expr/language.js';
import { availableList, type BuildContext } from './build-context.js';
import { ISTIO_COMPILED_TEMPLATES, MixerKind, ResourceRole } from './kinds.js';
import type { MixerResource } from './mixer-resource.js';
import { resolveReference } from './names.js';
import type { OutOfProcessConfig } from './out-of-process-stage.js';
import { instanceSpec } from './schemas/instance-schema.js';
import type { InstanceEntry } from './snapshot.js';
import type { Steps } from './time-slicer.js';

/**
 * Instances: `kind: instance` with `compiledTemplate` (or `template`, out-of-process) and the
 * legacy per-template kinds. Each one's params compile into an InstanceBuilder against its
 * template, in the resource's expression language; anything else is reported and the
 * instance left out.
 */
export function* processInstances(
  subjects: readonly MixerResource[],
  outOfProcess: OutOfProcessConfig,
  compilers: ExpressionCompilers,
  context: BuildContext,
): Steps<Map<string, InstanceEntry>> {
  const instances = new Map<string, InstanceEntry>();
  for (const subject of subjects) {
    yield;
    const source = subject.role === ResourceRole.LEGACY_INSTANCE ? legacySource(subject, context) : instanceSource(subject, outOfProcess, context);
    if (source === undefined) continue;
    const language = languageOf(subject.resource.annotations, context.environment);
    const result = compileInstanceBuilder(source.template, source.params, {
      instanceName: subject.key,
      compile: (text) => compilers.compile(text, language),
    });
    if (!result.ok) {
      context.errors.reportProblems(subject, result.problems, '', source.paramsField);
      continue;
    }
    instances.set(subject.key, Object.freeze({ name: subject.key, template: source.template, builder: result.builder, origin: subject.origin }));
  }
  return instances;
}

interface InstanceSource {
  readonly template: TemplateDefinition;
  readonly params: unknown;
  readonly paramsField: string;
}

function instanceSource(subject: MixerResource, outOfProcess: OutOfProcessConfig, context: BuildContext): InstanceSource | undefined {
  const { errors } = context;
  const spec = instanceSpec.parse(subject.resource.spec);
  if (!spec.ok) {
    errors.reportProblems(subject, spec.problems, 'spec', 'spec');
    return undefined;
  }
  const { compiledTemplate, template: templateReference, params, attributeBindings } = spec.value;
  if (compiledTemplate !== undefined && compiledTemplate !== '') {
    const template = context.templates.get(compiledTemplate);
    if (template === undefined) {
      errors.report(subject, 'spec.compiledTemplate', missingTemplate(compiledTemplate, 'compiledTemplate', context));
      return undefined;
    }
    if (attributeBindings !== undefined && Object.keys(attributeBindings).length > 0) {
      errors.report(
        subject,
        'spec.attributeBindings',
        template.variety === TemplateVariety.ATTRIBUTE_GENERATOR
          ? 'attribute bindings are not supported yet'
          : `attributeBindings are only allowed for ATTRIBUTE_GENERATOR templates; template '${template.name}' is ${template.variety}`,
      );
      return undefined;
    }
    return { template, params, paramsField: 'spec.params' };
  }
  if (templateReference !== undefined && templateReference !== '') {
    const found = resolveReference(templateReference, MixerKind.TEMPLATE, subject.namespace, (name) => outOfProcess.templates.get(name));
    if (found === undefined) {
      const hint = context.templates.get(templateReference) !== undefined ? ` (for the compiled-in template write compiledTemplate: ${templateReference})` : '';
      errors.report(subject, 'spec.template', `template '${templateReference}' not found${hint}`);
      return undefined;
    }
    // A template resource whose descriptor declares a compiled-in template stands for it.
    const compiled = outOfProcess.compiledTemplateOf.get(found.name);
    const template = compiled === undefined ? undefined : context.templates.get(compiled);
    if (template === undefined) {
      errors.report(subject, 'spec.template', `template '${found.name}' is not a compiled-in template; out-of-process adapters receive compiled-in templates only`);
      return undefined;
    }
    return { template, params, paramsField: 'spec.params' };
  }
  errors.report(subject, 'spec', 'an instance needs compiledTemplate (a template compiled into Mixer) or template (an out-of-process template)');
  return undefined;
}

function legacySource(subject: MixerResource, context: BuildContext): InstanceSource | undefined {
  const template = context.templates.get(subject.resource.kind);
  if (template === undefined) {
    context.errors.report(subject, 'kind', missingTemplate(subject.resource.kind, 'template', context));
    return undefined;
  }
  return { template, params: subject.resource.spec, paramsField: 'spec' };
}

function missingTemplate(name: string, label: string, context: BuildContext): string {
  const available = availableList(context.templates.names());
  return ISTIO_COMPILED_TEMPLATES.includes(name)
    ? `${label} '${name}' is not available in this build of Mixer ${available}`
    : `${label} '${name}' is not a known template ${available}`;
}
