import { conversionErrorMessage, interpreterTypeName } from '../attribute-read-error.js';
import type { AttributeBag } from '../../attribute/bag.js';
import { Duration } from '../../attribute/duration.js';
import { IpAddress } from '../../attribute/ip-address.js';
import { StringMap } from '../../attribute/string-map.js';
import { Timestamp } from '../../attribute/timestamp.js';
import { wrapInt64, type AttributeValue, type Int64 } from '../../attribute/value.js';
import { ValueType } from '../../attribute/value-type.js';
import { ExpressionCompileError, ExpressionEvaluationError, lookupFailed } from '../errors.js';
import { dnsNameEquals } from '../functions/dns-name.js';
import { emailEquals } from '../functions/email.js';
import { uriEquals } from '../functions/uri.js';
import { compileRegex, matchesRegex } from '../regex/index.js';
import { compareUtf8 } from './compare-utf8.js';
import type { CexlExpr, CexlFunction } from './istio-ast.js';
import type { CexlTypeChecker } from './type-checker.js';

/** Evaluates a node; throws when a needed attribute is absent. */
export type StrictEval = (bag: AttributeBag) => AttributeValue;
/** Evaluates a node under `|`: undefined means "absent, try the next alternative". */
export type AttemptEval = (bag: AttributeBag) => AttributeValue | undefined;

/** An extern function's implementation over already-evaluated arguments (target first for methods). */
export type ExternImplementation = (...args: AttributeValue[]) => AttributeValue;

function readError(name: string, value: unknown, type: ValueType): ExpressionEvaluationError {
  if (value === undefined) return lookupFailed(name);
  return new ExpressionEvaluationError(conversionErrorMessage(type, value));
}

/** A runtime check that a value read from a bag has the representation its type promises. */
function runtimeCheck(type: ValueType): (value: unknown) => boolean {
  switch (type) {
    case ValueType.STRING:
    case ValueType.EMAIL_ADDRESS:
    case ValueType.URI:
    case ValueType.DNS_NAME:
      return (value) => typeof value === 'string';
    case ValueType.INT64:
      return (value) => (typeof value === 'number' ? Number.isSafeInteger(value) : typeof value === 'bigint');
    case ValueType.DOUBLE:
      return (value) => typeof value === 'number';
    case ValueType.BOOL:
      return (value) => typeof value === 'boolean';
    case ValueType.TIMESTAMP:
      return (value) => value instanceof Timestamp;
    case ValueType.DURATION:
      return (value) => value instanceof Duration;
    case ValueType.IP_ADDRESS:
      return (value) => value instanceof IpAddress;
    case ValueType.STRING_MAP:
      return (value) => value instanceof StringMap;
    default:
      return (value) => value instanceof Uint8Array;
  }
}

function addInt64(a: Int64, b: Int64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return wrapInt64(BigInt(a) + BigInt(b));
}

/** Byte length of a string in UTF-8, as Go's len(). */
function utf8Size(value: string): number {
  let size = value.length;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x80) continue;
    if (code < 0x800) size += 1;
    else if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes.
      index++;
      size += 2;
    } else size += 2;
  }
  return size;
}

/**
 * Turns a type-checked CEXL tree into nested closures, once. Evaluation then only runs the
 * closures: no tree walking, no re-parsing. `|` chains, map indexes and attributes have an
 * "attempt" form that yields undefined for an absent value instead of failing.
 */
export class CexlCodeGenerator {
  constructor(
    private readonly checker: CexlTypeChecker,
    private readonly externs: ReadonlyMap<string, ExternImplementation>,
    private readonly text: string,
  ) {}

  private internal(message: string): ExpressionCompileError {
    return new ExpressionCompileError(`internal compiler error -- ${message}`, this.text);
  }

  strict(expression: CexlExpr): StrictEval {
    switch (expression.kind) {
      case 'constant': {
        const value = expression.value;
        return () => value;
      }
      case 'variable':
        return this.readAttribute(expression.name, this.checker.typeOf(expression));
      case 'function':
        return this.strictFunction(expression);
    }
  }

