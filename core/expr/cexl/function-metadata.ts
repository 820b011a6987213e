import { ValueType } from '../../attribute/value-type.js';

const ANY = ValueType.VALUE_TYPE_UNSPECIFIED;

/**
 * A function's signature as Istio's type checker sees it. `ANY` (VALUE_TYPE_UNSPECIFIED) in an
 * argument slot takes its type from the first such argument (or the method target); later ANY
 * slots must match it; an ANY return type is that discovered type.
 */
export interface FunctionSignature {
  readonly name: string;
  /** A method, called as `target.name(args)`. */
  readonly instance: boolean;
  /** For methods: the required target type (ANY: the target fixes the template type). */
  readonly targetType: ValueType;
  readonly returnType: ValueType;
  readonly argumentTypes: readonly ValueType[];
}

function fn(name: string, returnType: ValueType, argumentTypes: ValueType[]): FunctionSignature {
  return { name, instance: false, targetType: ANY, returnType, argumentTypes };
}

function method(name: string, targetType: ValueType, returnType: ValueType, argumentTypes: ValueType[]): FunctionSignature {
  return { name, instance: true, targetType, returnType, argumentTypes };
}

/** Operators (as functions) and the standard functions, with Istio's signatures. */
export const STANDARD_SIGNATURES: readonly FunctionSignature[] = [
  fn('EQ', ValueType.BOOL, [ANY, ANY]),
  fn('NEQ', ValueType.BOOL, [ANY, ANY]),
  fn('LT', ValueType.BOOL, [ANY, ANY]),
  fn('LEQ', ValueType.BOOL, [ANY, ANY]),
  fn('GT', ValueType.BOOL, [ANY, ANY]),
  fn('GEQ', ValueType.BOOL, [ANY, ANY]),
  fn('OR', ANY, [ANY, ANY]),
  fn('LOR', ValueType.BOOL, [ValueType.BOOL, ValueType.BOOL]),
  fn('LAND', ValueType.BOOL, [ValueType.BOOL, ValueType.BOOL]),
  fn('INDEX', ValueType.STRING, [ValueType.STRING_MAP, ValueType.STRING]),
  fn('conditional', ANY, [ValueType.BOOL, ANY, ANY]),
  fn('ADD', ANY, [ANY, ANY]),
  fn('size', ValueType.INT64, [ValueType.STRING]),
  fn('ip', ValueType.IP_ADDRESS, [ValueType.STRING]),
  fn('timestamp', ValueType.TIMESTAMP, [ValueType.STRING]),
  fn('dnsName', ValueType.DNS_NAME, [ValueType.STRING]),
  fn('email', ValueType.EMAIL_ADDRESS, [ValueType.STRING]),
  fn('uri', ValueType.URI, [ValueType.STRING]),
  fn('match', ValueType.BOOL, [ValueType.STRING, ValueType.STRING]),
  method('matches', ValueType.STRING, ValueType.BOOL, [ValueType.STRING]),
  method('startsWith', ValueType.STRING, ValueType.BOOL, [ValueType.STRING]),
  method('endsWith', ValueType.STRING, ValueType.BOOL, [ValueType.STRING]),
  fn('emptyStringMap', ValueType.STRING_MAP, []),
  fn('conditionalString', ValueType.STRING, [ValueType.BOOL, ValueType.STRING, ValueType.STRING]),
  fn('toLower', ValueType.STRING, [ValueType.STRING]),
];

export { fn as functionSignature, method as methodSignature };
