import { defineAdapter } from '../sdk/define-adapter.js';
import { buildNoopHandler } from './handler.js';
import { noopParams } from './params.js';

/** noop: allows everything and drops every report (Istio's `noop`, for tests and benchmarks). */
export const noop = defineAdapter({
  name: 'noop',
  description: 'Does nothing: allows every check, grants every quota request, ignores reports',
  supportedTemplates: [
    'authorization', 'checknothing', 'reportnothing', 'listentry', 'logentry',
    'metric', 'quota', 'tracespan', 'apikey', 'edge',
  ],
  params: noopParams,
  build: () => buildNoopHandler(),
});
