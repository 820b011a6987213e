import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams, GoDuration, ProtoEnum } from '../sdk/params-schema.js';

export const BULK_ACTIONS = ['index', 'create'] as const;
/** The bulk action per document: `index`, or `create` (required for data streams). */
export type BulkAction = (typeof BULK_ACTIONS)[number];

const MEGABYTE = 1024 * 1024;

/**
 * elasticsearch's params (Istio had no such adapter: the names follow the fluentd adapter's).
 * Index names are `<prefix><date>`, the date formatted from the entry's UTC timestamp.
 */
export const ElasticsearchParamsSchema = Type.Object(
  {
    urls: Type.Array(Type.String(), { default: ['http://localhost:9200'], minItems: 1, description: 'Elasticsearch nodes (http or https URLs)' }),
    username: Type.String({ default: '', description: 'basic authentication user (with password)' }),
    password: Type.String({ default: '', description: 'basic authentication password' }),
    apiKey: Type.String({ default: '', description: 'API key (base64 id:key), instead of username and password' }),
    indexPrefix: Type.String({ default: 'istio-logs-', description: 'logentry index names start with this' }),
    tracespanIndexPrefix: Type.String({ default: 'istio-traces-', description: 'tracespan index names start with this' }),
    indexDateFormat: Type.String({ default: 'YYYY.MM.DD', description: "the entry's UTC date after the prefix: YYYY, MM, DD and HH are replaced, other characters kept ('' for none)" }),
    bulkAction: ProtoEnum(BULK_ACTIONS, { default: 'index', description: 'index, or create (required when the names are data streams)' }),
    pipeline: Type.String({ default: '', description: 'an ingest pipeline to run on every document' }),
    maxBufferedEntries: Type.Integer({ default: 10_000, minimum: 1, description: 'entries buffered at most; beyond that the oldest are dropped' }),
    maxBatchEntries: Type.Integer({ default: 1000, minimum: 1, description: 'documents per bulk request at most' }),
    maxBatchSizeBytes: Type.Integer({ default: 5 * MEGABYTE, minimum: 1, description: 'bulk request body size at most (a batch is sent once this much is buffered)' }),
    pushIntervalDuration: GoDuration({ default: '5s', description: 'buffered entries are sent at least this often' }),
    pushTimeoutDuration: GoDuration({ default: '30s', description: 'a bulk request is abandoned (and retried) after this long' }),
    initialBackoffDuration: GoDuration({ default: '1s', description: 'wait after the first failed request; doubles per failure' }),
    maxBackoffDuration: GoDuration({ default: '1m', description: 'the longest wait between attempts' }),
  },
  { additionalProperties: false },
);

export type ElasticsearchParams = StaticDecode<typeof ElasticsearchParamsSchema>;
export const elasticsearchParams = defineParams(ElasticsearchParamsSchema);
