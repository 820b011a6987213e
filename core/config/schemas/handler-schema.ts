import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineSpec } from './spec-schema.js';

/** istio.policy.v1beta1.Handler: a compiled-in adapter, or an out-of-process one reached through `connection`. */
export const HANDLER_SPEC = Type.Object(
  {
    compiledAdapter: Type.Optional(Type.String()),
    adapter: Type.Optional(Type.String()),
    /** The adapter's params, parsed by the adapter's own schema. */
    params: Type.Optional(Type.Unknown()),
    connection: Type.Optional(
      Type.Object(
        {
          address: Type.Optional(Type.String()),
          timeout: Type.Optional(Type.String()),
          authentication: Type.Optional(Type.Unknown()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type HandlerSpec = StaticDecode<typeof HANDLER_SPEC>;

export const handlerSpec = defineSpec(HANDLER_SPEC);
