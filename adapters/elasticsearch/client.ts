import { Client, type BaseConnection } from '@elastic/elasticsearch';

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;
import type { ElasticsearchParams } from './params.js';

/** What tests may replace: the client's connection class (the official mock's, for one). */
export interface ClientOverrides {
  readonly Connection?: typeof BaseConnection;
}

/** The Elasticsearch client for a handler: its nodes and credentials, no client-side retries, the push timeout per request. */
export function createClient(params: ElasticsearchParams, overrides: ClientOverrides = {}): Client {
  const options: ClientOptions = {
    nodes: params.urls,
    maxRetries: 0,
    requestTimeout: params.pushTimeoutDuration.toMillis(),
    ...(overrides.Connection === undefined ? {} : { Connection: overrides.Connection }),
  };
  if (params.apiKey !== '') options.auth = { apiKey: params.apiKey };
  else if (params.username !== '') options.auth = { username: params.username, password: params.password };
  return new Client(options);
}
