import { IpAddress } from '../../core/attribute/ip-address.js';
import { StringMap } from '../../core/attribute/string-map.js';
import { ValueType } from '../../core/attribute/value-type.js';
import type { AuthorizationInstance } from '../../templates/definitions.js';
import type { InstanceValue } from '../../templates/template.js';

// How an authorization instance carries the facts of a request (the convention rbac reads):
//
//   subject.user                  peer principal (source.principal), `spiffe://` optional
//   subject.groups                groups, comma-separated (ServiceRoleBinding `group`)
//   subject.properties.namespace  peer namespace (source.namespace); else read from the principal
//   subject.properties.ip         peer IP (source.ip): IP_ADDRESS, or its text
//   subject.properties.remote_ip  original client IP (remoteIpBlocks, `remote.ip`)
//   subject.properties.request_principal, .audiences, .presenter   JWT facts (request.auth.*)
//   subject.properties.claims     JWT claims (request.auth.claims), a STRING_MAP
//   subject.properties.headers    request headers (request.headers), a STRING_MAP
//   action.namespace              the workload's namespace (destination.namespace): policy scope
//   action.service                destination service (ServiceRole `services`)
//   action.method, action.path    request.method, request.path (query string ignored by `paths`)
//   action.properties.port        destination.port (INT64, or digits)
//   action.properties.host        request.host (else the `:authority` / `host` header)
//   action.properties.labels      the workload's labels (destination.labels): policy `selector`
//   action.properties.ip, .sni    destination.ip, connection.requested_server_name
//
// Absent, empty (''), 0 ports and unspecified IPs (0.0.0.0, ::) all read as "no value".

/** A property the convention reads: where it lives, its accepted keys and value types. */
export interface ConventionProperty {
  readonly message: 'subject' | 'action';
  readonly keys: readonly string[];
  readonly types: readonly ValueType[];
}

const STRINGISH = [ValueType.STRING, ValueType.DNS_NAME, ValueType.EMAIL_ADDRESS, ValueType.URI];
const prop = (message: 'subject' | 'action', keys: string[], types: readonly ValueType[]): ConventionProperty => ({ message, keys, types });

/** Every property-borne fact of the convention. */
export const CONVENTION = {
  namespace: prop('subject', ['namespace'], STRINGISH),
  sourceIp: prop('subject', ['ip'], [ValueType.IP_ADDRESS, ValueType.BYTES, ...STRINGISH]),
  remoteIp: prop('subject', ['remote_ip', 'remoteIp'], [ValueType.IP_ADDRESS, ValueType.BYTES, ...STRINGISH]),
  requestPrincipal: prop('subject', ['request_principal', 'requestPrincipal'], STRINGISH),
  audiences: prop('subject', ['audiences'], STRINGISH),
  presenter: prop('subject', ['presenter'], STRINGISH),
  claims: prop('subject', ['claims'], [ValueType.STRING_MAP]),
  headers: prop('subject', ['headers'], [ValueType.STRING_MAP]),
  port: prop('action', ['port'], [ValueType.INT64, ...STRINGISH]),
  host: prop('action', ['host'], STRINGISH),
  labels: prop('action', ['labels'], [ValueType.STRING_MAP]),
  destinationIp: prop('action', ['ip'], [ValueType.IP_ADDRESS, ValueType.BYTES, ...STRINGISH]),
  sni: prop('action', ['sni'], STRINGISH),
} as const satisfies Record<string, ConventionProperty>;

export type ConventionFact = keyof typeof CONVENTION;

const NOT_READ = Symbol('not read');
const SPIFFE = 'spiffe://';

/**
 * The facts of one request, read from its authorization instance on demand (each at most once).
 * Every getter returns undefined for "no value".
 */
export class RequestFacts {
  private principalValue: string | undefined | typeof NOT_READ = NOT_READ;
  private namespaceValue: string | undefined | typeof NOT_READ = NOT_READ;
  private pathValue: string | undefined | typeof NOT_READ = NOT_READ;
  private sourceIpValue: IpAddress | undefined | typeof NOT_READ = NOT_READ;

  constructor(readonly instance: AuthorizationInstance) {}

  /** subject.user as given (ServiceRoleBinding `user`). */
  get user(): string | undefined {
    return text(this.instance.subject.user);
  }

  /** The peer principal without `spiffe://` (principals, `source.principal`). */
  get principal(): string | undefined {
    if (this.principalValue === NOT_READ) {
      const user = this.user;
      this.principalValue = user?.startsWith(SPIFFE) === true ? text(user.slice(SPIFFE.length)) : user;
    }
    return this.principalValue;
  }

  get groups(): string | undefined {
    return text(this.instance.subject.groups);
  }

