import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import { availableList, type BuildContext } from './build-context.js';
import { ISTIO_COMPILED_ADAPTERS, MixerKind, ResourceRole } from './kinds.js';
import type { MixerResource } from './mixer-resource.js';
import { resolveReference } from './names.js';
import type { OutOfProcessConfig } from './out-of-process-stage.js';
import { handlerSpec } from './schemas/handler-schema.js';
import type { Steps } from './time-slicer.js';
import { outOfProcessHandler } from '../oop/out-of-process-handler.js';

/** A handler whose adapter exists and whose params parsed; its instances are known after the rules. */
export interface PendingHandler {
  readonly subject: MixerResource;
  readonly adapter: AdapterInfo;
  readonly params: unknown;
  /** Where the params are written: `spec.params`, or `spec` for a legacy per-adapter resource. */
  readonly paramsField: string;
}

/**
 * Handlers: `kind: handler` with `compiledAdapter` (or `adapter`, out-of-process) and the legacy
 * per-adapter kinds. Each one's adapter must be in this build and its params must parse with
 * the adapter's own schema; anything else is reported and the handler left out.
 */
export function* processHandlers(
  subjects: readonly MixerResource[],
  outOfProcess: OutOfProcessConfig,
  context: BuildContext,
): Steps<Map<string, PendingHandler>> {
  const handlers = new Map<string, PendingHandler>();
  for (const subject of subjects) {
    yield;
    const pending = subject.role === ResourceRole.LEGACY_HANDLER ? legacyHandler(subject, context) : handler(subject, outOfProcess, context);
    if (pending !== undefined) handlers.set(subject.key, pending);
  }
  return handlers;
}

function handler(subject: MixerResource, outOfProcess: OutOfProcessConfig, context: BuildContext): PendingHandler | undefined {
  const { errors } = context;
  const spec = handlerSpec.parse(subject.resource.spec);
  if (!spec.ok) {
    errors.reportProblems(subject, spec.problems, 'spec', 'spec');
    return undefined;
  }
  const { compiledAdapter, adapter: adapterReference, params } = spec.value;
  if (compiledAdapter !== undefined && compiledAdapter !== '') {
    const adapter = context.adapters.get(compiledAdapter);
    if (adapter === undefined) {
      errors.report(subject, 'spec.compiledAdapter', missingAdapter(compiledAdapter, 'compiledAdapter', context));
      return undefined;
    }
    return withParams(subject, adapter, params, 'spec.params', context);
  }
  if (adapterReference !== undefined && adapterReference !== '') {
    const found = resolveReference(adapterReference, MixerKind.ADAPTER, subject.namespace, (name) => outOfProcess.adapters.get(name));
    if (found === undefined) {
      const hint = context.adapters.has(adapterReference) ? ` (for the compiled-in adapter write compiledAdapter: ${adapterReference})` : '';
      errors.report(subject, 'spec.adapter', `adapter '${adapterReference}' not found${hint}`);
      return undefined;
    }
    const templates = outOfProcess.adapterTemplates.get(found.name) ?? [];
    return outOfProcessHandler(subject, { resource: found.value, templates }, spec.value, context);
  }
  errors.report(subject, 'spec', 'a handler needs compiledAdapter (an adapter compiled into Mixer) or adapter (an out-of-process adapter)');
  return undefined;
}

function legacyHandler(subject: MixerResource, context: BuildContext): PendingHandler | undefined {
  const adapter = context.adapters.get(subject.resource.kind);
  if (adapter === undefined) {
    context.errors.report(subject, 'kind', missingAdapter(subject.resource.kind, 'adapter', context));
    return undefined;
  }
  return withParams(subject, adapter, subject.resource.spec, 'spec', context);
}

function withParams(subject: MixerResource, adapter: AdapterInfo, raw: unknown, paramsField: string, context: BuildContext): PendingHandler | undefined {
  let parsed: ReturnType<AdapterInfo['params']['parse']>;
  try {
    parsed = adapter.params.parse(raw ?? undefined);
  } catch (error) {
    // A third-party adapter's schema should never throw; if it does, it is this handler's error, not the build's.
    context.errors.report(subject, paramsField, `adapter '${adapter.name}' failed to parse its params: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  if (!parsed.ok) {
    context.errors.reportProblems(subject, parsed.problems, 'params', paramsField);
    return undefined;
  }
  return { subject, adapter, params: parsed.value, paramsField };
}

/** Says whether the adapter is one Istio had that this build lacks, or an unknown name. */
function missingAdapter(name: string, label: string, context: BuildContext): string {
  const available = availableList(context.adapters.keys());
  return ISTIO_COMPILED_ADAPTERS.includes(name)
    ? `adapter '${name}' is not available in this build of Mixer ${available}`
    : `${label} '${name}' is not a known adapter ${available}`;
}
