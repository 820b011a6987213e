import { defineAdapter } from '../../adapters/sdk/index.js';
import { BusinessHoursHandler } from './handler.js';
import { OpeningHours } from './opening-hours.js';
import { businessHoursParams } from './params.js';
import { validateBusinessHours } from './validate.js';

/**
 * business-hours: allows requests only during opening hours (authorization template) and
 * counts reported metrics into an in-memory summary (metric template). An example of a
 * third-party adapter written against the SDK alone.
 */
export const adapter = defineAdapter({
  name: 'business-hours',
  description: 'Allows requests only during business hours and summarizes metrics in memory',
  supportedTemplates: ['authorization', 'metric'],
  params: businessHoursParams,
  validate: validateBusinessHours,
  build: (config, env) => new BusinessHoursHandler(config.params, OpeningHours.fromParams(config.params), env),
});

export default adapter;

export { BusinessHoursHandler } from './handler.js';
export type { SummaryRow } from './metric-summary.js';
