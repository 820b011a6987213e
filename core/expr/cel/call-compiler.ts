import type { AttributeBag } from '../../attribute/bag.js';
import { StringMap } from '../../attribute/string-map.js';
import { ValueType } from '../../attribute/value-type.js';
import { compileRegex } from '../regex/index.js';
import { type CallExpr, Operators } from './ast.js';
import { mapContains, mapLookup } from './attribute-access.js';
import type { Candidate } from './checker.js';
import { type Compiled, converted, dynamicNode, type Eval, NO_ERROR, rethrow } from './compiled.js';
import { dynEquals, equalityFor } from './equality.js';
import { converter, fromDyn, matchesType, runtimeTypeName, toDyn } from './representation.js';
import { fail } from './runtime-error.js';
import { BOOL, type CelType } from './types.js';
import { CelMap, CelTypeValue, DynDouble, DynUint } from './values.js';

/** Compiles a call whose arguments (receiver first) are already compiled. */
export function compileCall(
  call: CallExpr,
  candidates: readonly Candidate[],
  args: readonly Compiled[],
  argTypes: readonly CelType[],
  resultType: CelType,
): Compiled {
  const readsBag = args.some((arg) => arg.readsBag);
  switch (call.fn) {
    case Operators.LOGICAL_AND:
    case Operators.LOGICAL_OR:
      return dynamicNode(compileLogic(call.fn === Operators.LOGICAL_AND, args, argTypes), readsBag, args.some((arg) => arg.mayFail));
    case Operators.CONDITIONAL:
      return dynamicNode(compileConditional(candidates[0]!, args, argTypes, resultType), readsBag, args.some((arg) => arg.mayFail));
    case Operators.EQUALS:
    case Operators.NOT_EQUALS:
      return dynamicNode(compileEquality(call.fn === Operators.EQUALS, candidates[0]!, args, argTypes), readsBag);
    case Operators.IN:
      return dynamicNode(compileIn(candidates, args, argTypes), readsBag);
    case Operators.INDEX:
      return dynamicNode(compileIndex(candidates, args, argTypes, resultType), readsBag);
    default:
      break;
  }
  if (candidates.length === 1 && candidates[0]!.overload.id === 'type') {
    return dynamicNode(compileTypeOf(args[0]!, argTypes[0]!), readsBag);
  }
  if (call.fn === 'matches' && candidates.length === 1) {
    const regex = constantRegex(args[1]!);
    if (regex !== undefined) {
      const text = converted(args[0]!.eval, converter(argTypes[0]!, candidates[0]!.params[0]!));
      return dynamicNode((bag, vars) => regex.test(text(bag, vars) as string), readsBag, args[0]!.mayFail);
    }
  }
  if (candidates.length === 1) return dynamicNode(compileStatic(candidates[0]!, args, argTypes, resultType), readsBag);
  return dynamicNode(compileDispatch(call.fn, candidates, args, argTypes, resultType), readsBag);
}

function argumentEvals(args: readonly Compiled[], argTypes: readonly CelType[], params: readonly CelType[]): Eval[] {
  return args.map((arg, index) => converted(arg.eval, converter(argTypes[index]!, params[index]!)));
}

/**
 * cel-go evaluates every argument of a call before looking at errors, so a later argument's
 * attribute reads are recorded even when an earlier argument failed. That only matters when
 * an argument that may fail is followed by one that reads the bag.
 */
function needsExhaustive(args: readonly Compiled[]): boolean {
  let failing = false;
  for (const arg of args) {
    if (failing && arg.readsBag) return true;
    failing ||= arg.mayFail;
  }
  return false;
}

/** Evaluates every argument, then raises the first error. */
function evaluateAll(evals: readonly Eval[], bag: AttributeBag, vars: unknown[]): unknown[] {
  const values = new Array<unknown>(evals.length);
  let failure: unknown = NO_ERROR;
  for (let index = 0; index < evals.length; index++) {
    try {
      values[index] = evals[index]!(bag, vars);
    } catch (error) {
      if (failure === NO_ERROR) failure = error;
    }
  }
  if (failure !== NO_ERROR) rethrow(failure);
  return values;
}

/** Calls `f` on the evaluated arguments, with a closure shaped for the arity. */
function applyArgs(evals: readonly Eval[], exhaustive: boolean, f: (...args: unknown[]) => unknown): Eval {
  if (exhaustive) return (bag, vars) => f(...evaluateAll(evals, bag, vars), bag);
  const [a, b, c] = evals;
  switch (evals.length) {
    case 0:
      return (bag) => f(bag);
    case 1:
      return (bag, vars) => f(a!(bag, vars), bag);
    case 2:
      return (bag, vars) => f(a!(bag, vars), b!(bag, vars), bag);
    case 3:
      return (bag, vars) => f(a!(bag, vars), b!(bag, vars), c!(bag, vars), bag);
    default:
      return (bag, vars) => f(...evals.map((evaluate) => evaluate(bag, vars)), bag);
  }
}

