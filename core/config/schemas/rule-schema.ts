import { Type, type StaticDecode } from '@sinclair/typebox';
import { ProtoEnum } from '../../../adapters/sdk/params-schema.js';
import { defineSpec } from './spec-schema.js';

const HeaderOperation = Type.Object(
  {
    /** A literal header name. */
    name: Type.String(),
    /** Expressions (STRING). */
    values: Type.Optional(Type.Array(Type.String())),
    operation: Type.Optional(ProtoEnum(['REPLACE', 'REMOVE', 'APPEND'] as const)),
  },
  { additionalProperties: false },
);

const Action = Type.Object(
  {
    handler: Type.String(),
    instances: Type.Optional(Type.Array(Type.String())),
    name: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** istio.policy.v1beta1.Rule. `sampling` is accepted and ignored, as Istio 1.4's runtime ignores it. */
export const RULE_SPEC = Type.Object(
  {
    match: Type.Optional(Type.String()),
    actions: Type.Optional(Type.Array(Action)),
    requestHeaderOperations: Type.Optional(Type.Array(HeaderOperation)),
    responseHeaderOperations: Type.Optional(Type.Array(HeaderOperation)),
    sampling: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export type RuleSpec = StaticDecode<typeof RULE_SPEC>;
export type HeaderOperationSpec = StaticDecode<typeof HeaderOperation>;

export const ruleSpec = defineSpec(RULE_SPEC);
