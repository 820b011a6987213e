import { Type, type StaticDecode } from '@sinclair/typebox';
import { defineParams, GoDuration } from '../sdk/params-schema.js';

/** Rego syntax versions `opa build` accepts for the `policy` params. */
export const REGO_VERSIONS = ['v0', 'v1'] as const;
export type RegoVersion = (typeof REGO_VERSIONS)[number];

/**
 * opa's params. The policy comes from exactly one of `bundle` (a `.tar.gz` from
 * `opa build -t wasm`), `wasm` (a bare `policy.wasm`) or `policy` (Rego texts, Istio's field,
 * compiled with the opa CLI when the handler is built). Istio's params were `policy`,
 * `checkMethod` and `failClose`; the rest are this adapter's.
 */
export const OpaParamsSchema = Type.Object(
  {
    bundle: Type.String({ default: '', description: 'path of a bundle built with `opa build -t wasm` (.tar.gz)' }),
    wasm: Type.String({ default: '', description: 'path of a policy.wasm built with `opa build -t wasm`' }),
    policy: Type.Array(Type.String(), { default: [], description: 'Rego modules, compiled with the opa CLI when the handler is built (Istio)' }),
    entrypoint: Type.String({ default: '', description: 'the rule to query: `mixerauthz/allow` or `data.mixerauthz.allow`' }),
    checkMethod: Type.String({ default: '', description: "Istio's name for entrypoint (`data.mixerauthz.allow`)" }),
    data: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'the data document (merged over the bundle\'s data)' }),
    dataFile: Type.String({ default: '', description: 'path of a JSON data document (merged over `data`), reloaded when it changes' }),
    failClose: Type.Boolean({ default: false, description: 'deny (PERMISSION_DENIED) instead of allowing when the policy cannot decide' }),
    validDuration: GoDuration({ default: '0s', description: 'how long a decision may be cached' }),
    validUseCount: Type.Integer({ default: 0, minimum: 0, maximum: 2147483647, description: 'how many times a decision may be used' }),
    pollInterval: GoDuration({ default: '1s', description: 'how often the policy and data files are checked for changes (0s: never)' }),
    opaCommand: Type.String({ default: 'opa', description: 'the opa CLI that compiles `policy` (a path, or a name on PATH)' }),
    regoVersion: Type.Union(
      REGO_VERSIONS.map((version) => Type.Literal(version)),
      { default: 'v0', description: 'Rego syntax of `policy`: v0 (Istio-era, the default) or v1' },
    ),
  },
  { additionalProperties: false },
);

export type OpaParams = StaticDecode<typeof OpaParamsSchema>;

export const opaParams = defineParams(OpaParamsSchema);
