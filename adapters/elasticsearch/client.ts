import type { BaseConnection, Client } from '@elastic/elasticsearch';

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;
import type { ElasticsearchParams } from './params.js';

/** What tests may replace: the client's connection class (the official mock's, for one). */
export interface ClientOverrides {
  readonly Connection?: typeof BaseConnection;
}

/**
 * The Elasticsearch client for a handler: its nodes and credentials, no client-side retries, the
 * push timeout per request. The client library is loaded on first use: it takes about half a
 * second to import, which every Mixer process would otherwise pay at start-up.
 */
export async function createClient(params: ElasticsearchParams, overrides: ClientOverrides = {}): Promise<Client> {
  const { Client: ElasticsearchClient } = await import('@elastic/elasticsearch');
  const options: ClientOptions = {
    nodes: params.urls,
    maxRetries: 0,
    requestTimeout: params.pushTimeoutDuration.toMillis(),
    ...(overrides.Connection === undefined ? {} : { Connection: overrides.Connection }),
  };
  if (params.apiKey !== '') options.auth = { apiKey: params.apiKey };
  else if (params.username !== '') options.auth = { username: params.username, password: params.password };
  return new ElasticsearchClient(options);
}
