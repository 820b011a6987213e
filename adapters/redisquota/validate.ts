import type { HandlerConfig } from '../sdk/adapter-info.js';
import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import type { RedisQuotaParams } from './params.js';
import { parseRedisTarget } from './redis-target.js';

/**
 * Istio's redisquota checks, with its messages, plus duplicate names, a parseable server URL
 * and a positive command timeout. Unlike Istio, validation never touches the network: the
 * connection is made when the handler is built, and a Redis that cannot be reached makes
 * allocations answer UNAVAILABLE.
 */
export function validateRedisQuota(config: HandlerConfig<RedisQuotaParams>): ConfigProblem[] {
  const { params } = config;
  const problems: ConfigProblem[] = [];
  if (params.quotas.length === 0) problems.push(problem('params.quotas', 'quota should not be empty'));
  const names = new Set<string>();
  params.quotas.forEach((quota, index) => {
    const path = `params.quotas[${index}]`;
    if (quota.name === '') {
      problems.push(problem(`${path}.name`, 'quotas.name should not be empty'));
      return;
    }
    if (names.has(quota.name)) problems.push(problem(`${path}.name`, `quota ${quota.name} is defined more than once`));
    names.add(quota.name);
    if (quota.validDuration.nanos <= 0n) {
      problems.push(problem(`${path}.validDuration`, 'quotas.valid_duration should be bigger must be > 0'));
      return;
    }
    if (quota.rateLimitAlgorithm === 'ROLLING_WINDOW') {
      if (quota.bucketDuration.nanos <= 0n) {
        problems.push(problem(`${path}.bucketDuration`, 'quotas.bucket_duration should be > 0 for ROLLING_WINDOW algorithm'));
        return;
      }
      if (quota.validDuration.compare(quota.bucketDuration) <= 0) {
        problems.push(
          problem(
            `${path}.validDuration`,
            `quotas.valid_duration: ${quota.validDuration.toString()} should be longer than quotas.bucket_duration: ${quota.bucketDuration.toString()} for ROLLING_WINDOW algorithm`,
          ),
        );
        return;
      }
    }
    quota.overrides.forEach((override, overrideIndex) => {
      const overridePath = `${path}.overrides[${overrideIndex}]`;
      if (override.maxAmount <= 0) problems.push(problem(`${overridePath}.maxAmount`, 'quotas.overrides.max_amount must be > 0'));
      else if (Object.keys(override.dimensions).length === 0) problems.push(problem(`${overridePath}.dimensions`, 'quotas.overrides.dimensions is empty'));
    });
  });
  for (const instance of config.instances) {
    if (instance.template === 'quota' && !names.has(instance.name)) {
      problems.push(problem('params.quotas', `did not find limit defined for quota ${instance.name}`));
    }
  }
  if (params.connectionPoolSize < 0) {
    problems.push(problem('params.connectionPoolSize', `connection_pool_size of ${params.connectionPoolSize} is invalid, must be > 0`));
  }
  const target = parseRedisTarget(params.redisServerUrl);
  if (!target.ok) problems.push(problem('params.redisServerUrl', target.message));
  if (params.commandTimeout.nanos <= 0n) {
    problems.push(problem('params.commandTimeout', `command timeout of ${params.commandTimeout.toString()} is invalid, must be > 0`));
  }
  return problems;
}
