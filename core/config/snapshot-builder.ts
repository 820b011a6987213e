import type { AdapterInfo } from '../../adapters/sdk/adapter-info.js';
import { TemplateRegistry } from '../../templates/registry.js';
import { ExpressionCompilers } from '../expr/expression-compilers.js';
import type { BuildContext } from './build-context.js';
import type { ConfigError } from './config-error.js';
import { ConfigErrorCollector } from './config-error-collector.js';
import type { ConfigResource } from './config-resource.js';
import { FrozenMap } from './frozen-map.js';
import { finalizeHandlers } from './handler-finalizer.js';
import { processHandlers } from './handler-stage.js';
import { processInstances } from './instance-stage.js';
import { KindClassifier, ResourceRole } from './kinds.js';
import { buildManifest } from './manifest-stage.js';
import type { MixerResource } from './mixer-resource.js';
import { processOutOfProcess } from './out-of-process-stage.js';
import { classifyResources } from './resource-classifier.js';
import { processRules } from './rule-stage.js';
import type { Snapshot } from './snapshot.js';
import { runAtOnce, TimeSlicer, type Steps, type TimeSlicerOptions } from './time-slicer.js';

/** Istio's default config namespace (`--configDefaultNamespace`): its rules apply to every request. */
export const DEFAULT_CONFIG_NAMESPACE = 'istio-system';

export interface SnapshotBuilderOptions {
  /** The adapters this Mixer has (built-in and loaded third-party ones). */
  readonly adapters: readonly AdapterInfo[];
  /** The compiled-in templates; the built-in set when omitted. */
  readonly templates?: TemplateRegistry;
  /** The config namespace whose rules apply to every request, and of resources without a namespace. */
  readonly defaultNamespace?: string;
  /** Where ISTIO_LANG is read from (it overrides every resource's language annotation); `process.env` when omitted. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/** What a snapshot is built from: resources, and errors found while reading them (YAML syntax). */
export interface SnapshotInput {
  readonly resources: readonly ConfigResource[];
  readonly errors?: readonly ConfigError[];
  /** Adapters the config itself lists (AdapterModule resources), besides the builder's own. */
  readonly adapters?: readonly AdapterInfo[];
}

/**
 * Builds immutable, fully validated Snapshots from config resources, as Istio's snapshot
 * builder (mixer/pkg/runtime/config/ephemeral.go) does: every error is collected, each bad
 * resource is left out with its error, the errors cascade (a rule whose handler was dropped
 * reports `Handler not found`), and what remains is consistent. Snapshot ids increase with
 * every build of one builder.
 */
export class SnapshotBuilder {
  private nextId = 1;
  private readonly adapters: ReadonlyMap<string, AdapterInfo>;
  private readonly templates: TemplateRegistry;
  private readonly classifier: KindClassifier;
  readonly defaultNamespace: string;
  private readonly environment: Readonly<Record<string, string | undefined>>;

  constructor(options: SnapshotBuilderOptions) {
    const adapters = new Map<string, AdapterInfo>();
    for (const adapter of options.adapters) {
      if (adapters.has(adapter.name)) throw new TypeError(`adapter '${adapter.name}' is registered twice`);
      adapters.set(adapter.name, adapter);
    }
    this.adapters = adapters;
    this.templates = options.templates ?? new TemplateRegistry();
    this.classifier = new KindClassifier(adapters.keys(), this.templates.names());
    this.defaultNamespace = options.defaultNamespace === undefined || options.defaultNamespace === '' ? DEFAULT_CONFIG_NAMESPACE : options.defaultNamespace;
    this.environment = options.environment ?? process.env;
  }

  /** Builds a snapshot at once (`mixer validate`, tests). */
  build(input: SnapshotInput): Snapshot {
    return runAtOnce(this.steps(input));
  }

  /**
   * Builds the same snapshot in slices that yield to the event loop, so that requests keep
   * being answered while a large config builds. A build called off through `slicing.signal`
   * rejects with the signal's reason and takes no snapshot id.
   */
  buildInSlices(input: SnapshotInput, slicing: TimeSlicerOptions = {}): Promise<Snapshot> {
    return new TimeSlicer(slicing).run(this.steps(input));
  }

  private *steps(input: SnapshotInput): Steps<Snapshot> {
    const errors = new ConfigErrorCollector(input.errors);
    let adapters = this.adapters;
    let classifier = this.classifier;
    if (input.adapters !== undefined && input.adapters.length > 0) {
      const merged = new Map(this.adapters);
      for (const adapter of input.adapters) {
        if (!merged.has(adapter.name)) merged.set(adapter.name, adapter);
      }
      adapters = merged;
      classifier = new KindClassifier(merged.keys(), this.templates.names());
    }
    const context: BuildContext = { errors, adapters, templates: this.templates, environment: this.environment };
    const classified = yield* classifyResources(input.resources, classifier, this.defaultNamespace, errors);
    const of = (role: ResourceRole): readonly MixerResource[] => classified.byRole.get(role) ?? [];

    const manifest = buildManifest(of(ResourceRole.ATTRIBUTE_MANIFEST), errors);
    const compilers = new ExpressionCompilers(manifest);
    const outOfProcess = processOutOfProcess(of(ResourceRole.TEMPLATE), of(ResourceRole.ADAPTER), errors, (name) => this.templates.get(name) !== undefined);
    const pendingHandlers = yield* processHandlers([...of(ResourceRole.HANDLER), ...of(ResourceRole.LEGACY_HANDLER)], outOfProcess, context);
    const instances = yield* processInstances([...of(ResourceRole.INSTANCE), ...of(ResourceRole.LEGACY_INSTANCE)], outOfProcess, compilers, context);
    const pendingRules = yield* processRules(of(ResourceRole.RULE), pendingHandlers, instances, compilers, context);
    const { handlers, rules } = yield* finalizeHandlers(pendingHandlers, pendingRules, instances, context);

    return Object.freeze({
      id: this.nextId++,
      createdAt: new Date(),
      defaultNamespace: this.defaultNamespace,
      manifest,
      handlers: new FrozenMap(handlers),
      instances: new FrozenMap(instances),
      rules: Object.freeze(rules),
      errors: Object.freeze(errors.sorted().map((error) => Object.freeze(error))),
      resourceCounts: classified.counts,
    });
  }
}

/** Builds one snapshot (id 1) from resources. */
export function buildSnapshot(input: SnapshotInput, options: SnapshotBuilderOptions): Snapshot {
  return new SnapshotBuilder(options).build(input);
}
