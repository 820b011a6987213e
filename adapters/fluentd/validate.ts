import type { HandlerConfig } from '../sdk/adapter-info.js';
import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import { ValueType } from '../../core/attribute/value-type.js';
import { parseHostPort } from './address.js';
import type { FluentdParams } from './params.js';

/**
 * Istio's checks (an address that is present and well formed) plus: positive push interval,
 * timeout and backoff, and a `tag` variable, when an instance declares one, that is a string.
 */
export function validateFluentd(config: HandlerConfig<FluentdParams>): ConfigProblem[] {
  const { params } = config;
  const problems: ConfigProblem[] = [];
  if (params.address === '') {
    problems.push(problem('params.address', 'Address is empty'));
  } else {
    const parsed = parseHostPort(params.address);
    if ('error' in parsed) problems.push(problem('params.address', `Address is malformed: ${parsed.error}`));
  }
  for (const field of ['pushIntervalDuration', 'pushTimeoutDuration', 'initialBackoffDuration', 'maxBackoffDuration'] as const) {
    if (params[field].nanos < 1_000_000n) problems.push(problem(`params.${field}`, `must be at least 1ms, got ${params[field].toString()}`));
  }
  if (params.maxBackoffDuration.compare(params.initialBackoffDuration) < 0) {
    problems.push(problem('params.maxBackoffDuration', `must not be shorter than initialBackoffDuration (${params.initialBackoffDuration.toString()})`));
  }
  for (const instance of config.instances) {
    const variables = instance.types['variables'];
    const tagType = typeof variables === 'object' ? variables['tag'] : undefined;
    if (tagType !== undefined && tagType !== ValueType.STRING) {
      problems.push(problem(`instances.${instance.name}.variables.tag`, `the tag variable must be a STRING, got ${typeof tagType === 'number' ? ValueType[tagType] : 'a map'}`));
    }
  }
  return problems;
}
