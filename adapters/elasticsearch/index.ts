import { defineAdapter } from '../sdk/define-adapter.js';
import { buildElasticsearchHandler } from './build-handler.js';
import { elasticsearchParams } from './params.js';
import { validateElasticsearch } from './validate.js';

/**
 * elasticsearch: indexes logentry and tracespan instances into daily (or hourly) indices with
 * the bulk API, buffered and batched off the Report path. See README.md.
 */
export const elasticsearch = defineAdapter({
  name: 'elasticsearch',
  description: 'Indexes logentrys and tracespans into Elasticsearch with the bulk API',
  supportedTemplates: ['logentry', 'tracespan'],
  params: elasticsearchParams,
  validate: (config) => validateElasticsearch(config),
  build: (config, env) => buildElasticsearchHandler(config, env),
});
