import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams, GoDuration, ProtoEnum } from '../../adapters/sdk/index.js';

export const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const CLOCK_TIME = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

/**
 * The handler params, as a TypeBox schema. `defineParams` accepts them in snake_case or
 * lowerCamelCase, fills the defaults, rejects unknown fields and reports problems with their
 * paths (`params.opens`). GoDuration and ProtoEnum read Istio-style durations and enums.
 */
export const BusinessHoursParamsSchema = Type.Object(
  {
    days: Type.Array(ProtoEnum(WEEKDAYS), {
      default: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'],
      description: 'the days the service is open (names, or 0 = SUNDAY … 6 = SATURDAY)',
    }),
    opens: Type.String({ pattern: CLOCK_TIME, default: '09:00', description: 'opening time, HH:MM local time' }),
    closes: Type.String({ pattern: CLOCK_TIME, default: '17:00', description: 'closing time, HH:MM local time (exclusive)' }),
    utcOffset: Type.String({ pattern: '^[+-]([01][0-9]|2[0-3]):[0-5][0-9]$', default: '+00:00', description: 'local time\'s offset from UTC' }),
    exemptUsers: Type.Array(Type.String(), { default: [], description: 'subject.user values allowed at any time' }),
    validDuration: GoDuration({ default: '5m', description: 'longest time an answer may be cached (never past the next opening or closing)' }),
    validUseCount: Type.Integer({ default: 10000, minimum: 0 }),
    summaryInterval: GoDuration({ default: '0s', description: 'log the metric summary this often (0s: never)' }),
  },
  { additionalProperties: false },
);

export type BusinessHoursParams = StaticDecode<typeof BusinessHoursParamsSchema>;

export const businessHoursParams = defineParams(BusinessHoursParamsSchema);
