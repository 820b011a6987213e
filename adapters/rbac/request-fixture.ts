import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import type { AuthorizationInstance } from '../../templates/definitions.js';
import type { InstanceValue } from '../../templates/template.js';

/** A request described by its facts, for tests and examples (see request-facts.ts). */
export interface RequestFixture {
  readonly user?: string;
  readonly groups?: string;
  readonly namespace?: string;
  readonly ip?: string;
  readonly remoteIp?: string;
  readonly requestPrincipal?: string;
  readonly audiences?: string;
  readonly presenter?: string;
  readonly claims?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly workloadNamespace?: string;
  readonly service?: string;
  readonly method?: string;
  readonly path?: string;
  readonly port?: number;
  readonly host?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly destinationIp?: string;
  readonly sni?: string;
  /** Extra raw properties (ServiceRole constraints and binding properties read them by key). */
  readonly subjectProperties?: Readonly<Record<string, InstanceValue>>;
  readonly actionProperties?: Readonly<Record<string, InstanceValue>>;
}

/** The authorization instance Mixer would build for `request` under the documented convention. */
export function authorizationInstance(request: RequestFixture, name = 'rbacrequest.instance.istio-system'): AuthorizationInstance {
  const subject: Record<string, InstanceValue> = { ...request.subjectProperties };
  const action: Record<string, InstanceValue> = { ...request.actionProperties };
  const set = (target: Record<string, InstanceValue>, key: string, value: InstanceValue) => {
    if (value !== undefined) target[key] = value;
  };
  set(subject, 'namespace', request.namespace);
  set(subject, 'ip', request.ip === undefined ? undefined : IpAddress.parse(request.ip));
  set(subject, 'remote_ip', request.remoteIp === undefined ? undefined : IpAddress.parse(request.remoteIp));
  set(subject, 'request_principal', request.requestPrincipal);
  set(subject, 'audiences', request.audiences);
  set(subject, 'presenter', request.presenter);
  set(subject, 'claims', request.claims === undefined ? undefined : StringMap.fromObject(request.claims, 'request.auth.claims'));
  set(subject, 'headers', request.headers === undefined ? undefined : StringMap.fromObject(request.headers, 'request.headers'));
  set(action, 'port', request.port);
  set(action, 'host', request.host);
  set(action, 'labels', request.labels === undefined ? undefined : StringMap.fromObject(request.labels, 'destination.labels'));
  set(action, 'ip', request.destinationIp === undefined ? undefined : IpAddress.parse(request.destinationIp));
  set(action, 'sni', request.sni);
  return {
    name,
    subject: { user: request.user, groups: request.groups, properties: subject },
    action: {
      namespace: request.workloadNamespace,
      service: request.service,
      method: request.method,
      path: request.path,
      properties: action,
    },
  };
}
