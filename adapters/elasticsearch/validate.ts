import type { HandlerConfig } from '../sdk/adapter-info.js';
import { problem, type ConfigProblem } from '../sdk/config-problem.js';
import { RESERVED_LOGENTRY_FIELDS } from './documents.js';
import { IndexNamer } from './index-name.js';
import type { ElasticsearchParams } from './params.js';

/**
 * Checks beyond the schema: node URLs, index names Elasticsearch would accept, authentication
 * given one way only, positive durations, and logentry variables that would collide with the
 * fields the adapter writes itself.
 */
export function validateElasticsearch(config: HandlerConfig<ElasticsearchParams>): ConfigProblem[] {
  const { params } = config;
  const problems: ConfigProblem[] = [];
  params.urls.forEach((text, index) => {
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      problems.push(problem(`params.urls[${index}]`, `${JSON.stringify(text)} is not a URL`));
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(problem(`params.urls[${index}]`, `${JSON.stringify(text)} must be an http or https URL`));
  });
  for (const field of ['indexPrefix', 'tracespanIndexPrefix'] as const) {
    const namer = IndexNamer.compile(params[field], params.indexDateFormat);
    if ('error' in namer) problems.push(problem(`params.${field}`, `with indexDateFormat ${JSON.stringify(params.indexDateFormat)} ${namer.error}`));
  }
  if ((params.username === '') !== (params.password === '')) problems.push(problem('params.password', 'username and password go together'));
  if (params.apiKey !== '' && params.username !== '') problems.push(problem('params.apiKey', 'use either apiKey or username and password, not both'));
  for (const field of ['pushIntervalDuration', 'pushTimeoutDuration', 'initialBackoffDuration', 'maxBackoffDuration'] as const) {
    if (params[field].nanos < 1_000_000n) problems.push(problem(`params.${field}`, `must be at least 1ms, got ${params[field].toString()}`));
  }
  if (params.maxBackoffDuration.compare(params.initialBackoffDuration) < 0) {
    problems.push(problem('params.maxBackoffDuration', `must not be shorter than initialBackoffDuration (${params.initialBackoffDuration.toString()})`));
  }
  for (const instance of config.instances) {
    if (instance.template !== 'logentry') continue;
    const variables = instance.types['variables'];
    if (typeof variables !== 'object') continue;
    for (const name of Object.keys(variables)) {
      if (RESERVED_LOGENTRY_FIELDS.has(name)) {
        problems.push(problem(`instances.${instance.name}.variables.${name}`, `collides with the ${JSON.stringify(name)} field the adapter writes; rename the variable`));
      }
    }
  }
  return problems;
}
