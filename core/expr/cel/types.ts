/**
 * The static types of CEL as the checker sees them, printed the way cel-go prints them in its
 * error messages (`map(string, string)`, `google.protobuf.Timestamp`, `.context.reporter`).
 * Primitive types are singletons and message types are interned, so simple types compare with
 * `===`; `sameType` compares structurally.
 */
export type CelType = SimpleType | ListType | MapType | MessageType | TypeType | TypeParam;

export type SimpleKind =
  | 'int'
  | 'uint'
  | 'double'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'null'
  | 'timestamp'
  | 'duration'
  | 'dyn'
  | 'error';

export interface SimpleType {
  readonly kind: SimpleKind;
}

export interface ListType {
  readonly kind: 'list';
  readonly elem: CelType;
}

export interface MapType {
  readonly kind: 'map';
  readonly key: CelType;
  readonly value: CelType;
}

/** A message: an attribute-tree node (`.context`), an Istio wrapper type or a protobuf wrapper. */
export interface MessageType {
  readonly kind: 'message';
  readonly name: string;
}

/** The type of a type value: `type(int)`; `of` is undefined for the type of `type` itself. */
export interface TypeType {
  readonly kind: 'type';
  readonly of: CelType | undefined;
}

/** A type parameter of an overload signature (`A` in `_==_(A, A)`). */
export interface TypeParam {
  readonly kind: 'param';
  readonly name: string;
}

function simple(kind: SimpleKind): SimpleType {
  return Object.freeze({ kind });
}

export const INT = simple('int');
export const UINT = simple('uint');
export const DOUBLE = simple('double');
export const BOOL = simple('bool');
export const STRING = simple('string');
export const BYTES = simple('bytes');
export const NULL = simple('null');
export const TIMESTAMP = simple('timestamp');
export const DURATION = simple('duration');
export const DYN = simple('dyn');
export const ERROR = simple('error');

export function listOf(elem: CelType): ListType {
  return { kind: 'list', elem };
}

export function mapOf(key: CelType, value: CelType): MapType {
  return { kind: 'map', key, value };
}

export function typeOf(of: CelType | undefined): TypeType {
  return { kind: 'type', of };
}

export function param(name: string): TypeParam {
  return { kind: 'param', name };
}

const MESSAGES = new Map<string, MessageType>();

export function messageOf(name: string): MessageType {
  let type = MESSAGES.get(name);
  if (type === undefined) {
    type = Object.freeze({ kind: 'message' as const, name });
    MESSAGES.set(name, type);
  }
  return type;
}

export const STRING_MAP = mapOf(STRING, STRING);

/** Istio's wrapper message types for its domain value types. */
export const IP_ADDRESS_MESSAGE = messageOf('istio.policy.v1beta1.IPAddress');
export const EMAIL_MESSAGE = messageOf('istio.policy.v1beta1.EmailAddress');
export const URI_MESSAGE = messageOf('istio.policy.v1beta1.Uri');
export const DNS_NAME_MESSAGE = messageOf('istio.policy.v1beta1.DNSName');

/** The three Istio wrappers whose runtime form is a plain string. */
export function isStringWrapper(type: CelType): boolean {
  return type === EMAIL_MESSAGE || type === URI_MESSAGE || type === DNS_NAME_MESSAGE;
}

export function isDynOrError(type: CelType): boolean {
  return type.kind === 'dyn' || type.kind === 'error';
}

/** cel-go's FormatCheckedType. */
export function formatType(type: CelType): string {
  switch (type.kind) {
    case 'timestamp':
      return 'google.protobuf.Timestamp';
    case 'duration':
      return 'google.protobuf.Duration';
    case 'error':
      return '!error!';
    case 'list':
      return `list(${formatType(type.elem)})`;
    case 'map':
      return `map(${formatType(type.key)}, ${formatType(type.value)})`;
    case 'message':
      return type.name;
    case 'type':
      return type.of === undefined ? 'type' : `type(${formatType(type.of)})`;
    case 'param':
      return type.name;
    default:
      return type.kind;
  }
}

export function sameType(a: CelType, b: CelType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'list':
      return sameType(a.elem, (b as ListType).elem);
    case 'map':
      return sameType(a.key, (b as MapType).key) && sameType(a.value, (b as MapType).value);
    case 'message':
      return a.name === (b as MessageType).name;
    case 'type': {
      const other = (b as TypeType).of;
      return a.of === undefined || other === undefined ? a.of === other : sameType(a.of, other);
    }
    case 'param':
      return a.name === (b as TypeParam).name;
    default:
      return true;
  }
}