function compileStatic(candidate: Candidate, args: readonly Compiled[], argTypes: readonly CelType[], resultType: CelType): Eval {
  const evals = argumentEvals(args, argTypes, candidate.params);
  return converted(applyArgs(evals, needsExhaustive(args), candidate.overload.impl), converter(candidate.result, resultType));
}

/** Several overloads match statically (dyn arguments): pick one by the runtime types. */
function compileDispatch(
  fn: string,
  candidates: readonly Candidate[],
  args: readonly Compiled[],
  argTypes: readonly CelType[],
  resultType: CelType,
): Eval {
  const evals = args.map((arg, index) => converted(arg.eval, toDyn(argTypes[index]!)));
  const options = candidates.map((candidate) => ({
    params: candidate.params,
    unbox: candidate.params.map(fromDyn),
    impl: candidate.overload.impl,
    box: toDyn(candidate.result),
  }));
  const finish = fromDyn(resultType);
  const dispatch = (...values: unknown[]): unknown => {
    const bag = values.pop();
    for (const option of options) {
      if (!option.params.every((type, index) => matchesType(values[index], type))) continue;
      const unboxed = values.map((value, index) => {
        const unbox = option.unbox[index];
        return unbox === undefined ? value : unbox(value);
      });
      let result = option.impl(...unboxed, bag);
      if (option.box !== undefined) result = option.box(result);
      return finish === undefined ? result : finish(result);
    }
    return fail(`no such overload: ${fn}(${values.map(runtimeTypeName).join(', ')})`);
  };
  return applyArgs(evals, needsExhaustive(args), dispatch);
}

function toBool(arg: Compiled, type: CelType): Eval {
  return converted(arg.eval, converter(type, BOOL));
}

/** `&&` and `||` with CEL's commutative error absorption: `error || true` is true. */
function compileLogic(and: boolean, args: readonly Compiled[], argTypes: readonly CelType[]): Eval {
  const left = toBool(args[0]!, argTypes[0]!);
  const right = toBool(args[1]!, argTypes[1]!);
  const decisive = !and;
  const mayFail = args.some((arg, index) => arg.mayFail || converter(argTypes[index]!, BOOL) !== undefined);
  if (!mayFail) {
    return and ? (bag, vars) => left(bag, vars) === true && right(bag, vars) === true : (bag, vars) => left(bag, vars) === true || right(bag, vars) === true;
  }
  return (bag, vars) => {
    let failure: unknown = NO_ERROR;
    try {
      if (left(bag, vars) === decisive) return decisive;
    } catch (error) {
      failure = error;
    }
    try {
      if (right(bag, vars) === decisive) return decisive;
    } catch (error) {
      if (failure === NO_ERROR) failure = error;
    }
    if (failure !== NO_ERROR) rethrow(failure);
    return !decisive;
  };
}

function compileConditional(candidate: Candidate, args: readonly Compiled[], argTypes: readonly CelType[], resultType: CelType): Eval {
  const [condition, whenTrue, whenFalse] = argumentEvals(args, argTypes, candidate.params) as [Eval, Eval, Eval];
  return converted((bag, vars) => (condition(bag, vars) ? whenTrue(bag, vars) : whenFalse(bag, vars)), converter(candidate.result, resultType));
}

function compileEquality(equals: boolean, candidate: Candidate, args: readonly Compiled[], argTypes: readonly CelType[]): Eval {
  const type = candidate.params[0]!;
  const [left, right] = argumentEvals(args, argTypes, candidate.params) as [Eval, Eval];
  const equality = equalityFor(type);
  const exhaustive = needsExhaustive(args);
  if (exhaustive) {
    return applyArgs([left, right], true, (a, b) => equality(a, b) === equals);
  }
  const leftArg = args[0]!;
  const rightArg = args[1]!;
  if (equality === equalityFor(BOOL)) {
    // Plain identity: the hot path of rule matches (`request.headers["x"] == "y"`).
    if (rightArg.constant) {
      const value = rightArg.value;
      return equals ? (bag, vars) => left(bag, vars) === value : (bag, vars) => left(bag, vars) !== value;
    }
    if (leftArg.constant) {
      const value = leftArg.value;
      return equals ? (bag, vars) => value === right(bag, vars) : (bag, vars) => value !== right(bag, vars);
    }
    return equals ? (bag, vars) => left(bag, vars) === right(bag, vars) : (bag, vars) => left(bag, vars) !== right(bag, vars);
  }
  return equals ? (bag, vars) => equality(left(bag, vars), right(bag, vars)) : (bag, vars) => !equality(left(bag, vars), right(bag, vars));
}

