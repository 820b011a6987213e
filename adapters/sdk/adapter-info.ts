import type { InstanceTypes } from '../../templates/template.js';
import type { TemplateHandlers } from '../../templates/template-handlers.js';
import type { ConfigProblem } from './config-problem.js';
import type { AdapterEnvironment } from './environment.js';
import type { ParamsSchema } from './params-schema.js';

/** Every handler can be closed: release connections, flush buffers. Timers the environment scheduled are cancelled for it. */
export interface Handler {
  close?(): void | Promise<void>;
}

/** The names of the compiled-in templates. */
export type TemplateName = keyof TemplateHandlers;

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/** The handler an adapter supporting templates `T` must build: one method per template. */
export type HandlerFor<T extends TemplateName> = Handler & UnionToIntersection<TemplateHandlers[T]>;

/** An instance routed to a handler: its fully qualified name, template and inferred field types. */
export interface InstanceConfig {
  readonly name: string;
  readonly template: TemplateName;
  readonly types: InstanceTypes;
}

/** What a handler is built from: its config's name, typed params, and the instances routed to it. */
export interface HandlerConfig<P> {
  /** Fully qualified handler name (`denyall.handler.istio-system`). */
  readonly name: string;
  readonly params: P;
  readonly instances: readonly InstanceConfig[];
}

/**
 * An adapter: how Mixer learns what it is (name, description, templates, params schema) and
 * how it builds handlers. Building is two-phase as in Istio: `validate` checks the whole
 * handler config (beyond the params schema) and returns every problem; `build` makes the
 * handler. Registration is data: `defineAdapter(info)` returns the module that binds it.
 */
export interface AdapterInfo<P = unknown, T extends TemplateName = TemplateName> {
  /** A DNS label: lowercase letters, digits and '-'. */
  readonly name: string;
  readonly description: string;
  readonly supportedTemplates: readonly T[];
  readonly params: ParamsSchema<P>;
  validate?(config: HandlerConfig<P>): readonly ConfigProblem[];
  build(config: HandlerConfig<P>, env: AdapterEnvironment): HandlerFor<T> | Promise<HandlerFor<T>>;
}
