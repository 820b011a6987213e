import type { AdapterInfo, HandlerConfig, HandlerFor, InstanceConfig, TemplateName } from '../adapter-info.js';
import type { ConfigProblem } from '../config-problem.js';
import type { AdapterEnvironment } from '../environment.js';

/** Raised by `buildForTest` when the params or the handler config are invalid; lists every problem. */
export class AdapterConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`invalid handler config: ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`);
    this.name = 'AdapterConfigError';
  }
}

export interface TestHandlerOptions {
  /** Raw params as they would appear in YAML (snake_case or lowerCamelCase). */
  readonly params?: unknown;
  readonly instances?: readonly InstanceConfig[];
  /** Handler FQN (default `test.handler.istio-system`). */
  readonly name?: string;
}

/** What Mixer does before building: parse the params with the schema, then run `validate`. */
export function configProblems<P, T extends TemplateName>(adapter: AdapterInfo<P, T>, options: TestHandlerOptions = {}): ConfigProblem[] {
  const parsed = adapter.params.parse(options.params);
  if (!parsed.ok) return parsed.problems;
  return [...(adapter.validate?.(handlerConfig(parsed.value, options)) ?? [])];
}

/**
 * Parses, validates and builds a handler the way Mixer does, in the given environment (a
 * ManualEnvironment in unit tests). Throws AdapterConfigError listing every problem.
 */
export async function buildForTest<P, T extends TemplateName>(
  adapter: AdapterInfo<P, T>,
  env: AdapterEnvironment,
  options: TestHandlerOptions = {},
): Promise<{ handler: HandlerFor<T>; config: HandlerConfig<P> }> {
  const parsed = adapter.params.parse(options.params);
  if (!parsed.ok) throw new AdapterConfigError(parsed.problems);
  const config = handlerConfig(parsed.value, options);
  const problems = adapter.validate?.(config) ?? [];
  if (problems.length > 0) throw new AdapterConfigError(problems);
  const handler = await adapter.build(config, env);
  return { handler, config };
}

function handlerConfig<P>(params: P, options: TestHandlerOptions): HandlerConfig<P> {
  return { name: options.name ?? 'test.handler.istio-system', params, instances: options.instances ?? [] };
}

/** An InstanceConfig for tests: the instance's FQN and template, with no inferred types. */
export function instanceConfig(name: string, template: TemplateName): InstanceConfig {
  return { name, template, types: {} };
}
