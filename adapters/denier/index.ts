import { problem } from '../sdk/config-problem.js';
import { defineAdapter } from '../sdk/define-adapter.js';
import { buildDenierHandler } from './handler.js';
import { denierParams } from './params.js';

/**
 * denier: rejects every check with a configured status (Istio's `denier`). Quota requests are
 * granted nothing.
 */
export const denier = defineAdapter({
  name: 'denier',
  description: 'Rejects any check and quota request with a configurable error',
  supportedTemplates: ['checknothing', 'listentry', 'quota'],
  params: denierParams,
  validate: (config) =>
    config.params.validDuration.nanos < 0n
      ? [problem('params.validDuration', `valid duration must be >= 0, it is ${config.params.validDuration.toString()}`)]
      : [],
  build: (config) => buildDenierHandler(config.params),
});
