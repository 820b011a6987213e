import type { AdapterInfo, InstanceConfig } from '../../adapters/sdk/adapter-info.js';
import type { InstanceBuilder } from '../../templates/instance-builder.js';
import type { TemplateDefinition } from '../../templates/template.js';
import type { AttributeManifest } from '../attribute/manifest.js';
import type { CompiledExpression } from '../expr/expression.js';
import type { ConfigError } from './config-error.js';

/** Where a resource came from, for error messages and /debug/config. */
export interface ResourceOrigin {
  readonly file: string;
  readonly line: number;
  /** The resource's kind as written (`handler`, `rule`, or a legacy kind such as `memquota`). */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** A valid handler: its adapter, typed params and the instances routed to it by valid rules. */
export interface HandlerEntry {
  /** Fully qualified name: `name.kind.namespace` (`denyall.handler.istio-system`, `handler.memquota.istio-system`). */
  readonly name: string;
  readonly adapter: AdapterInfo;
  readonly params: unknown;
  readonly instances: readonly InstanceConfig[];
  /** A stable hash of adapter, params and instances: equal signatures may reuse a built handler. */
  readonly signature: string;
  readonly origin: ResourceOrigin;
}

/** A valid instance: its template and compiled builder. */
export interface InstanceEntry {
  readonly name: string;
  readonly template: TemplateDefinition;
  readonly builder: InstanceBuilder;
  readonly origin: ResourceOrigin;
}

export enum HeaderOperationKind {
  REPLACE = 'REPLACE',
  REMOVE = 'REMOVE',
  APPEND = 'APPEND',
}

/** A rule's header operation: a literal header name and compiled value expressions (STRING). */
export interface HeaderOperationTemplate {
  readonly name: string;
  readonly values: readonly CompiledExpression[];
  readonly operation: HeaderOperationKind;
}

export interface RuleAction {
  readonly handler: string;
  readonly instances: readonly string[];
  /** The action's handle; its outputs become attributes `<name>.output.<field>`. */
  readonly name?: string;
}

/** A valid rule: compiled match (undefined = always), resolved actions, header operations. */
export interface RuleEntry {
  readonly name: string;
  readonly namespace: string;
  readonly match: CompiledExpression | undefined;
  /** The match text, for explanations. */
  readonly matchText: string;
  readonly actions: readonly RuleAction[];
  readonly requestHeaderOperations: readonly HeaderOperationTemplate[];
  readonly responseHeaderOperations: readonly HeaderOperationTemplate[];
  readonly origin: ResourceOrigin;
}

/**
 * An immutable, fully validated view of the config: what the runtime routes requests with.
 * Invalid resources are left out and their errors listed; what remains is consistent (every
 * rule's handlers and instances exist and fit together).
 */
export interface Snapshot {
  /** Increases with every snapshot built. */
  readonly id: number;
  readonly createdAt: Date;
  /** The config namespace whose rules apply to every request (`istio-system` by default). */
  readonly defaultNamespace: string;
  readonly manifest: AttributeManifest;
  readonly handlers: ReadonlyMap<string, HandlerEntry>;
  readonly instances: ReadonlyMap<string, InstanceEntry>;
  readonly rules: readonly RuleEntry[];
  readonly errors: readonly ConfigError[];
  /** Resources read, by kind as written, for /debug/config. */
  readonly resourceCounts: Readonly<Record<string, number>>;
}
