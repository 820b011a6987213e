import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams, GoDuration } from '../sdk/params-schema.js';

const Override = Type.Object(
  {
    dimensions: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'every listed dimension must equal the instance\'s (empty: matches everything)',
    }),
    maxAmount: Type.Integer({ minimum: 0, description: 'the limit for matching instances' }),
    validDuration: Type.Optional(GoDuration({ description: 'the window for matching instances (default: the quota\'s)' })),
  },
  { additionalProperties: false },
);

const Quota = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'the fully qualified name of the quota instance' }),
    maxAmount: Type.Integer({ minimum: 0, description: 'the limit' }),
    validDuration: GoDuration({ default: '0s', description: '0: an allocation quota; > 0: a rate limit over this rolling window' }),
    overrides: Type.Array(Override, { default: [], description: 'limits for specific dimension values; the first match wins' }),
  },
  { additionalProperties: false },
);

/** memquota's params (istio mixer/adapter/memquota/config/config.proto). */
export const MemQuotaParamsSchema = Type.Object(
  {
    quotas: Type.Array(Quota, { default: [] }),
    minDeduplicationDuration: GoDuration({ default: '1s', description: 'how long a deduplication id is remembered, at least' }),
  },
  { additionalProperties: false },
);

export type MemQuotaParams = StaticDecode<typeof MemQuotaParamsSchema>;

export const memQuotaParams = defineParams(MemQuotaParamsSchema);
