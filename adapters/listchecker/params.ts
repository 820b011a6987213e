import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams, GoDuration, ProtoEnum } from '../sdk/params-schema.js';

/** How list entries are read and compared (istio adapter.list.config.Params.ListEntryType). */
export const ENTRY_TYPES = ['STRINGS', 'CASE_INSENSITIVE_STRINGS', 'IP_ADDRESSES', 'REGEX'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** listchecker's params (istio mixer/adapter/list/config/config.proto). */
export const ListCheckerParamsSchema = Type.Object(
  {
    providerUrl: Type.String({ default: '', description: 'where to fetch the list from (http or https); empty: overrides only' }),
    refreshInterval: GoDuration({ default: '60s', description: 'how often the list is fetched again' }),
    ttl: GoDuration({ default: '300s', description: 'how long a list stays usable without a successful refresh' }),
    cachingInterval: GoDuration({ default: '300s', description: 'how long check answers may be cached' }),
    cachingUseCount: Type.Integer({ default: 10000, maximum: 2147483647, description: 'how many times a check answer may be used' }),
    overrides: Type.Array(Type.String(), { default: [], description: 'entries always in the list' }),
    entryType: ProtoEnum(ENTRY_TYPES, { default: 'STRINGS' }),
    blacklist: Type.Boolean({ default: false, description: 'deny listed values instead of allowing only them' }),
  },
  { additionalProperties: false },
);

export type ListCheckerParams = StaticDecode<typeof ListCheckerParamsSchema>;

export const listCheckerParams = defineParams(ListCheckerParamsSchema);