  attempt(expression: CexlExpr): AttemptEval {
    switch (expression.kind) {
      case 'variable': {
        const name = expression.name;
        const type = this.checker.typeOf(expression);
        const check = runtimeCheck(type);
        return (bag) => {
          const value = bag.get(name);
          if (value === undefined || check(value)) return value;
          throw readError(name, value, type);
        };
      }
      case 'function':
        if (expression.name === 'OR') return this.orChain(expression, false);
        if (expression.name === 'INDEX') return this.attemptIndex(expression);
        return this.strict(expression);
      case 'constant':
        return this.strict(expression);
    }
  }

  private readAttribute(name: string, type: ValueType): StrictEval {
    switch (type) {
      case ValueType.STRING:
      case ValueType.EMAIL_ADDRESS:
      case ValueType.URI:
      case ValueType.DNS_NAME:
        return (bag) => {
          const value = bag.get(name);
          if (typeof value === 'string') return value;
          throw readError(name, value, type);
        };
      case ValueType.BOOL:
        return (bag) => {
          const value = bag.get(name);
          if (typeof value === 'boolean') return value;
          throw readError(name, value, type);
        };
      default: {
        const check = runtimeCheck(type);
        return (bag) => {
          const value = bag.get(name);
          if (value !== undefined && check(value)) return value;
          throw readError(name, value, type);
        };
      }
    }
  }

  private strictFunction(call: CexlFunction): StrictEval {
    const args = call.args;
    switch (call.name) {
      case 'OR':
        return this.orChain(call, true) as StrictEval;
      case 'INDEX':
        return this.strictIndex(call);
      case 'LAND': {
        const left = this.strict(args[0]!);
        const right = this.strict(args[1]!);
        return (bag) => left(bag) && right(bag);
      }
      case 'LOR': {
        const left = this.strict(args[0]!);
        const right = this.strict(args[1]!);
        return (bag) => left(bag) || right(bag);
      }
      case 'EQ':
        return this.equality(call, false);
      case 'NEQ':
        return this.equality(call, true);
      case 'LT':
      case 'LEQ':
      case 'GT':
      case 'GEQ':
        return this.ordering(call);
      case 'ADD':
        return this.addition(call);
      case 'conditional': {
        const condition = this.strict(args[0]!);
        const whenTrue = this.strict(args[1]!);
        const whenFalse = this.strict(args[2]!);
        return (bag) => ((condition(bag) as boolean) ? whenTrue(bag) : whenFalse(bag));
      }
      case 'conditionalString': {
        const [condition, whenTrue, whenFalse] = args.map((arg) => this.strict(arg)) as [StrictEval, StrictEval, StrictEval];
        return (bag) => {
          const chosen = condition(bag) as boolean;
          const a = whenTrue(bag);
          const b = whenFalse(bag);
          return chosen ? a : b;
        };
      }
      case 'size': {
        const argument = args[0]!;
        if (argument.kind === 'constant') {
          const size = utf8Size(argument.value as string);
          return () => size;
        }
        const value = this.strict(argument);
        return (bag) => utf8Size(value(bag) as string);
      }
      case 'matches':
        return this.matches(call);
      case 'startsWith': {
        const target = this.strict(call.target!);
        const prefix = this.strict(args[0]!);
        return (bag) => (target(bag) as string).startsWith(prefix(bag) as string);
      }
      case 'endsWith': {
        const target = this.strict(call.target!);
        const suffix = this.strict(args[0]!);
        return (bag) => (target(bag) as string).endsWith(suffix(bag) as string);
      }
      case 'emptyStringMap':
        return () => StringMap.EMPTY;
      case 'toLower': {
        const value = this.strict(args[0]!);
        return (bag) => (value(bag) as string).toLowerCase();
      }
      default:
        return this.externCall(call);
    }
  }

  private externCall(call: CexlFunction): StrictEval {
    const implementation = this.externs.get(call.name);
    if (implementation === undefined) throw this.internal(`no implementation for function: ${call.name}`);
    const operands = [...(call.target === undefined ? [] : [call.target]), ...call.args].map((arg) => this.strict(arg));
    if (operands.length === 0) return () => implementation();
    if (operands.length === 1) {
      const only = operands[0]!;
      return (bag) => implementation(only(bag));
    }
    if (operands.length === 2) {
      const [first, second] = operands as [StrictEval, StrictEval];
      return (bag) => implementation(first(bag), second(bag));
    }
    return (bag) => implementation(...operands.map((operand) => operand(bag)));
  }

