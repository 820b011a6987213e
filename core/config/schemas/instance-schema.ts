import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineSpec } from './spec-schema.js';

/** istio.policy.v1beta1.Instance: a compiled-in template, or an out-of-process one (`template`). */
export const INSTANCE_SPEC = Type.Object(
  {
    compiledTemplate: Type.Optional(Type.String()),
    template: Type.Optional(Type.String()),
    /** The template's params: every leaf string an expression, compiled by the instance builder compiler. */
    params: Type.Optional(Type.Unknown()),
    /** Attribute-generator templates only: attribute name → expression over `$out.<field>`. */
    attributeBindings: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

export type InstanceSpec = StaticDecode<typeof INSTANCE_SPEC>;

export const instanceSpec = defineSpec(INSTANCE_SPEC);