/** True when the type, or a type nested in it, is dyn, error or a type parameter. */
export function containsDyn(type: CelType): boolean {
  switch (type.kind) {
    case 'dyn':
    case 'error':
    case 'param':
      return true;
    case 'list':
      return containsDyn(type.elem);
    case 'map':
      return containsDyn(type.key) || containsDyn(type.value);
    default:
      return false;
  }
}

/** Type-parameter bindings built while an overload is matched against argument types. */
export type Bindings = Map<string, CelType>;

/** Replaces bound type parameters; unbound ones become `unbound` (dyn by default). */
export function substitute(type: CelType, bindings: Bindings, unbound: CelType = DYN): CelType {
  switch (type.kind) {
    case 'param': {
      const bound = bindings.get(type.name);
      return bound === undefined ? unbound : substitute(bound, bindings, unbound);
    }
    case 'list':
      return listOf(substitute(type.elem, bindings, unbound));
    case 'map':
      return mapOf(substitute(type.key, bindings, unbound), substitute(type.value, bindings, unbound));
    case 'type':
      return type.of === undefined ? type : typeOf(substitute(type.of, bindings, unbound));
    default:
      return type;
  }
}

/** dyn (or error) is less specific than anything; keep the more general of two compatible types. */
function mostGeneral(a: CelType, b: CelType): CelType {
  if (isDynOrError(a)) return a;
  if (isDynOrError(b)) return b;
  if (a.kind === 'list' && b.kind === 'list') return listOf(mostGeneral(a.elem, b.elem));
  if (a.kind === 'map' && b.kind === 'map') return mapOf(mostGeneral(a.key, b.key), mostGeneral(a.value, b.value));
  return a;
}

/** null may stand for a message (cel-go also allows well-known types; a timestamp method on null would then fail). */
function nullAssignable(other: CelType): boolean {
  return other.kind === 'null' || other.kind === 'message';
}

/**
 * Whether a value of type `arg` may be passed where `target` is expected, binding the type
 * parameters of `target` (and of `arg`) in `bindings` (cel-go's isAssignable, with the binding
 * of a parameter widened to dyn when dyn meets a concrete type).
 */
export function isAssignable(arg: CelType, target: CelType, bindings: Bindings): boolean {
  if (arg === target) return true;
  if (target.kind === 'param') {
    const bound = bindings.get(target.name);
    if (bound !== undefined) {
      if (!isAssignable(arg, bound, bindings)) return false;
      bindings.set(target.name, mostGeneral(arg, bound));
      return true;
    }
    bindings.set(target.name, arg);
    return true;
  }
  if (arg.kind === 'param') {
    const bound = bindings.get(arg.name);
    if (bound !== undefined) {
      if (!isAssignable(bound, target, bindings)) return false;
      bindings.set(arg.name, mostGeneral(bound, target));
      return true;
    }
    bindings.set(arg.name, target);
    return true;
  }
  if (isDynOrError(arg) || isDynOrError(target)) return true;
  if (arg.kind === 'null') return nullAssignable(target);
  if (target.kind === 'null') return nullAssignable(arg);
  if (arg.kind !== target.kind) return false;
  switch (arg.kind) {
    case 'list':
      return isAssignable(arg.elem, (target as ListType).elem, bindings);
    case 'map':
      return isAssignable(arg.key, (target as MapType).key, bindings) && isAssignable(arg.value, (target as MapType).value, bindings);
    case 'message':
      return arg.name === (target as MessageType).name;
    case 'type':
      return true;
    default:
      return true;
  }
}

/** The common type of two values that meet in one place (list elements, ternary branches). */
export function joinTypes(a: CelType, b: CelType): CelType {
  if (sameType(a, b)) return a;
  if (a.kind === 'error') return b;
  if (b.kind === 'error') return a;
  if (a.kind === 'list' && b.kind === 'list') return listOf(joinTypes(a.elem, b.elem));
  if (a.kind === 'map' && b.kind === 'map') return mapOf(joinTypes(a.key, b.key), joinTypes(a.value, b.value));
  return DYN;
}
