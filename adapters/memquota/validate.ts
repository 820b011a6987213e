import type { HandlerConfig } from '../sdk/adapter-info.js';
import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import type { MemQuotaParams } from './params.js';

/** Istio's memquota checks (dedup window, a limit per routed quota) plus negative windows and duplicate names. */
export function validateMemQuota(config: HandlerConfig<MemQuotaParams>): ConfigProblem[] {
  const { params } = config;
  const problems: ConfigProblem[] = [];
  if (params.minDeduplicationDuration.nanos <= 0n) {
    problems.push(
      problem('params.minDeduplicationDuration', `deduplication window of ${params.minDeduplicationDuration.toString()} is invalid, must be > 0`),
    );
  }
  const names = new Set<string>();
  params.quotas.forEach((quota, index) => {
    if (names.has(quota.name)) problems.push(problem(`params.quotas[${index}].name`, `quota ${quota.name} is defined more than once`));
    names.add(quota.name);
    if (quota.validDuration.nanos < 0n) {
      problems.push(problem(`params.quotas[${index}].validDuration`, `valid duration must be >= 0, it is ${quota.validDuration.toString()}`));
    }
    quota.overrides.forEach((override, overrideIndex) => {
      if (override.validDuration !== undefined && override.validDuration.nanos < 0n) {
        problems.push(
          problem(
            `params.quotas[${index}].overrides[${overrideIndex}].validDuration`,
            `valid duration must be >= 0, it is ${override.validDuration.toString()}`,
          ),
        );
      }
    });
  });
  for (const instance of config.instances) {
    if (instance.template === 'quota' && !names.has(instance.name)) {
      problems.push(problem('params.quotas', `did not find limit defined for quota ${instance.name}`));
    }
  }
  return problems;
}
