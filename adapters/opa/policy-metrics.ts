import { Counter, type Registry } from 'prom-client';

const RELOADS = 'mixer_adapter_opa_policy_loads_total';
const ERRORS = 'mixer_adapter_opa_evaluation_problems_total';

/** The opa adapter's own metrics, in the handler's registry. */
export interface OpaMetrics {
  /** Policy loads by outcome (`success`, `failure`): the first load and every reload. */
  readonly loads: { readonly success: Counter.Internal; readonly failure: Counter.Internal };
  /** Requests the policy could not decide (no policy, runtime error, non-boolean result). */
  readonly problems: Counter;
}

export function opaMetrics(registry: Registry): OpaMetrics {
  const loads = counter(registry, RELOADS, 'Policy loads of the opa adapter by outcome (the first load and every reload).', ['outcome']);
  return {
    loads: { success: loads.labels('success'), failure: loads.labels('failure') },
    problems: counter(registry, ERRORS, 'Requests the opa policy could not decide (answered by the fail policy).', []),
  };
}

function counter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, labelNames, registers: [registry] });
}
