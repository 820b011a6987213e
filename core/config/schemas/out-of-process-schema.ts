import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineSpec } from './spec-schema.js';

/** istio.mixer.adapter.model.v1beta1.Info: an out-of-process adapter's description. */
export const ADAPTER_SPEC = Type.Object(
  {
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    /** Template resource names, resolved like references (kind `template`). */
    templates: Type.Optional(Type.Array(Type.String())),
    /** Base64 FileDescriptorSet of the adapter's params. */
    config: Type.Optional(Type.String()),
    sessionBased: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** istio.mixer.adapter.model.v1beta1.Template: an out-of-process template's descriptor. */
export const TEMPLATE_SPEC = Type.Object(
  {
    /** Base64 FileDescriptorSet. */
    descriptor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export type AdapterSpec = StaticDecode<typeof ADAPTER_SPEC>;
export type TemplateSpec = StaticDecode<typeof TEMPLATE_SPEC>;

export const adapterSpec = defineSpec(ADAPTER_SPEC);
export const templateSpec = defineSpec(TEMPLATE_SPEC);
