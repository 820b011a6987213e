import { problem, type ConfigProblem, type HandlerConfig } from '../../adapters/sdk/index.js';
import { clockMinutes } from './opening-hours.js';
import type { BusinessHoursParams } from './params.js';

/**
 * Checks the schema cannot express. Mixer calls this after parsing the params and before
 * building; every problem is reported (not just the first), each with the field it is about.
 */
export function validateBusinessHours(config: HandlerConfig<BusinessHoursParams>): ConfigProblem[] {
  const { params } = config;
  const problems: ConfigProblem[] = [];
  if (clockMinutes(params.closes) <= clockMinutes(params.opens)) {
    problems.push(problem('params.closes', `closes (${params.closes}) must be after opens (${params.opens})`));
  }
  if (params.days.length === 0) problems.push(problem('params.days', 'at least one day is needed'));
  params.days.forEach((day, index) => {
    if (params.days.indexOf(day) !== index) problems.push(problem(`params.days[${index}]`, `${day} is listed twice`));
  });
  if (params.validDuration.nanos < 0n) problems.push(problem('params.validDuration', 'must not be negative'));
  if (params.summaryInterval.nanos < 0n) problems.push(problem('params.summaryInterval', 'must not be negative'));
  return problems;
}