function compileIn(candidates: readonly Candidate[], args: readonly Compiled[], argTypes: readonly CelType[]): Eval {
  const exhaustive = needsExhaustive(args);
  if (candidates.length > 1) {
    const evals = args.map((arg, index) => converted(arg.eval, toDyn(argTypes[index]!)));
    return applyArgs(evals, exhaustive, (element, container, bag) => {
      if (Array.isArray(container)) return container.some((item) => dynEquals(element, item));
      if (container instanceof StringMap || container instanceof CelMap) return mapContains(container, element, bag as AttributeBag);
      return fail(`no such overload: @in(${runtimeTypeName(element)}, ${runtimeTypeName(container)})`);
    });
  }
  const candidate = candidates[0]!;
  const [element, container] = argumentEvals(args, argTypes, candidate.params) as [Eval, Eval];
  const elementType = candidate.params[0]!;
  if (candidate.overload.id === 'in_list') {
    const equality = equalityFor(elementType);
    const constantList = args[1]!.constant ? (args[1]!.value as unknown[]) : undefined;
    if (constantList !== undefined && equality === equalityFor(BOOL) && !exhaustive) {
      const members = new Set(constantList);
      return (bag, vars) => members.has(element(bag, vars));
    }
    return applyArgs([element, container], exhaustive, (value, list) => (list as unknown[]).some((item) => equality(value, item)));
  }
  const key = converted(element, toDyn(elementType));
  return applyArgs([key, container], exhaustive, (value, map, bag) => mapContains(map, value, bag as AttributeBag));
}

function listIndex(list: readonly unknown[], index: unknown): unknown {
  let position: number;
  if (typeof index === 'number') position = index;
  else if (typeof index === 'bigint') position = Number(index);
  else if (index instanceof DynUint) position = Number(index.value);
  else if (index instanceof DynDouble && Number.isInteger(index.value)) position = index.value;
  else return fail(`unsupported index type ${runtimeTypeName(index)}`);
  if (position < 0 || position >= list.length) return fail(`index '${String(index instanceof DynUint || index instanceof DynDouble ? index.value : index)}' out of range in list size '${list.length}'`);
  return list[position];
}

function compileIndex(candidates: readonly Candidate[], args: readonly Compiled[], argTypes: readonly CelType[], resultType: CelType): Eval {
  const exhaustive = needsExhaustive(args);
  if (candidates.length > 1) {
    const evals = args.map((arg, index) => converted(arg.eval, toDyn(argTypes[index]!)));
    const finish = fromDyn(resultType);
    return converted(
      applyArgs(evals, exhaustive, (container, index, bag) => {
        if (Array.isArray(container)) return listIndex(container, index);
        if (container instanceof StringMap || container instanceof CelMap) return mapLookup(container, index, bag as AttributeBag);
        return fail(`no such overload: _[_](${runtimeTypeName(container)}, ${runtimeTypeName(index)})`);
      }),
      finish,
    );
  }
  const candidate = candidates[0]!;
  const [container, index] = argumentEvals(args, argTypes, candidate.params) as [Eval, Eval];
  const out = converter(candidate.result, resultType);
  if (candidate.overload.id === 'index_map') {
    const fused = attributeMapLookup(args[0]!, args[1]!);
    if (fused !== undefined) return fused;
    const key = converted(index, toDyn(candidate.params[1]!));
    if (!exhaustive && args[1]!.constant) {
      const constantKey = key(undefined as unknown as AttributeBag, []);
      return converted((bag, vars) => mapLookup(container(bag, vars), constantKey, bag), out);
    }
    return converted(applyArgs([container, key], exhaustive, (map, value, bag) => mapLookup(map, value, bag as AttributeBag)), out);
  }
  return converted(applyArgs([container, index], exhaustive, (list, value) => listIndex(list as unknown[], value)), out);
}

/**
 * `attr["key"]` on a STRING_MAP attribute with a constant key, fused into one closure: the
 * commonest rule shape (`request.headers["x-user"]`, `source.labels["app"]`).
 */
function attributeMapLookup(container: Compiled, index: Compiled): Eval | undefined {
  const node = container.attribute;
  if (node?.valueType !== ValueType.STRING_MAP || !index.constant || typeof index.value !== 'string') return undefined;
  const name = node.attributeName;
  const key = index.value;
  const read = container.eval;
  return (bag, vars) => {
    const map = bag.get(name);
    if (map instanceof StringMap) {
      const value = bag.lookupKey(map, key);
      if (value !== undefined) return value;
      return fail(`no such key: '${key}'`);
    }
    // Absent (the empty map, whose keys are not recorded) or of the wrong type.
    read(bag, vars);
    return fail(`no such key: '${key}'`);
  };
}

function compileTypeOf(arg: Compiled, argType: CelType): Eval {
  const value = converted(arg.eval, toDyn(argType));
  return (bag, vars) => {
    const result = value(bag, vars);
    if (result instanceof StringMap) return fail('cannot convert stringmap to CEL types');
    return CelTypeValue.of(runtimeTypeName(result));
  };
}

function constantRegex(pattern: Compiled): { test(input: string): boolean } | undefined {
  if (!pattern.constant || typeof pattern.value !== 'string') return undefined;
  try {
    return compileRegex(pattern.value);
  } catch {
    // A bad pattern is an evaluation error, raised by the generic implementation.
    return undefined;
  }
}
