// Which config resources are Mixer's, and what each kind is for.

/** The API groups/versions Mixer reads; resources of any other apiVersion are ignored. */
export const MIXER_API_VERSIONS: readonly string[] = ['config.istio.io/v1alpha2', 'policy.istio.io/v1beta1'];

/** The kinds of Istio 1.x Mixer config. */
export enum MixerKind {
  RULE = 'rule',
  HANDLER = 'handler',
  INSTANCE = 'instance',
  ATTRIBUTE_MANIFEST = 'attributemanifest',
  /** An out-of-process adapter's description. */
  ADAPTER = 'adapter',
  /** An out-of-process template's descriptor. */
  TEMPLATE = 'template',
}

/**
 * Every adapter ever compiled into Istio's Mixer (1.4's inventory, plus rbac until 1.2,
 * servicecontrol in 1.0 and signalfx until 1.3): a legacy resource of one of these kinds is a
 * handler, even when this build does not have the adapter.
 */
export const ISTIO_COMPILED_ADAPTERS: readonly string[] = [
  'bypass', 'circonus', 'cloudwatch', 'denier', 'dogstatsd', 'fluentd', 'kubernetesenv', 'listchecker',
  'memquota', 'noop', 'opa', 'prometheus', 'rbac', 'redisquota', 'servicecontrol', 'signalfx', 'solarwinds',
  'stackdriver', 'statsd', 'stdio', 'zipkin',
];

/**
 * Every template compiled into Istio 1.4's Mixer (plus 1.0's servicecontrolreport): a legacy
 * resource of one of these kinds is an instance, even when this build lacks the template.
 */
export const ISTIO_COMPILED_TEMPLATES: readonly string[] = [
  'apikey', 'authorization', 'checknothing', 'edge', 'kubernetes', 'listentry', 'logentry', 'metric', 'quota',
  'reportnothing', 'servicecontrolreport', 'tracespan',
];

/** What a resource is to Mixer. */
export enum ResourceRole {
  RULE = 'rule',
  HANDLER = 'handler',
  INSTANCE = 'instance',
  ATTRIBUTE_MANIFEST = 'attributemanifest',
  ADAPTER = 'adapter',
  TEMPLATE = 'template',
  /** `kind: <adapter name>`: a handler whose whole spec is the adapter's params. */
  LEGACY_HANDLER = 'legacy-handler',
  /** `kind: <template name>`: an instance whose whole spec is the template's params. */
  LEGACY_INSTANCE = 'legacy-instance',
  /** Not Mixer config (Deployment, DestinationRule, QuotaSpec, ...): counted, otherwise ignored. */
  IGNORED = 'ignored',
}

const CORE_ROLES: ReadonlyMap<string, ResourceRole> = new Map([
  [MixerKind.RULE, ResourceRole.RULE],
  [MixerKind.HANDLER, ResourceRole.HANDLER],
  [MixerKind.INSTANCE, ResourceRole.INSTANCE],
  [MixerKind.ATTRIBUTE_MANIFEST, ResourceRole.ATTRIBUTE_MANIFEST],
  [MixerKind.ADAPTER, ResourceRole.ADAPTER],
  [MixerKind.TEMPLATE, ResourceRole.TEMPLATE],
]);

/** Classifies resources by apiVersion and kind, knowing the adapters and templates of this build. */
export class KindClassifier {
  private readonly adapters: ReadonlySet<string>;
  private readonly templates: ReadonlySet<string>;

  constructor(availableAdapters: Iterable<string>, availableTemplates: Iterable<string>) {
    this.adapters = new Set([...ISTIO_COMPILED_ADAPTERS, ...availableAdapters]);
    this.templates = new Set([...ISTIO_COMPILED_TEMPLATES, ...availableTemplates]);
  }

  roleOf(apiVersion: string, kind: string): ResourceRole {
    if (!MIXER_API_VERSIONS.includes(apiVersion)) return ResourceRole.IGNORED;
    const core = CORE_ROLES.get(kind);
    if (core !== undefined) return core;
    if (this.adapters.has(kind)) return ResourceRole.LEGACY_HANDLER;
    if (this.templates.has(kind)) return ResourceRole.LEGACY_INSTANCE;
    return ResourceRole.IGNORED;
  }
}