  /** The peer namespace: subject.properties.namespace, else `<td>/ns/<namespace>/sa/<sa>` from the principal. */
  get namespace(): string | undefined {
    if (this.namespaceValue === NOT_READ) this.namespaceValue = text(this.read(CONVENTION.namespace)) ?? namespaceOf(this.principal);
    return this.namespaceValue;
  }

  get sourceIp(): IpAddress | undefined {
    if (this.sourceIpValue === NOT_READ) this.sourceIpValue = ip(this.read(CONVENTION.sourceIp));
    return this.sourceIpValue;
  }

  get remoteIp(): IpAddress | undefined {
    return ip(this.read(CONVENTION.remoteIp));
  }

  get requestPrincipal(): string | undefined {
    return text(this.read(CONVENTION.requestPrincipal));
  }

  get audiences(): string | undefined {
    return text(this.read(CONVENTION.audiences));
  }

  get presenter(): string | undefined {
    return text(this.read(CONVENTION.presenter));
  }

  /** A request header; `name` must be lower-case, as header maps carry them. */
  header(name: string): string | undefined {
    return mapEntry(this.read(CONVENTION.headers), name);
  }

  claim(name: string): string | undefined {
    return mapEntry(this.read(CONVENTION.claims), name);
  }

  /** The workload's namespace (action.namespace). */
  get workloadNamespace(): string | undefined {
    return text(this.instance.action.namespace);
  }

  get service(): string | undefined {
    return text(this.instance.action.service);
  }

  get method(): string | undefined {
    return text(this.instance.action.method);
  }

  /** action.path as given (ServiceRole `paths`). */
  get rawPath(): string | undefined {
    return text(this.instance.action.path);
  }

  /** The URL path without query string or fragment (AuthorizationPolicy `paths`). */
  get path(): string | undefined {
    if (this.pathValue === NOT_READ) {
      const raw = this.rawPath;
      const end = raw === undefined ? -1 : raw.search(/[?#]/);
      this.pathValue = raw === undefined || end < 0 ? raw : text(raw.slice(0, end));
    }
    return this.pathValue;
  }

  get host(): string | undefined {
    return text(this.read(CONVENTION.host)) ?? this.header(':authority') ?? this.header('host');
  }

  get port(): number | undefined {
    return port(this.read(CONVENTION.port));
  }

  get destinationIp(): IpAddress | undefined {
    return ip(this.read(CONVENTION.destinationIp));
  }

  get sni(): string | undefined {
    return text(this.read(CONVENTION.sni));
  }

  /** A label of the workload (action.properties.labels). */
  label(key: string): string | undefined {
    return mapEntry(this.read(CONVENTION.labels), key);
  }

  /** A raw subject property (ServiceRoleBinding `properties`). */
  subjectProperty(key: string): InstanceValue {
    return this.instance.subject.properties[key];
  }

  /** A raw action property (ServiceRole `constraints`). */
  actionProperty(key: string): InstanceValue {
    return this.instance.action.properties[key];
  }

  private read(property: ConventionProperty): InstanceValue {
    const properties = this.instance[property.message].properties;
    for (const key of property.keys) {
      const value = properties[key];
      if (value !== undefined) return value;
    }
    return undefined;
  }
}

/** A string value, or undefined when absent, empty or not a string. */
export function text(value: InstanceValue): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function mapEntry(value: InstanceValue, key: string): string | undefined {
  return value instanceof StringMap ? text(value.get(key)) : undefined;
}

function ip(value: InstanceValue): IpAddress | undefined {
  let address: IpAddress | undefined;
  if (value instanceof IpAddress) address = value;
  else if (value instanceof Uint8Array) address = value.length === 4 || value.length === 16 ? IpAddress.fromBytes(value) : undefined;
  else if (typeof value === 'string') address = IpAddress.tryParse(value);
  if (address === undefined || address.isEmpty) return undefined;
  const bytes = address.toIpv4() ?? address.bytes;
  return bytes.every((byte) => byte === 0) ? undefined : address;
}

function port(value: InstanceValue): number | undefined {
  let number: number | undefined;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'bigint') number = value > 0n && value <= 65535n ? Number(value) : undefined;
  else if (typeof value === 'string' && /^[0-9]{1,5}$/.test(value)) number = Number(value);
  return number !== undefined && Number.isInteger(number) && number > 0 && number <= 65535 ? number : undefined;
}

/** `cluster.local/ns/default/sa/productpage` → `default`. */
function namespaceOf(principal: string | undefined): string | undefined {
  if (principal === undefined) return undefined;
  const start = principal.indexOf('/ns/');
  if (start < 0) return undefined;
  const end = principal.indexOf('/', start + 4);
  return text(principal.slice(start + 4, end < 0 ? undefined : end));
}
