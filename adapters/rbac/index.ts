import { defineAdapter } from '../sdk/define-adapter.js';
import { buildRbacHandler } from './handler-factory.js';
import { rbacParams } from './params.js';
import { validateRbac } from './validate.js';

/**
 * rbac: authorization by identity, in process. Evaluates Istio AuthorizationPolicies
 * (security.istio.io/v1beta1: ALLOW / DENY, sources, operations, conditions) and, optionally,
 * the older ServiceRole / ServiceRoleBinding model of Mixer's own rbac adapter, over the
 * `authorization` template. Policies are compiled and indexed when the handler is built.
 */
export const rbac = defineAdapter({
  name: 'rbac',
  description: 'Role-based access control: Istio AuthorizationPolicies and ServiceRoles over the authorization template',
  supportedTemplates: ['authorization'],
  params: rbacParams,
  validate: validateRbac,
  build: (config) => buildRbacHandler(config.params),
});