  /** `a | b | c`: every alternative but the last in attempt form; the last strict (unless attempting). */
  private orChain(call: CexlFunction, strictLast: boolean): StrictEval | AttemptEval {
    const alternatives: CexlExpr[] = [];
    const flatten = (node: CexlExpr): void => {
      if (node.kind === 'function' && node.name === 'OR') {
        flatten(node.args[0]!);
        flatten(node.args[1]!);
      } else {
        alternatives.push(node);
      }
    };
    flatten(call);
    const last = alternatives.pop()!;
    const attempts = alternatives.map((alternative) => this.attempt(alternative));
    const final: AttemptEval = strictLast ? this.strict(last) : this.attempt(last);
    if (attempts.length === 1) {
      const first = attempts[0]!;
      return (bag) => {
        const value = first(bag);
        return value !== undefined ? value : final(bag);
      };
    }
    return (bag) => {
      for (const attempt of attempts) {
        const value = attempt(bag);
        if (value !== undefined) return value;
      }
      return final(bag);
    };
  }

  /**
   * The map operand of `m[k]`. An attribute is read with the bag's `getMapForKeys`, so a
   * recording bag records the keys looked up rather than the whole map.
   */
  private mapForKeys(node: CexlExpr, attempt: boolean): AttemptEval {
    if (node.kind !== 'variable') return attempt ? this.attempt(node) : this.strict(node);
    const name = node.name;
    const type = this.checker.typeOf(node);
    return (bag) => {
      const value = bag.getMapForKeys !== undefined ? bag.getMapForKeys(name) : bag.get(name);
      if (value instanceof StringMap || (attempt && value === undefined)) return value;
      throw readError(name, value, type);
    };
  }

  /** `m[k]` strict: the map and key must be present; an absent key reads as "". */
  private strictIndex(call: CexlFunction): StrictEval {
    const map = this.mapForKeys(call.args[0]!, false) as StrictEval;
    const keyNode = call.args[1]!;
    if (keyNode.kind === 'constant') {
      const key = keyNode.value as string;
      return (bag) => {
        const value = bag.lookupKey(map(bag) as StringMap, key);
        return value === undefined ? '' : value;
      };
    }
    const key = this.strict(keyNode);
    return (bag) => {
      const target = map(bag) as StringMap;
      const value = bag.lookupKey(target, key(bag) as string);
      return value === undefined ? '' : value;
    };
  }

  /** `m[k]` under `|`: an absent map, absent key attribute or absent entry all fall through. */
  private attemptIndex(call: CexlFunction): AttemptEval {
    const map = this.mapForKeys(call.args[0]!, true);
    const keyNode = call.args[1]!;
    if (keyNode.kind === 'constant') {
      const key = keyNode.value as string;
      return (bag) => {
        const target = map(bag);
        return target === undefined ? undefined : bag.lookupKey(target as StringMap, key);
      };
    }
    const key = this.attempt(keyNode);
    return (bag) => {
      const target = map(bag);
      if (target === undefined) return undefined;
      const keyValue = key(bag);
      return keyValue === undefined ? undefined : bag.lookupKey(target as StringMap, keyValue as string);
    };
  }

  private equality(call: CexlFunction, negate: boolean): StrictEval {
    const [leftNode, rightNode] = call.args as [CexlExpr, CexlExpr];
    const type = this.checker.typeOf(leftNode);
    const left = this.strict(leftNode);
    let equals: (a: AttributeValue, b: AttributeValue) => boolean;
    switch (type) {
      case ValueType.STRING:
      case ValueType.INT64:
      case ValueType.DOUBLE:
      case ValueType.BOOL:
        return this.identityEquality(leftNode, rightNode, left, negate);
      case ValueType.DNS_NAME:
        equals = (a, b) => dnsNameEquals(a as string, b as string);
        break;
      case ValueType.EMAIL_ADDRESS:
        equals = (a, b) => emailEquals(a as string, b as string);
        break;
      case ValueType.URI:
        equals = (a, b) => uriEquals(a as string, b as string);
        break;
      case ValueType.IP_ADDRESS:
        equals = (a, b) => (a as IpAddress).equals(b as IpAddress);
        break;
      case ValueType.TIMESTAMP:
        equals = (a, b) => (a as Timestamp).equals(b as Timestamp);
        break;
      default:
        throw this.internal(`equality for type not yet implemented: ${interpreterTypeName(type)}`);
    }
    const right = this.strict(rightNode);
    return negate ? (bag) => !equals(left(bag), right(bag)) : (bag) => equals(left(bag), right(bag));
  }

