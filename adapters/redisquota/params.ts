import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams, GoDuration, ProtoEnum } from '../sdk/params-schema.js';

/** Rate-limit algorithms (istio adapter.redisquota.config.Params.QuotaAlgorithm). */
export const ALGORITHMS = ['FIXED_WINDOW', 'ROLLING_WINDOW'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** What an allocation answers while Redis cannot be used (Istio's NetworkFailPolicy names). */
export const FAIL_POLICIES = ['FAIL_CLOSE', 'FAIL_OPEN'] as const;
export type FailPolicy = (typeof FAIL_POLICIES)[number];

const Override = Type.Object(
  {
    dimensions: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'every listed dimension must equal the instance\'s; must not be empty',
    }),
    maxAmount: Type.Integer({ default: 0, description: 'the limit for matching instances; must be > 0' }),
  },
  { additionalProperties: false },
);

const Quota = Type.Object(
  {
    name: Type.String({ default: '', description: 'the fully qualified name of the quota instance' }),
    maxAmount: Type.Integer({ minimum: 0, description: 'the limit' }),
    validDuration: GoDuration({ default: '0s', description: 'the window; must be > 0' }),
    bucketDuration: GoDuration({
      default: '0s',
      description: 'ROLLING_WINDOW only: the granularity of the window; 0 < bucketDuration < validDuration',
    }),
    rateLimitAlgorithm: ProtoEnum(ALGORITHMS, { default: 'FIXED_WINDOW' }),
    overrides: Type.Array(Override, { default: [], description: 'limits for specific dimension values; the first match wins' }),
  },
  { additionalProperties: false },
);

/**
 * redisquota's params (istio mixer/adapter/redisquota/config/config.proto), plus
 * `commandTimeout`. `redisServerUrl` is one server (`host:port`, `redis://…`, `rediss://…`) or a
 * Redis Cluster (`redis-cluster://host:port,host:port`, or a list of `host:port` seeds).
 */
export const RedisQuotaParamsSchema = Type.Object(
  {
    quotas: Type.Array(Quota, { default: [], description: 'the known quotas; at least one' }),
    redisServerUrl: Type.Union([Type.String(), Type.Array(Type.String())], {
      default: 'localhost:6379',
      description: 'host:port, redis://[user:password@]host:port[/db], rediss://…, redis-cluster://host:port,host:port, or a list of cluster seeds',
    }),
    connectionPoolSize: Type.Integer({ default: 10, description: 'connections to Redis, each pipelining many allocations; 0 means 10' }),
    commandTimeout: GoDuration({
      default: '500ms',
      description: 'an allocation not answered by Redis within this long is UNAVAILABLE; keep it below Mixer\'s --handler-timeout',
    }),
    failPolicy: ProtoEnum(FAIL_POLICIES, {
      default: 'FAIL_CLOSE',
      description: 'while Redis cannot be used the status is UNAVAILABLE; FAIL_CLOSE grants nothing (Istio), FAIL_OPEN grants the amount asked for',
    }),
  },
  { additionalProperties: false },
);

export type RedisQuotaParams = StaticDecode<typeof RedisQuotaParamsSchema>;
export type QuotaParams = RedisQuotaParams['quotas'][number];

export const redisQuotaParams = defineParams(RedisQuotaParamsSchema);
