import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams, GoDuration, ProtoEnum } from '../sdk/params-schema.js';

/** google.rpc.Code names, indexed by their number. */
export const RPC_CODE_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

/** The `@type` of a status detail asking the proxy for a direct HTTP reply. */
export const DIRECT_HTTP_RESPONSE_TYPE = 'type.googleapis.com/istio.policy.v1beta1.DirectHttpResponse';

const StatusDetail = Type.Object(
  {
    '@type': Type.String(),
    code: Type.Optional(Type.Integer({ minimum: 0, maximum: 599, description: 'HTTP status (0: derive it from the rpc code)' })),
    body: Type.Optional(Type.String()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { description: 'a google.protobuf.Any; only istio.policy.v1beta1.DirectHttpResponse is understood, others are ignored' },
);

/** denier's params (istio mixer/adapter/denier/config/config.proto). */
export const DenierParamsSchema = Type.Object(
  {
    status: Type.Object(
      {
        code: Type.Optional(ProtoEnum(RPC_CODE_NAMES, { description: 'google.rpc.Code by name or number (FAILED_PRECONDITION when unset)' })),
        message: Type.String({ default: '' }),
        details: Type.Array(StatusDetail, { default: [] }),
      },
      { additionalProperties: false, default: {}, description: 'the status every check returns' },
    ),
    validDuration: GoDuration({ default: '5s', description: 'how long the answer may be cached' }),
    validUseCount: Type.Integer({ default: 1000, minimum: 0, maximum: 2147483647, description: 'how many times the answer may be used' }),
  },
  { additionalProperties: false },
);

export type DenierParams = StaticDecode<typeof DenierParamsSchema>;

export const denierParams = defineParams(DenierParamsSchema);
