import { defineAdapter } from '../sdk/define-adapter.js';
import { buildFluentdHandler } from './build-handler.js';
import { fluentdParams } from './params.js';
import { validateFluentd } from './validate.js';

/**
 * fluentd: delivers logentry instances to a Fluentd or Fluent Bit forward input (Istio's
 * `fluentd`), buffered and batched off the Report path. See README.md.
 */
export const fluentd = defineAdapter({
  name: 'fluentd',
  description: 'Sends logentrys to a fluentd instance',
  supportedTemplates: ['logentry'],
  params: fluentdParams,
  validate: (config) => validateFluentd(config),
  build: (config, env) => buildFluentdHandler(config, env),
});
