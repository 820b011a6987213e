import { Type, type StaticDecode, type TSchema } from '@sinclair/typebox';
import { defineParams, GoDuration, ProtoEnum } from '../sdk/params-schema.js';

// rbac's params: Istio AuthorizationPolicy specs (security.istio.io/v1beta1) as `policies`, and
// optionally the older ServiceRole / ServiceRoleBinding specs (rbac.istio.io/v1alpha1) as
// `roles` and `bindings`. Field names are Istio's; snake_case is accepted too.

const strings = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));
const object = <P extends Record<string, TSchema>>(properties: P, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description === undefined ? {} : { description }) });

/** AuthorizationPolicy actions, with Istio's enum numbers (AUDIT and CUSTOM are rejected by validation). */
export const POLICY_ACTIONS = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export const SourceSchema = object({
  principals: strings('peer identities (`cluster.local/ns/default/sa/productpage`)'),
  notPrincipals: strings('peer identities that must not match'),
  requestPrincipals: strings('request (JWT) principals, `<iss>/<sub>`'),
  notRequestPrincipals: strings('request principals that must not match'),
  namespaces: strings('namespaces of the peer'),
  notNamespaces: strings('namespaces that must not match'),
  ipBlocks: strings('source IPs or CIDRs'),
  notIpBlocks: strings('source IPs or CIDRs that must not match'),
  remoteIpBlocks: strings('original client IPs or CIDRs'),
  notRemoteIpBlocks: strings('original client IPs or CIDRs that must not match'),
});

export const OperationSchema = object({
  hosts: strings('request hosts (`:authority`), case-insensitive'),
  notHosts: strings('hosts that must not match'),
  ports: strings('destination ports, as strings'),
  notPorts: strings('ports that must not match'),
  methods: strings('HTTP methods'),
  notMethods: strings('methods that must not match'),
  paths: strings('URL paths (without the query string)'),
  notPaths: strings('paths that must not match'),
});

export const ConditionSchema = object({
  key: Type.String({ description: 'a request fact: `request.headers[<name>]`, `source.ip`, `request.auth.claims[<claim>]`, ...' }),
  values: strings('values one of which must match'),
  notValues: strings('values none of which may match'),
});

export const PolicyRuleSchema = object({
  from: Type.Optional(Type.Array(object({ source: Type.Optional(SourceSchema) }))),
  to: Type.Optional(Type.Array(object({ operation: Type.Optional(OperationSchema) }))),
  when: Type.Optional(Type.Array(ConditionSchema)),
});

export const AuthorizationPolicySchema = object(
  {
    name: Type.String({ minLength: 1 }),
    namespace: Type.Optional(Type.String({ description: 'the workloads\' namespace; omitted or the root namespace: every namespace' })),
    selector: Type.Optional(object({ matchLabels: Type.Optional(Type.Record(Type.String(), Type.String())) })),
    action: ProtoEnum(POLICY_ACTIONS, { default: 'ALLOW' }),
    rules: Type.Optional(Type.Array(PolicyRuleSchema, { description: 'absent or empty: the policy matches nothing; `{}`: every request' })),
  },
  'an AuthorizationPolicy: metadata.name and metadata.namespace plus the spec fields',
);

export const ServiceRoleSchema = object({
  name: Type.String({ minLength: 1 }),
  namespace: Type.String({ minLength: 1 }),
  rules: Type.Optional(
    Type.Array(
      object({
        services: strings('destination services (action.service)'),
        paths: strings('paths; absent: any'),
        methods: strings('methods; absent: any'),
        constraints: Type.Optional(Type.Array(object({ key: Type.String(), values: strings('accepted values') }))),
      }),
    ),
  ),
});

export const ServiceRoleBindingSchema = object({
  name: Type.String({ minLength: 1 }),
  namespace: Type.String({ minLength: 1 }),
  subjects: Type.Optional(
    Type.Array(
      object({
        user: Type.Optional(Type.String()),
        group: Type.Optional(Type.String()),
        properties: Type.Optional(Type.Record(Type.String(), Type.String())),
      }),
    ),
  ),
  roleRef: Type.Optional(object({ kind: Type.String({ default: 'ServiceRole' }), name: Type.String() })),
});

export const RbacParamsSchema = Type.Object(
  {
    policies: Type.Array(AuthorizationPolicySchema, { default: [] }),
    rootNamespace: Type.String({ default: 'istio-system', description: 'policies in this namespace apply to every namespace' }),
    roles: Type.Optional(Type.Array(ServiceRoleSchema, { description: 'present (even empty): ServiceRole checking is on' })),
    bindings: Type.Optional(Type.Array(ServiceRoleBindingSchema)),
    validDuration: GoDuration({ default: '60s', description: 'how long a decision may be cached' }),
    validUseCount: Type.Integer({ default: 10000, minimum: 0, maximum: 2147483647, description: 'how many times a decision may be used' }),
    cacheDuration: Type.Optional(GoDuration({ description: 'Istio rbac\'s name for validDuration; wins when set' })),
    configStoreUrl: Type.Optional(Type.String({ description: 'Istio rbac\'s watched store: not supported (a config problem)' })),
  },
  { additionalProperties: false },
);

export type RbacParams = StaticDecode<typeof RbacParamsSchema>;
export type AuthorizationPolicySpec = RbacParams['policies'][number];
export type PolicyRuleSpec = NonNullable<AuthorizationPolicySpec['rules']>[number];
export type SourceSpec = StaticDecode<typeof SourceSchema>;
export type OperationSpec = StaticDecode<typeof OperationSchema>;
export type ConditionSpec = StaticDecode<typeof ConditionSchema>;
export type ServiceRoleSpec = StaticDecode<typeof ServiceRoleSchema>;
export type ServiceRoleBindingSpec = StaticDecode<typeof ServiceRoleBindingSchema>;

export const rbacParams = defineParams(RbacParamsSchema);