  /** Equality of plain values (strings, integers, doubles, booleans) is `===`. */
  private identityEquality(leftNode: CexlExpr, rightNode: CexlExpr, left: StrictEval, negate: boolean): StrictEval {
    if (rightNode.kind === 'constant') {
      const constant = rightNode.value;
      if (leftNode.kind === 'variable' && typeof constant === 'string') {
        // The commonest rule shape, `attribute == "literal"`: one closure, no extra call.
        const name = leftNode.name;
        const type = this.checker.typeOf(leftNode);
        return negate
          ? (bag) => {
              const value = bag.get(name);
              if (typeof value === 'string') return value !== constant;
              throw readError(name, value, type);
            }
          : (bag) => {
              const value = bag.get(name);
              if (typeof value === 'string') return value === constant;
              throw readError(name, value, type);
            };
      }
      return negate ? (bag) => left(bag) !== constant : (bag) => left(bag) === constant;
    }
    const right = this.strict(rightNode);
    return negate ? (bag) => left(bag) !== right(bag) : (bag) => left(bag) === right(bag);
  }

  private ordering(call: CexlFunction): StrictEval {
    const [leftNode, rightNode] = call.args as [CexlExpr, CexlExpr];
    const type = this.checker.typeOf(leftNode);
    const left = this.strict(leftNode);
    const right = this.strict(rightNode);
    const accept = ORDER_TESTS[call.name as keyof typeof ORDER_TESTS];
    switch (type) {
      case ValueType.INT64:
      case ValueType.DOUBLE:
        switch (call.name) {
          case 'LT':
            return (bag) => (left(bag) as number) < (right(bag) as number);
          case 'LEQ':
            return (bag) => (left(bag) as number) <= (right(bag) as number);
          case 'GT':
            return (bag) => (left(bag) as number) > (right(bag) as number);
          default:
            return (bag) => (left(bag) as number) >= (right(bag) as number);
        }
      case ValueType.STRING:
      case ValueType.EMAIL_ADDRESS:
      case ValueType.URI:
      case ValueType.DNS_NAME:
        return (bag) => accept(compareUtf8(left(bag) as string, right(bag) as string));
      case ValueType.TIMESTAMP:
        return (bag) => accept((left(bag) as Timestamp).compare(right(bag) as Timestamp));
      default:
        throw this.internal(`${ORDER_NAMES[call.name as keyof typeof ORDER_NAMES]} for type not yet implemented: ${interpreterTypeName(type)}`);
    }
  }

  private addition(call: CexlFunction): StrictEval {
    const [leftNode, rightNode] = call.args as [CexlExpr, CexlExpr];
    const type = this.checker.typeOf(leftNode);
    const left = this.strict(leftNode);
    const right = this.strict(rightNode);
    switch (type) {
      case ValueType.STRING:
      case ValueType.EMAIL_ADDRESS:
      case ValueType.URI:
      case ValueType.DNS_NAME:
        return (bag) => (left(bag) as string) + (right(bag) as string);
      case ValueType.DOUBLE:
        return (bag) => (left(bag) as number) + (right(bag) as number);
      case ValueType.INT64:
        return (bag) => addInt64(left(bag) as Int64, right(bag) as Int64);
      default:
        throw this.internal(`Add for type not yet implemented: ${interpreterTypeName(type)}`);
    }
  }

  /** `pattern.matches(str)`: a constant pattern is compiled once, here. */
  private matches(call: CexlFunction): StrictEval {
    const target = call.target!;
    const subject = this.strict(call.args[0]!);
    if (target.kind === 'constant') {
      let regex;
      try {
        regex = compileRegex(target.value as string);
      } catch (error) {
        throw new ExpressionCompileError((error as Error).message, this.text);
      }
      return (bag) => regex.test(subject(bag) as string);
    }
    const pattern = this.strict(target);
    return (bag) => matchesRegex(pattern(bag) as string, subject(bag) as string);
  }
}

const ORDER_TESTS = {
  LT: (order: number) => order < 0,
  LEQ: (order: number) => order <= 0,
  GT: (order: number) => order > 0,
  GEQ: (order: number) => order >= 0,
} as const;

const ORDER_NAMES = {
  LT: 'less than',
  LEQ: 'less or equal',
  GT: 'greater than',
  GEQ: 'greater or equal',
} as const;
