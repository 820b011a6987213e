import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams } from '../sdk/params-schema.js';

/** noop takes no params (an empty object; unknown fields are rejected). */
export const NoopParamsSchema = Type.Object({}, { additionalProperties: false });

export type NoopParams = StaticDecode<typeof NoopParamsSchema>;

export const noopParams = defineParams(NoopParamsSchema);
