import type { AttributeValue } from '../../attribute/value.js';
import { type ValueType, valueTypeName } from '../../attribute/value-type.js';
import { Operators } from './ast.js';
import { celTypeOfValueType } from './attribute-tree.js';
import { istioOverloads } from './istio-functions.js';
import { FunctionRegistry, global, type Impl, type Overload } from './overload.js';
import { compiledInline, operatorOverloads } from './stdlib-operators.js';
import { functionOverloads } from './stdlib-functions.js';
import { BOOL, INT, listOf, mapOf, param, UINT } from './types.js';

/**
 * A function added to the language by configuration (or by a test), typed with attribute
 * value types. An instance function is called as `target.name(args)`; its `args` start with
 * the target's type. The implementation gets and returns attribute values.
 */
export interface CelExternFunction {
  readonly name: string;
  readonly instance: boolean;
  readonly args: readonly ValueType[];
  readonly returns: ValueType;
  readonly impl: (...args: AttributeValue[]) => AttributeValue;
}

const A = param('A');
const B = param('B');

/**
 * Operators the compiler implements inline (short-circuit logic, the ternary, equality,
 * membership and indexing). Their signatures still drive the checker.
 */
function inlineOverloads(): Overload[] {
  return [
    global('logical_and', Operators.LOGICAL_AND, [BOOL, BOOL], BOOL, compiledInline),
    global('logical_or', Operators.LOGICAL_OR, [BOOL, BOOL], BOOL, compiledInline),
    global('conditional', Operators.CONDITIONAL, [BOOL, A, A], A, compiledInline),
    global('equals', Operators.EQUALS, [A, A], BOOL, compiledInline),
    global('not_equals', Operators.NOT_EQUALS, [A, A], BOOL, compiledInline),
    global('index_list', Operators.INDEX, [listOf(A), INT], A, compiledInline),
    global('index_list_uint', Operators.INDEX, [listOf(A), UINT], A, compiledInline),
    global('index_map', Operators.INDEX, [mapOf(A, B), A], B, compiledInline),
    global('in_list', Operators.IN, [A, listOf(A)], BOOL, compiledInline),
    global('in_map', Operators.IN, [A, mapOf(A, B)], BOOL, compiledInline),
  ];
}

function externOverload(extern: CelExternFunction): Overload {
  const params = extern.args.map(celTypeOfValueType);
  const id = `extern_${extern.instance ? 'member_' : ''}${extern.name}_${extern.args.map(valueTypeName).join('_')}`;
  return { id, fn: extern.name, receiver: extern.instance, params, result: celTypeOfValueType(extern.returns), impl: extern.impl as Impl };
}

/** Standard CEL plus Istio's functions, plus the given externs (which win on equal signatures). */
export function standardRegistry(externs: readonly CelExternFunction[] = []): FunctionRegistry {
  return new FunctionRegistry([
    ...inlineOverloads(),
    ...operatorOverloads(),
    ...functionOverloads(),
    ...istioOverloads(),
    ...externs.map(externOverload),
  ]);
}
